package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class ScreenStartTest {
    @Test
    fun `a running call is shown again, rotated or reopened`() {
        assertEquals(ScreenStart.SHOW_CALL, ScreenStart.of(callRunning = true, restoredFromSavedState = true))
        assertEquals(ScreenStart.SHOW_CALL, ScreenStart.of(callRunning = true, restoredFromSavedState = false))
    }

    @Test
    fun `a screen restored after process death says the call ended instead of rejoining`() {
        assertEquals(ScreenStart.CALL_ENDED, ScreenStart.of(callRunning = false, restoredFromSavedState = true))
    }

    @Test
    fun `a fresh screen starts a new call`() {
        assertEquals(ScreenStart.NEW_CALL, ScreenStart.of(callRunning = false, restoredFromSavedState = false))
    }
}
