package org.videochat.app.logic

/** A capture size in sensor pixels (landscape, as Camera2 lists them). */
data class Size(val width: Int, val height: Int) {
    val pixels: Long get() = width.toLong() * height
}

/**
 * Picks what the camera is asked for: the largest size within 1280x720 (16:9 preferred, as the
 * remote screen most likely is), and the frame-rate range reaching closest to 30 fps with the
 * lowest floor (so the camera may slow down in the dark instead of showing noise).
 */
object CaptureFormat {
    val MAX = Size(1280, 720)
    const val MAX_FPS = 30

    /** The size to capture from [supported] (YUV_420_888 output sizes), or null if none is usable. */
    fun chooseSize(supported: List<Size>, max: Size = MAX): Size? {
        val fitting = supported.filter { it.width <= max.width && it.height <= max.height && it.width > 0 && it.height > 0 }
        val wide = fitting.filter { it.width * 9 == it.height * 16 }
        return (wide.ifEmpty { fitting }).maxByOrNull { it.pixels }
    }

    /** The AE target range from [supported] (`CONTROL_AE_AVAILABLE_TARGET_FPS_RANGES`), or null. */
    fun chooseFpsRange(supported: List<IntRange>, maxFps: Int = MAX_FPS): IntRange? =
        supported.filter { it.last <= maxFps && it.first > 0 }
            .sortedWith(compareByDescending<IntRange> { it.last }.thenBy { it.first })
            .firstOrNull()
}
