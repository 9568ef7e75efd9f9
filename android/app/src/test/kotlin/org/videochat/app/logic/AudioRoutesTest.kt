package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.videochat.app.logic.AudioOutput.BLUETOOTH
import org.videochat.app.logic.AudioOutput.EARPIECE
import org.videochat.app.logic.AudioOutput.SPEAKER
import org.videochat.app.logic.AudioOutput.WIRED_HEADSET

class AudioRoutesTest {
    @Test
    fun `a video call plays on the loudspeaker by default`() {
        assertEquals(SPEAKER, AudioRoutes.choose(setOf(SPEAKER, EARPIECE), videoCall = true))
    }

    @Test
    fun `an audio-only call plays on the earpiece`() {
        assertEquals(EARPIECE, AudioRoutes.choose(setOf(SPEAKER, EARPIECE), videoCall = false))
        assertEquals(SPEAKER, AudioRoutes.choose(setOf(SPEAKER), videoCall = false)) // tablets
    }

    @Test
    fun `a headset wins, bluetooth first`() {
        assertEquals(WIRED_HEADSET, AudioRoutes.choose(setOf(SPEAKER, EARPIECE, WIRED_HEADSET), videoCall = true))
        assertEquals(BLUETOOTH, AudioRoutes.choose(setOf(SPEAKER, WIRED_HEADSET, BLUETOOTH), videoCall = true))
    }
}
