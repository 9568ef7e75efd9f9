package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.EnumSource
import org.videochat.core.CallState
import org.videochat.core.EndReason

class CameraProblemTest {
    @Test
    fun `each failure has its own message`() {
        val messages = CameraFailure.entries.map { CameraProblem.of(it).message }.toSet()
        assertEquals(CameraFailure.entries.size, messages.size)
    }

    @Test
    fun `no camera at all offers no retry, a camera taken by another app does`() {
        assertFalse(CameraProblem.of(CameraFailure.NO_CAMERA).canRetry)
        assertTrue(CameraProblem.of(CameraFailure.IN_USE).canRetry)
        assertTrue(CameraProblem.of(CameraFailure.DEVICE_ERROR).canRetry)
    }

    @ParameterizedTest
    @EnumSource(CameraFailure::class)
    fun `a failed camera shows a message instead of a black self-view, and the call goes on`(failure: CameraFailure) {
        val problem = CameraProblem.of(failure)
        val screen = CallScreen.of(CallState.Connected, camera = problem)
        assertEquals(problem.message, screen.cameraProblem)
        assertEquals(problem.canRetry, screen.showCameraRetry)
        assertFalse(screen.showSelfView)
        assertFalse(screen.switchCameraEnabled)
        assertTrue(screen.muteEnabled && screen.hangUpEnabled && !screen.finished)
        assertTrue(screen.videoToggleEnabled) // turning video off and on again is a retry too
    }

    @Test
    fun `with video turned off or the call over, a camera problem is not shown`() {
        val problem = CameraProblem.of(CameraFailure.IN_USE)
        val videoOff = CallScreen.of(CallState.Connected, LocalControls(videoEnabled = false), camera = problem)
        assertNull(videoOff.cameraProblem)
        assertFalse(videoOff.showCameraRetry)
        val ended = CallScreen.of(CallState.Ended(EndReason.HUNG_UP), camera = problem)
        assertNull(ended.cameraProblem)
        assertFalse(ended.showCameraRetry)
    }

    @Test
    fun `without a problem there is no message and no retry`() {
        val screen = CallScreen.of(CallState.Connected)
        assertNull(screen.cameraProblem)
        assertFalse(screen.showCameraRetry)
        assertTrue(screen.showSelfView)
    }
}
