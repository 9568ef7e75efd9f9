package org.videochat.app.logic

import java.nio.ByteBuffer
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class YuvPackingTest {
    private val width = 6
    private val height = 4
    private val cw = 3
    private val ch = 2

    private fun lumaPlane(stride: Int) = ByteBuffer.allocateDirect(stride * (height - 1) + width)

    @Test
    fun `planar chroma passes through untouched`() {
        val u = ByteBuffer.allocateDirect(cw * ch)
        val v = ByteBuffer.allocateDirect(cw * ch)
        val image = YuvImage(width, height, lumaPlane(8), u, v, yRowStride = 8, uvRowStride = cw, uvPixelStride = 1)
        val packer = I420Packer()
        val planes = packer.pack(image)
        assertEquals(8, planes.yStride)
        assertEquals(cw, planes.uStride)
        assertEquals(0L, packer.framesSplit)
        assertEquals(image.u.capacity(), planes.u.remaining())
    }

    /**
     * NV21 as many phones lay it out: one interleaved V,U buffer; the U plane starts one byte
     * in, so each plane's buffer ends one byte short of a full last row.
     */
    @Test
    fun `interleaved chroma of either order is split into tight planes`() {
        val rowStride = 8 // padded rows
        val backing = ByteBuffer.allocateDirect(rowStride * ch)
        for (r in 0 until ch) for (c in 0 until cw) {
            backing.put(r * rowStride + 2 * c, (100 + 10 * r + c).toByte()) // V
            backing.put(r * rowStride + 2 * c + 1, (200 + 10 * r + c).toByte()) // U
        }
        val planeLen = rowStride * (ch - 1) + 2 * (cw - 1) + 1
        val v = backing.duplicate().apply { position(0); limit(planeLen) }.slice()
        val u = backing.duplicate().apply { position(1); limit(1 + planeLen) }.slice()
        val image = YuvImage(width, height, lumaPlane(width), u, v, yRowStride = width, uvRowStride = rowStride, uvPixelStride = 2)

        val packer = I420Packer()
        val planes = packer.pack(image)

        fun bytes(b: ByteBuffer) = ByteArray(b.remaining()).also { b.duplicate().get(it) }.map { it.toInt() and 0xff }
        assertEquals(listOf(200, 201, 202, 210, 211, 212), bytes(planes.u))
        assertEquals(listOf(100, 101, 102, 110, 111, 112), bytes(planes.v))
        assertEquals(cw, planes.uStride)
        assertTrue(planes.u.isDirect && planes.u.position() == 0)
        assertEquals(1L, packer.framesSplit)
    }

    @Test
    fun `the split buffers are reused from frame to frame`() {
        val uv = ByteBuffer.allocateDirect(2 * cw * ch)
        val image = YuvImage(width, height, lumaPlane(width), uv, uv, width, 2 * cw, 2)
        val packer = I420Packer()
        val first = packer.pack(image).u
        val second = packer.pack(image).u
        assertSame(first, second)
    }

    @Test
    fun `the preview converts video-range white and black`() {
        val y = ByteBuffer.allocateDirect(8 * 8)
        for (i in 0 until 32) y.put(i, 235.toByte()) // top half white
        for (i in 32 until 64) y.put(i, 16.toByte()) // bottom half black
        val chroma = ByteBuffer.allocateDirect(16).apply { for (i in 0 until 16) put(i, 128.toByte()) }
        val preview = PreviewPixels(step = 4)
        preview.convert(YuvImage(8, 8, y, chroma, chroma, 8, 4, 1))
        assertEquals(2, preview.width)
        assertEquals(0xffffffff.toInt(), preview.argb[0])
        assertEquals(0xff000000.toInt(), preview.argb[3])
    }
}
