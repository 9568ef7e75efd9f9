package org.videochat.app.logic

/**
 * How the phone is held, in right angles, from `OrientationEventListener` readings (degrees the
 * phone is turned clockwise from its natural orientation: 90 = left side up). It follows the
 * phone even when auto-rotate is off, which the display rotation does not.
 *
 * Near a diagonal the readings wobble: the held angle changes only once a reading is more than
 * [hysteresisDegrees] past the half-way mark (45 degrees) from the current right angle, so the
 * picture does not flip back and forth. A reading of [UNKNOWN] (the phone lies flat) keeps the
 * last angle.
 *
 * Not thread-safe: main thread in the app.
 */
class HeldOrientation(initialDegrees: Int = 0, private val hysteresisDegrees: Int = DEFAULT_HYSTERESIS) {
    /** 0, 90, 180 or 270. */
    var degrees: Int = Orientation.nearestRightAngle(initialDegrees)
        private set

    /** Takes one reading; true when [degrees] changed. */
    fun onReading(reading: Int): Boolean {
        if (reading == UNKNOWN || reading < 0) return false
        val away = angleBetween(reading, degrees)
        if (away <= 45 + hysteresisDegrees) return false
        val next = Orientation.nearestRightAngle(reading)
        if (next == degrees) return false
        degrees = next
        return true
    }

    companion object {
        /** `OrientationEventListener.ORIENTATION_UNKNOWN`. */
        const val UNKNOWN = -1

        /** Enough to ignore the wobble of a hand-held phone near 45 degrees. */
        const val DEFAULT_HYSTERESIS = 15

        /** How the phone is held when the display follows it, from the display's rotation. */
        fun fromDisplayDegrees(displayDegrees: Int): Int = (360 - Orientation.nearestRightAngle(displayDegrees)) % 360

        /** The smaller angle between two directions, 0..180. */
        private fun angleBetween(a: Int, b: Int): Int {
            val d = Math.floorMod(a - b, 360)
            return if (d > 180) 360 - d else d
        }
    }
}
