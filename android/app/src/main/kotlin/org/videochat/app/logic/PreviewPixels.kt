package org.videochat.app.logic

/**
 * Makes the small self-view picture from a camera image: every [step]th pixel, YUV to ARGB
 * (BT.601 video range, what cameras deliver), unrotated; the view turns and mirrors it when
 * drawing. At 1280x720 with step 4 that is 320x180 pixels, far cheaper than a full conversion
 * and as sharp as a corner thumbnail needs.
 */
class PreviewPixels(private val step: Int = 4) {
    /** Width of the last picture. */
    var width = 0
        private set

    /** Height of the last picture. */
    var height = 0
        private set

    /** ARGB pixels of the last picture, `width` a row (reused between frames). */
    var argb = IntArray(0)
        private set

    fun convert(image: YuvImage) {
        width = image.width / step
        height = image.height / step
        if (argb.size != width * height) argb = IntArray(width * height)
        val y = image.y
        val u = image.u
        val v = image.v
        for (row in 0 until height) {
            val sy = row * step
            for (col in 0 until width) {
                val sx = col * step
                val luma = (y.get(sy * image.yRowStride + sx).toInt() and 0xff) - 16
                val ci = (sy / 2) * image.uvRowStride + (sx / 2) * image.uvPixelStride
                val cb = (u.get(ci).toInt() and 0xff) - 128
                val cr = (v.get(ci).toInt() and 0xff) - 128
                val c = 298 * luma
                val r = clamp((c + 409 * cr + 128) shr 8)
                val g = clamp((c - 100 * cb - 208 * cr + 128) shr 8)
                val b = clamp((c + 516 * cb + 128) shr 8)
                argb[row * width + col] = (0xff shl 24) or (r shl 16) or (g shl 8) or b
            }
        }
    }

    private fun clamp(x: Int) = if (x < 0) 0 else if (x > 255) 255 else x
}
