package org.videochat.core

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The remote-frame path without a network: frame objects handed to a Kotlin listener. */
class FrameDeliveryTest {
    @Test
    fun `remote frames can be read in place and closed twice`() {
        val kept = mutableListOf<RemoteVideoFrame>()
        val listener = object : CallListener by RecordingListener() {
            override fun onRemoteVideoFrame(frame: RemoteVideoFrame) {
                kept += frame
            }
        }
        val report = measureFrameDelivery(listener, 6u, 4u, FrameFormat.I420, 3u)
        assertEquals(3u, report.frames)
        val frame = kept.last()
        val planes = frame.planes()
        assertEquals(listOf(0uL, 24uL, 30uL), planes.map { it.offset })
        val pixels = frame.pixels()
        assertEquals(36, pixels.capacity())
        assertEquals(frame.toBytes().toList(), ByteArray(36).also { pixels.get(it) }.toList())
        frame.close()
        frame.close()
        assertThrows<IllegalStateException> { frame.width() }
        kept.forEach { it.close() }
    }

    @Test
    fun `a listener that throws is counted, not fatal`() {
        val listener = object : CallListener by RecordingListener() {
            override fun onRemoteVideoFrame(frame: RemoteVideoFrame) = throw IllegalArgumentException("bad renderer")
        }
        val report = measureFrameDelivery(listener, 16u, 16u, FrameFormat.RGBA, 5u)
        assertEquals(5u, report.listenerFailures)
        assertEquals(5u, report.frames)
    }

    @Test
    fun `camera planes cross as direct buffers without a copy`() {
        val planes = I420Planes.moving(1280, 720, 0)
        assertEquals((1280 * 720 * 3 / 2).toULong(), measureFrameHandoff(planes.y, planes.u, planes.v))
        assertThrows<IllegalArgumentException> { measureFrameHandoff(java.nio.ByteBuffer.allocate(4), planes.u, planes.v) }
    }

    @Test
    fun `measuring delivery rejects an empty request`() {
        assertThrows<CallException.InvalidFrame> { measureFrameDelivery(RecordingListener(), 0u, 0u, FrameFormat.RGBA, 1u) }
    }

    @Test
    fun `the rgba frames are opaque`() {
        var alpha = 0
        val listener = object : CallListener by RecordingListener() {
            override fun onRemoteVideoFrame(frame: RemoteVideoFrame) = frame.use { alpha = it.pixels().get(3).toInt() and 0xFF }
        }
        measureFrameDelivery(listener, 8u, 8u, FrameFormat.RGBA, 1u)
        assertTrue(alpha == 255, "alpha $alpha")
    }
}
