package org.videochat.app.logic

/** A call as a screen intent names it: a room, and the relay when known (a share carries only the room). */
data class CallTarget(val room: String, val relayUrl: String? = null)

/** What the one call screen does with an intent that arrives while it exists (`onNewIntent`). */
sealed class NewIntentAction {
    /** Just come to the front (the notification, the launcher, or the same call again). */
    data object ShowCall : NewIntentAction()

    /** Another call is asked for while one runs: say so, do not hang up behind the person's back. */
    data class TellCallRunning(val message: String) : NewIntentAction()

    /** The call on screen is over (or never started): leave it and start this one. */
    data class StartNewCall(val target: CallTarget) : NewIntentAction()

    companion object {
        /**
         * [running] is the call on screen (null if none), [runningFinished] whether it has ended,
         * [wanted] what the intent asks for (null when it names no room).
         */
        fun of(running: CallTarget?, runningFinished: Boolean, wanted: CallTarget?): NewIntentAction = when {
            wanted == null -> ShowCall
            running == null || runningFinished -> if (wanted.relayUrl != null) StartNewCall(wanted) else ShowCall
            sameCall(running, wanted) -> ShowCall
            else -> TellCallRunning(
                "You are in a call in room ${running.room}. Hang up first to join room ${wanted.room}.",
            )
        }

        private fun sameCall(running: CallTarget, wanted: CallTarget): Boolean =
            running.room == wanted.room && (wanted.relayUrl == null || wanted.relayUrl == running.relayUrl)
    }
}
