package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class CaptureFormatTest {
    @Test
    fun `the largest 16 by 9 size within 720p is chosen`() {
        val sizes = listOf(Size(4032, 3024), Size(1920, 1080), Size(1280, 960), Size(1280, 720), Size(960, 540), Size(640, 480))
        assertEquals(Size(1280, 720), CaptureFormat.chooseSize(sizes))
    }

    @Test
    fun `without a 16 by 9 size the largest fitting one is taken`() {
        assertEquals(Size(960, 720), CaptureFormat.chooseSize(listOf(Size(1600, 1200), Size(960, 720), Size(640, 480))))
        assertNull(CaptureFormat.chooseSize(listOf(Size(1920, 1080))))
    }

    @Test
    fun `the frame rate reaches 30 with the lowest floor`() {
        assertEquals(15..30, CaptureFormat.chooseFpsRange(listOf(15..15, 30..30, 15..30, 7..60, 24..24)))
        assertEquals(15..24, CaptureFormat.chooseFpsRange(listOf(15..24, 60..60)))
    }
}
