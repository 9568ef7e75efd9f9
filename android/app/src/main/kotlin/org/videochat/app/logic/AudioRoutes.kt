package org.videochat.app.logic

/** Where call audio can play. */
enum class AudioOutput { BLUETOOTH, WIRED_HEADSET, SPEAKER, EARPIECE }

/**
 * Which output a call uses: a headset the person put on wins (Bluetooth, then wired or USB);
 * otherwise the loudspeaker for a video call (the phone is held away from the face) and the
 * earpiece for an audio-only one.
 */
object AudioRoutes {
    fun choose(available: Set<AudioOutput>, videoCall: Boolean): AudioOutput = when {
        AudioOutput.BLUETOOTH in available -> AudioOutput.BLUETOOTH
        AudioOutput.WIRED_HEADSET in available -> AudioOutput.WIRED_HEADSET
        videoCall || AudioOutput.EARPIECE !in available -> AudioOutput.SPEAKER
        else -> AudioOutput.EARPIECE
    }
}
