package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.videochat.core.CameraFacing.ENVIRONMENT
import org.videochat.core.CameraFacing.USER

class CameraSwitcherTest {
    private var now = 10_000L
    private val both = setOf(USER, ENVIRONMENT)

    private fun switcher(available: Set<org.videochat.core.CameraFacing> = both) =
        CameraSwitcher(available, USER, debounceMillis = 600) { now }

    @Test
    fun `a tap switches to the other facing and back`() {
        val s = switcher()
        assertEquals(SwitchDecision.Start(USER, ENVIRONMENT), s.requestSwitch())
        assertEquals(ENVIRONMENT, s.facing)
        s.switchSucceeded()
        now += 1000
        assertEquals(SwitchDecision.Start(ENVIRONMENT, USER), s.requestSwitch())
    }

    @Test
    fun `a tap while a switch is in flight is ignored`() {
        val s = switcher()
        s.requestSwitch()
        now += 5_000
        assertEquals(SwitchDecision.Ignored(SwitchDecision.Reason.IN_FLIGHT), s.requestSwitch())
        assertFalse(s.canSwitch)
        assertEquals(ENVIRONMENT, s.facing)
    }

    @Test
    fun `a double tap is debounced even when the first switch was quick`() {
        val s = switcher()
        s.requestSwitch()
        s.switchSucceeded()
        now += 200
        assertEquals(SwitchDecision.Ignored(SwitchDecision.Reason.DEBOUNCED), s.requestSwitch())
        now += 400
        assertTrue(s.requestSwitch() is SwitchDecision.Start)
    }

    @Test
    fun `a failed switch returns to the previous camera and allows a new try`() {
        val s = switcher()
        s.requestSwitch()
        s.switchFailed(USER)
        assertEquals(USER, s.facing)
        assertFalse(s.switching)
        now += 1000
        assertTrue(s.canSwitch)
    }

    @Test
    fun `a phone with one camera has nothing to switch to`() {
        val s = switcher(setOf(ENVIRONMENT))
        assertEquals(ENVIRONMENT, s.facing)
        assertFalse(s.canSwitch)
        assertEquals(SwitchDecision.Ignored(SwitchDecision.Reason.NO_OTHER_CAMERA), s.requestSwitch())
    }
}
