package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class ScreenStartTest {
    @Test
    fun `a running call is shown again, rotated or reopened`() {
        assertEquals(ScreenStart.SHOW_CALL, ScreenStart.of(ExistingCall.LIVE, restoredFromSavedState = true))
        assertEquals(ScreenStart.SHOW_CALL, ScreenStart.of(ExistingCall.LIVE, restoredFromSavedState = false))
    }

    @Test
    fun `a screen restored after process death says the call ended instead of rejoining`() {
        assertEquals(ScreenStart.CALL_ENDED, ScreenStart.of(ExistingCall.NONE, restoredFromSavedState = true))
    }

    @Test
    fun `a fresh screen starts a new call`() {
        assertEquals(ScreenStart.NEW_CALL, ScreenStart.of(ExistingCall.NONE, restoredFromSavedState = false))
    }

    @Test
    fun `Join after an ended call whose screen is gone starts a new call instead of showing the old "Call ended"`() {
        assertEquals(ScreenStart.NEW_CALL, ScreenStart.of(ExistingCall.ENDED, restoredFromSavedState = false))
    }

    @Test
    fun `the ended call's own screen, rotated or rebuilt, keeps saying how it ended`() {
        assertEquals(ScreenStart.SHOW_CALL, ScreenStart.of(ExistingCall.ENDED, restoredFromSavedState = true))
    }
}
