package org.videochat.app.logic

/** The call this process holds when a call screen is created. */
enum class ExistingCall {
    NONE,

    /** Still running (connecting, waiting, connected or reconnecting). */
    LIVE,

    /** Over, kept so that its screen can say how it ended. */
    ENDED,
}

/** What the call screen does when Android creates it. */
enum class ScreenStart {
    /** Show the call this process holds: it runs (rotated or reopened), or it ended and this screen is its own, rebuilt. */
    SHOW_CALL,

    /** A new call: permissions first, then join. An ended call still held is left first. */
    NEW_CALL,

    /**
     * Android restored the screen after it killed the process: the call died with it. Say so
     * rather than join the room again behind the user's back.
     */
    CALL_ENDED,
    ;

    companion object {
        /**
         * [restoredFromSavedState]: Android rebuilt this screen (rotation, or back from the
         * background); otherwise it was opened by an intent, e.g. Join.
         */
        fun of(existing: ExistingCall, restoredFromSavedState: Boolean): ScreenStart = when {
            existing == ExistingCall.LIVE -> SHOW_CALL
            // The ended call's own screen, rebuilt, keeps saying why it ended; a fresh Join
            // must not land on the last call's "Call ended".
            existing == ExistingCall.ENDED -> if (restoredFromSavedState) SHOW_CALL else NEW_CALL
            restoredFromSavedState -> CALL_ENDED
            else -> NEW_CALL
        }
    }
}
