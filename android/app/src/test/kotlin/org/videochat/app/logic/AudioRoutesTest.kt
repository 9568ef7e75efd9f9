package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.videochat.app.logic.AudioOutput.BLE_HEADSET
import org.videochat.app.logic.AudioOutput.BLE_SPEAKER
import org.videochat.app.logic.AudioOutput.BLUETOOTH
import org.videochat.app.logic.AudioOutput.EARPIECE
import org.videochat.app.logic.AudioOutput.HEARING_AID
import org.videochat.app.logic.AudioOutput.SPEAKER
import org.videochat.app.logic.AudioOutput.WIRED_HEADSET

class AudioRoutesTest {
    private val builtIn = setOf(SPEAKER, EARPIECE)

    @Test
    fun `a video call plays on the loudspeaker by default`() {
        assertEquals(SPEAKER, AudioRoutes.choose(builtIn, videoCall = true))
    }

    @Test
    fun `an audio-only call plays on the earpiece`() {
        assertEquals(EARPIECE, AudioRoutes.choose(builtIn, videoCall = false))
        assertEquals(SPEAKER, AudioRoutes.choose(setOf(SPEAKER), videoCall = false)) // tablets
    }

    @Test
    fun `a headset wins, bluetooth first`() {
        assertEquals(WIRED_HEADSET, AudioRoutes.choose(builtIn + WIRED_HEADSET, videoCall = true))
        assertEquals(BLUETOOTH, AudioRoutes.choose(setOf(SPEAKER, WIRED_HEADSET, BLUETOOTH), videoCall = true))
    }

    @Test
    fun `an LE Audio headset is an output and beats a classic bluetooth one`() {
        assertEquals(BLE_HEADSET, AudioRoutes.choose(builtIn + BLE_HEADSET, videoCall = false))
        assertEquals(BLE_HEADSET, AudioRoutes.choose(builtIn + setOf(BLUETOOTH, BLE_HEADSET, WIRED_HEADSET), videoCall = true))
    }

    @Test
    fun `hearing aids beat every other output`() {
        val everything = AudioOutput.entries.toSet()
        assertEquals(HEARING_AID, AudioRoutes.choose(everything, videoCall = true))
        assertEquals(HEARING_AID, AudioRoutes.choose(builtIn + HEARING_AID, videoCall = false))
    }

    @Test
    fun `a bluetooth speaker beats the phone's own but not a headset`() {
        assertEquals(BLE_SPEAKER, AudioRoutes.choose(builtIn + BLE_SPEAKER, videoCall = false))
        assertEquals(WIRED_HEADSET, AudioRoutes.choose(builtIn + setOf(BLE_SPEAKER, WIRED_HEADSET), videoCall = true))
    }
}
