package org.videochat.app

import java.nio.ByteBuffer
import java.nio.ByteOrder
import org.videochat.app.logic.Orientation
import org.videochat.app.logic.YuvImage
import org.videochat.core.CameraFacing

/**
 * Stands in for a phone's two cameras, the way Camera2 delivers them: landscape sensor frames,
 * the user camera's sensor at 270 degrees, the environment camera's at 90, and the bright half of
 * each picture on the side that becomes the top once upright. The environment camera delivers
 * interleaved chroma with the U plane one byte into the V plane (NV21, as many phones do) and a
 * larger size, so the remote can tell which camera it is seeing.
 */
class SyntheticCamera(val facing: CameraFacing) {
    val sensorOrientation = if (facing == CameraFacing.USER) 270 else 90
    val width = if (facing == CameraFacing.USER) 640 else 960
    val height = if (facing == CameraFacing.USER) 360 else 540

    /** The size the remote should see, for a display in its natural orientation. */
    val uprightSize: Pair<Int, Int> = Orientation.uprightSize(width, height, rotation(displayDegrees = 0))

    private val y = direct(width * height)
    private val u: ByteBuffer
    private val v: ByteBuffer
    private val uvRowStride: Int
    private val uvPixelStride: Int

    init {
        // Clockwise 270 brings the sensor's right edge to the top; clockwise 90 its left edge.
        val brightRight = rotation(0) == 270
        for (row in 0 until height) for (col in 0 until width) {
            val bright = if (brightRight) col >= width / 2 else col < width / 2
            y.put(row * width + col, (if (bright) 220 else 40).toByte())
        }
        val cw = width / 2
        val ch = height / 2
        if (facing == CameraFacing.USER) {
            uvRowStride = cw
            uvPixelStride = 1
            u = direct(cw * ch).also { fill(it, 128) }
            v = direct(cw * ch).also { fill(it, 128) }
        } else {
            uvRowStride = width
            uvPixelStride = 2
            val vu = direct(width * ch).also { fill(it, 128) }
            val planeLen = width * (ch - 1) + 2 * (cw - 1) + 1
            v = vu.duplicate().apply { position(0); limit(planeLen) }.slice()
            u = vu.duplicate().apply { position(1); limit(1 + planeLen) }.slice()
        }
    }

    fun rotation(displayDegrees: Int) = Orientation.frameRotation(sensorOrientation, displayDegrees, facing)

    fun image() = YuvImage(width, height, y, u, v, width, uvRowStride, uvPixelStride)

    private companion object {
        fun direct(n: Int): ByteBuffer = ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder())

        fun fill(b: ByteBuffer, value: Int) {
            for (i in 0 until b.capacity()) b.put(i, value.toByte())
        }
    }
}
