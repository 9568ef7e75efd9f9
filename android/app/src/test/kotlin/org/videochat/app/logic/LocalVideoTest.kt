package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class LocalVideoTest {
    private val on = LocalControls()

    private fun video(controls: LocalControls = on, presence: ScreenPresence, cameraBroken: Boolean = false, hasCamera: Boolean = true) =
        LocalVideo.of(controls, cameraBroken, hasCamera, presence)

    @Test
    fun `on screen the camera runs and the peer is told video is on`() {
        assertEquals(LocalVideo(cameraRuns = true, peerToldVideoOn = true), video(presence = ScreenPresence.SHOWN))
    }

    @Test
    fun `in the background the camera pauses and the peer is told, instead of seeing a frozen picture`() {
        assertEquals(LocalVideo(cameraRuns = false, peerToldVideoOn = false), video(presence = ScreenPresence.BACKGROUND))
        assertEquals(ScreenPresence.BACKGROUND, ScreenPresence.afterStop(changingConfigurations = false))
    }

    @Test
    fun `back on screen after the background, camera and peer resume`() {
        val presences = listOf(ScreenPresence.SHOWN, ScreenPresence.BACKGROUND, ScreenPresence.SHOWN)
        assertEquals(listOf(true, false, true), presences.map { video(presence = it).peerToldVideoOn })
        assertEquals(listOf(true, false, true), presences.map { video(presence = it).cameraRuns })
    }

    @Test
    fun `video the person turned off stays off after coming back`() {
        val off = on.copy(videoEnabled = false)
        for (presence in ScreenPresence.values()) {
            assertEquals(LocalVideo(cameraRuns = false, peerToldVideoOn = false), video(off, presence))
        }
    }

    @Test
    fun `a rotation rebuilds the screen without telling the peer the camera went off`() {
        assertEquals(ScreenPresence.REBUILDING, ScreenPresence.afterStop(changingConfigurations = true))
        assertEquals(LocalVideo(cameraRuns = false, peerToldVideoOn = true), video(presence = ScreenPresence.REBUILDING))
    }

    @Test
    fun `an ended call's screen shown again does not reopen the camera`() {
        assertEquals(LocalVideo(cameraRuns = false, peerToldVideoOn = false), LocalVideo.of(on, false, true, ScreenPresence.SHOWN, callOver = true))
    }

    @Test
    fun `no camera permission, a broken camera or none at all - no camera, and the peer is told`() {
        val none = LocalVideo(cameraRuns = false, peerToldVideoOn = false)
        assertEquals(none, video(on.copy(cameraAllowed = false), ScreenPresence.SHOWN))
        assertEquals(none, video(presence = ScreenPresence.SHOWN, cameraBroken = true))
        assertEquals(none, video(presence = ScreenPresence.SHOWN, hasCamera = false))
    }
}
