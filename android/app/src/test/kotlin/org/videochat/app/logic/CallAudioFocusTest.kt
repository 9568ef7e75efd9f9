package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class CallAudioFocusTest {
    private val live = CallAudio(micMuted = false, playing = true, interrupted = false)
    private val paused = CallAudio(micMuted = true, playing = false, interrupted = true)

    @Test
    fun `a phone call pauses sending and playing, and its end restores both`() {
        val focus = CallAudioFocus()
        assertEquals(live, focus.on(FocusEvent.GAINED))
        assertEquals(paused, focus.on(FocusEvent.LOST_TRANSIENTLY))
        assertEquals(live, focus.on(FocusEvent.GAINED))
    }

    @Test
    fun `focus coming back does not unmute a microphone the person muted`() {
        val focus = CallAudioFocus()
        focus.setUserMuted(true)
        focus.on(FocusEvent.LOST_TRANSIENTLY)
        assertEquals(CallAudio(micMuted = true, playing = true, interrupted = false), focus.on(FocusEvent.GAINED))
    }

    @Test
    fun `unmuting during an interruption takes effect only when focus returns`() {
        val focus = CallAudioFocus()
        focus.setUserMuted(true)
        focus.on(FocusEvent.LOST_TRANSIENTLY)
        assertEquals(paused, focus.setUserMuted(false))
        assertEquals(live, focus.on(FocusEvent.GAINED))
    }

    @Test
    fun `a delayed request starts paused until focus is granted`() {
        val focus = CallAudioFocus()
        assertEquals(paused, focus.on(FocusEvent.REQUEST_DELAYED))
        assertEquals(live, focus.on(FocusEvent.GAINED))
    }

    @Test
    fun `a refused request still lets the call be heard`() {
        assertEquals(live, CallAudioFocus().on(FocusEvent.REQUEST_FAILED))
    }

    @Test
    fun `a short prompt over the call changes nothing`() {
        val focus = CallAudioFocus()
        focus.on(FocusEvent.GAINED)
        assertEquals(live, focus.on(FocusEvent.MAY_DUCK))
    }

    @Test
    fun `focus lost for good is asked for again when the person comes back, a transient loss is not`() {
        val focus = CallAudioFocus()
        focus.on(FocusEvent.LOST_TRANSIENTLY)
        assertFalse(focus.shouldRequestAgain)
        assertEquals(paused, focus.on(FocusEvent.LOST))
        assertTrue(focus.shouldRequestAgain)
        focus.on(FocusEvent.GAINED)
        assertFalse(focus.shouldRequestAgain)
    }
}
