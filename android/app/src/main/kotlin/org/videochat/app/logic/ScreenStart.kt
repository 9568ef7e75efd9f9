package org.videochat.app.logic

/** What the call screen does when Android creates it. */
enum class ScreenStart {
    /** A call runs in this process (the screen was rotated or reopened): show it. */
    SHOW_CALL,

    /** A new call: permissions first, then join. */
    NEW_CALL,

    /**
     * Android restored the screen after it killed the process: the call died with it. Say so
     * rather than join the room again behind the user's back.
     */
    CALL_ENDED,
    ;

    companion object {
        fun of(callRunning: Boolean, restoredFromSavedState: Boolean): ScreenStart = when {
            callRunning -> SHOW_CALL
            restoredFromSavedState -> CALL_ENDED
            else -> NEW_CALL
        }
    }
}
