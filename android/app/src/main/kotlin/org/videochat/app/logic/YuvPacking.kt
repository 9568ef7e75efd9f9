package org.videochat.app.logic

import java.nio.ByteBuffer
import java.nio.ByteOrder

/**
 * One camera picture as Camera2's `YUV_420_888` describes it: three planes, each with a row
 * stride, the two chroma planes sharing a pixel stride (1: planar I420; 2: interleaved, NV12 or
 * NV21 depending on the device). The buffers are the image's own direct buffers.
 */
class YuvImage(
    val width: Int,
    val height: Int,
    val y: ByteBuffer,
    val u: ByteBuffer,
    val v: ByteBuffer,
    val yRowStride: Int,
    val uvRowStride: Int,
    val uvPixelStride: Int,
)

/** Three I420 planes ready for `Call.sendVideoI420`: direct buffers, position 0, with their strides. */
class I420Planes(
    val y: ByteBuffer,
    val u: ByteBuffer,
    val v: ByteBuffer,
    val yStride: Int,
    val uStride: Int,
    val vStride: Int,
)

/**
 * Turns [YuvImage]s into I420 without copying what need not be copied: the luma plane always
 * passes through, planar chroma too. Interleaved chroma (most phones) is split into two
 * reusable buffers, a quarter of the frame's bytes each way, whatever the U/V order, since a
 * plane buffer alone cannot tell NV12 from NV21 and the last interleaved row of each is one byte
 * short.
 *
 * One instance per camera thread: the chroma buffers are reused for every frame.
 */
class I420Packer {
    private var uOut: ByteBuffer = direct(0)
    private var vOut: ByteBuffer = direct(0)
    private var row = ByteArray(0)
    private var plane = ByteArray(0)

    /** Frames whose chroma had to be split (for stats and tests). */
    var framesSplit: Long = 0
        private set

    /** The I420 planes of [image]; valid until the next call. */
    fun pack(image: YuvImage): I420Planes {
        val y = image.y.duplicate().also { it.position(0) }
        if (image.uvPixelStride == 1) {
            return I420Planes(
                y,
                image.u.duplicate().also { it.position(0) },
                image.v.duplicate().also { it.position(0) },
                image.yRowStride,
                image.uvRowStride,
                image.uvRowStride,
            )
        }
        val cw = (image.width + 1) / 2
        val ch = (image.height + 1) / 2
        ensureCapacity(cw, ch, image.uvPixelStride)
        split(image.u, image.uvRowStride, image.uvPixelStride, cw, ch, uOut)
        split(image.v, image.uvRowStride, image.uvPixelStride, cw, ch, vOut)
        framesSplit++
        return I420Planes(y, uOut, vOut, image.yRowStride, cw, cw)
    }

    private fun ensureCapacity(cw: Int, ch: Int, pixelStride: Int) {
        val needed = cw * ch
        if (uOut.capacity() != needed) {
            uOut = direct(needed)
            vOut = direct(needed)
            plane = ByteArray(needed)
        }
        val rowLen = (cw - 1) * pixelStride + 1
        if (row.size < rowLen) row = ByteArray(rowLen)
    }

    /** Picks every [pixelStride]th byte of each row: bulk reads, then a tight array loop. */
    private fun split(src: ByteBuffer, rowStride: Int, pixelStride: Int, cw: Int, ch: Int, out: ByteBuffer) {
        val buf = src.duplicate()
        val rowLen = (cw - 1) * pixelStride + 1
        for (r in 0 until ch) {
            buf.position(r * rowStride)
            val n = minOf(rowLen, buf.remaining())
            buf.get(row, 0, n)
            val base = r * cw
            var i = 0
            while (i < cw) {
                plane[base + i] = row[i * pixelStride]
                i++
            }
        }
        out.clear()
        out.put(plane, 0, cw * ch)
        out.flip()
    }

    private companion object {
        fun direct(bytes: Int): ByteBuffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder())
    }
}
