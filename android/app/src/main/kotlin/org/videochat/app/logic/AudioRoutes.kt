package org.videochat.app.logic

/** Where call audio can play. */
enum class AudioOutput {
    /** A hearing aid (ASHA or LE Audio): connected only while worn, so always wanted. */
    HEARING_AID,

    /** A Bluetooth LE Audio headset (`TYPE_BLE_HEADSET`). */
    BLE_HEADSET,

    /** A classic Bluetooth headset over SCO (`TYPE_BLUETOOTH_SCO`). */
    BLUETOOTH,
    WIRED_HEADSET,

    /** A Bluetooth LE Audio speaker (`TYPE_BLE_SPEAKER`): a loudspeaker the person chose to connect. */
    BLE_SPEAKER,
    SPEAKER,
    EARPIECE,
}

/**
 * Which output a call uses: something the person put on or in their ears wins (a hearing aid
 * first, then an LE Audio headset, a classic Bluetooth headset, wired or USB); then a Bluetooth
 * speaker they connected; otherwise the loudspeaker for a video call (the phone is held away
 * from the face) and the earpiece for an audio-only one.
 */
object AudioRoutes {
    /** Outputs worn by the person or connected on purpose, best first. */
    val PREFERRED = listOf(
        AudioOutput.HEARING_AID,
        AudioOutput.BLE_HEADSET,
        AudioOutput.BLUETOOTH,
        AudioOutput.WIRED_HEADSET,
        AudioOutput.BLE_SPEAKER,
    )

    fun choose(available: Set<AudioOutput>, videoCall: Boolean): AudioOutput =
        PREFERRED.firstOrNull { it in available } ?: when {
            videoCall || AudioOutput.EARPIECE !in available -> AudioOutput.SPEAKER
            else -> AudioOutput.EARPIECE
        }
}
