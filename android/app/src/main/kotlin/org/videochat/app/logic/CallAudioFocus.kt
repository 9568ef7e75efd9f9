package org.videochat.app.logic

/** What the system said about the call's audio focus (AudioManager's request results and focus changes). */
enum class FocusEvent {
    /** The request was granted, or focus came back. */
    GAINED,

    /** Another app took focus for good (another call app, a music player). */
    LOST,

    /** Another app holds focus for a while: a phone call, an alarm. */
    LOST_TRANSIENTLY,

    /** A short sound may play over ours (a navigation prompt): the system lowers ours, the call goes on. */
    MAY_DUCK,

    /** Focus is held by someone else now (a phone call rings); [GAINED] follows when it is ours. */
    REQUEST_DELAYED,

    /** The system refused focus outright: the call plays anyway rather than stay silent. */
    REQUEST_FAILED,
}

/** How the call's audio runs now. */
data class CallAudio(
    /** The core sends silence (and tells the peer "muted"). */
    val micMuted: Boolean,
    /** Remote audio is played. */
    val playing: Boolean,
    /** Paused because another app holds audio focus. */
    val interrupted: Boolean,
)

/**
 * The call's microphone and speaker between the person's own mute and audio focus: while
 * another app holds focus (a phone call), nothing is sent and nothing is played; when focus
 * comes back both resume, except that a microphone the person muted stays muted.
 *
 * Focus lost for good never comes back on its own, so [shouldRequestAgain] tells the caller to
 * ask again when the person returns to the call screen (they left for the other app and came
 * back to talk).
 *
 * Not thread-safe: main thread in the app.
 */
class CallAudioFocus {
    private var userMuted = false
    private var interrupted = false
    private var lostForGood = false

    val audio: CallAudio
        get() = CallAudio(micMuted = userMuted || interrupted, playing = !interrupted, interrupted = interrupted)

    /** Focus was taken for good and has not been asked for since. */
    val shouldRequestAgain: Boolean
        get() = lostForGood

    /** The person tapped Mute or Unmute. */
    fun setUserMuted(muted: Boolean): CallAudio {
        userMuted = muted
        return audio
    }

    fun on(event: FocusEvent): CallAudio {
        when (event) {
            FocusEvent.GAINED, FocusEvent.REQUEST_FAILED -> {
                interrupted = false
                lostForGood = false
            }
            FocusEvent.LOST -> {
                interrupted = true
                lostForGood = true
            }
            FocusEvent.LOST_TRANSIENTLY, FocusEvent.REQUEST_DELAYED -> interrupted = true
            FocusEvent.MAY_DUCK -> {}
        }
        return audio
    }
}
