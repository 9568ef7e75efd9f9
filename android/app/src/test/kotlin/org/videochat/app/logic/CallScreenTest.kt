package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.videochat.core.CallException
import org.videochat.core.CallFailure
import org.videochat.core.CallState
import org.videochat.core.EndReason
import org.videochat.core.MediaState

class CallScreenTest {
    @Test
    fun `each state the issue names is said in words`() {
        assertEquals("Waiting for the other person", CallScreen.of(CallState.WaitingForPeer).status)
        assertEquals("Connecting", CallScreen.of(CallState.Negotiating).status)
        assertEquals("Reconnecting...", CallScreen.of(CallState.Reconnecting).status)
        assertEquals("This room is full: two people are already in it.", CallScreen.of(CallState.Ended(EndReason.ROOM_FULL)).detail)
        assertEquals("The other person left.", CallScreen.of(CallState.Ended(EndReason.PEER_LEFT)).detail)
        assertTrue(CallScreen.of(CallState.Ended(EndReason.SIGNALING_LOST)).detail!!.startsWith("No network"))
    }

    @Test
    fun `every end reason and failure has its own sentence`() {
        val sentences = EndReason.values().map { CallScreen.endWords(it) }.toSet()
        assertEquals(EndReason.values().size, sentences.size)
        val failures = listOf(CallFailure.BadRoom, CallFailure.MalformedMessage("offer"), CallFailure.IncompatiblePeer, CallFailure.Internal)
        assertEquals(failures.size, failures.map { CallScreen.failureWords(it) }.toSet().size)
    }

    @Test
    fun `a live call enables every button`() {
        val screen = CallScreen.of(CallState.Connected)
        assertTrue(screen.switchCameraEnabled && screen.muteEnabled && screen.videoToggleEnabled && screen.hangUpEnabled)
        assertTrue(screen.showRemoteVideo && screen.showSelfView)
        assertFalse(screen.finished)
    }

    @Test
    fun `the other person's mute and camera off show on the remote tile, not a frozen frame`() {
        val muted = CallScreen.of(CallState.Connected, remote = MediaState(audio = false, video = true))
        assertTrue(muted.showRemoteMuted && muted.showRemoteVideo)
        assertFalse(muted.showRemoteCameraOff)
        val cameraOff = CallScreen.of(CallState.Connected, remote = MediaState(audio = true, video = false))
        assertTrue(cameraOff.showRemoteCameraOff)
        assertFalse(cameraOff.showRemoteVideo || cameraOff.showRemoteMuted)
        // Before the call and after it, nothing is said about the other person.
        val ended = CallScreen.of(CallState.Ended(EndReason.PEER_LEFT), remote = MediaState(audio = false, video = false))
        assertFalse(ended.showRemoteMuted || ended.showRemoteCameraOff)
    }

    @Test
    fun `while reconnecting the last remote frame stays, dimmed`() {
        val screen = CallScreen.of(CallState.Reconnecting)
        assertTrue(screen.showRemoteVideo && screen.dimRemoteVideo)
        assertFalse(CallScreen.of(CallState.Connected).dimRemoteVideo)
    }

    @Test
    fun `the switch button is disabled while a switch is in flight`() {
        val screen = CallScreen.of(CallState.Connected, LocalControls(switchingCamera = true))
        assertFalse(screen.switchCameraEnabled)
        assertTrue(screen.muteEnabled)
    }

    @Test
    fun `without a second camera or with video off there is nothing to switch`() {
        assertFalse(CallScreen.of(CallState.Connected, LocalControls(canSwitchCamera = false)).switchCameraEnabled)
        val videoOff = CallScreen.of(CallState.Connected, LocalControls(videoEnabled = false))
        assertFalse(videoOff.switchCameraEnabled)
        assertFalse(videoOff.showSelfView)
        assertEquals("Video on", videoOff.videoLabel)
    }

    @Test
    fun `mute toggles its label`() {
        assertEquals("Mute", CallScreen.of(CallState.Connected).muteLabel)
        assertEquals("Unmute", CallScreen.of(CallState.Connected, LocalControls(muted = true)).muteLabel)
    }

    @Test
    fun `an ended call disables the call buttons and lets the screen sleep`() {
        for (state in listOf(CallState.Ended(EndReason.HUNG_UP), CallState.Failed(CallFailure.BadRoom))) {
            val screen = CallScreen.of(state)
            assertTrue(screen.finished, "$state")
            assertFalse(screen.switchCameraEnabled || screen.muteEnabled || screen.videoToggleEnabled || screen.hangUpEnabled)
            assertFalse(screen.showRemoteVideo)
        }
    }

    @Test
    fun `an audio-only call says why the camera is off`() {
        val screen = CallScreen.of(CallState.Connected, LocalControls(cameraAllowed = false))
        assertFalse(screen.videoToggleEnabled || screen.switchCameraEnabled || screen.showSelfView)
        assertTrue(screen.detail!!.startsWith("Camera not allowed"))
    }

    @Test
    fun `a non-fatal error shows as the detail line`() {
        val screen = CallScreen.of(CallState.Connected, error = CallException.InvalidFrame("stride"))
        assertNotNull(screen.detail)
        assertEquals("Connected", screen.status)
    }

    @Test
    fun `while another app holds the audio the screen says the call is paused`() {
        val screen = CallScreen.of(CallState.Connected, audioInterrupted = true)
        assertEquals(CallScreen.AUDIO_PAUSED, screen.detail)
        assertTrue(screen.muteEnabled)
        assertEquals(null, CallScreen.of(CallState.Connected).detail)
        // A reason for the state itself comes first.
        assertEquals(CallScreen.words(CallState.Reconnecting).second, CallScreen.of(CallState.Reconnecting, audioInterrupted = true).detail)
    }
}
