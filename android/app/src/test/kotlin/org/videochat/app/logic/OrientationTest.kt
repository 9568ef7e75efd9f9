package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource
import org.videochat.core.CameraFacing

class OrientationTest {
    @ParameterizedTest(name = "{2} camera, sensor {0}, display {1}: turn {3}")
    @CsvSource(
        // A typical phone: rear sensor at 90, front at 270.
        "90, 0, ENVIRONMENT, 90",
        "90, 90, ENVIRONMENT, 0",
        "90, 180, ENVIRONMENT, 270",
        "90, 270, ENVIRONMENT, 180",
        "270, 0, USER, 270",
        "270, 90, USER, 0",
        "270, 180, USER, 90",
        "270, 270, USER, 180",
        // Tablets whose sensors sit along the natural (landscape) axis.
        "0, 0, ENVIRONMENT, 0",
        "0, 90, USER, 90",
    )
    fun `the frame is turned so it is upright for the person holding the phone`(
        sensor: Int,
        display: Int,
        facing: CameraFacing,
        expected: Int,
    ) {
        assertEquals(expected, Orientation.frameRotation(sensor, display, facing))
    }

    @Test
    fun `surface rotation constants become degrees`() {
        assertEquals(listOf(0, 90, 180, 270), (0..3).map { Orientation.displayDegrees(it) })
    }

    @Test
    fun `odd angles snap to the nearest right angle`() {
        assertEquals(listOf(0, 90, 90, 0, 270), listOf(44, 46, 134, 359, -90).map { Orientation.nearestRightAngle(it) })
    }

    @Test
    fun `only the user camera's self-view is mirrored`() {
        assertTrue(Orientation.mirrorsSelfView(CameraFacing.USER))
        assertFalse(Orientation.mirrorsSelfView(CameraFacing.ENVIRONMENT))
    }

    @Test
    fun `a landscape sensor frame turned a quarter fills a portrait view`() {
        // 1280x720 turned 90 degrees is 720x1280, shown in a 360x640 view: scale one half.
        val p = FramePlacement.of(1280, 720, 90, mirror = false, viewWidth = 360, viewHeight = 640, mode = ScaleMode.FIT)
        assertEquals(0.5f, p.scaleY)
        // The sensor's top-left corner ends at the view's top-right after a clockwise turn.
        assertEquals(360f to 0f, p.map(0f, 0f))
        assertEquals(0f to 640f, p.map(1280f, 720f))
    }

    @Test
    fun `a mirrored self-view swaps left and right but not top and bottom`() {
        val plain = FramePlacement.of(400, 300, 0, mirror = false, viewWidth = 400, viewHeight = 300, mode = ScaleMode.FIT)
        val mirrored = FramePlacement.of(400, 300, 0, mirror = true, viewWidth = 400, viewHeight = 300, mode = ScaleMode.FIT)
        assertEquals(0f to 0f, plain.map(0f, 0f))
        assertEquals(400f to 0f, mirrored.map(0f, 0f))
        assertEquals(0f to 300f, mirrored.map(400f, 300f))
    }

    @Test
    fun `fit letterboxes and fill crops, both keeping the aspect ratio`() {
        // A 16:9 picture in a square view.
        val fit = FramePlacement.of(1600, 900, 0, false, 800, 800, ScaleMode.FIT)
        val fill = FramePlacement.of(1600, 900, 0, false, 800, 800, ScaleMode.FILL)
        assertEquals(fit.scaleX, fit.scaleY)
        assertEquals(0.5f, fit.scaleX)
        assertEquals(0f to 175f, fit.map(0f, 0f)) // bars above and below
        assertEquals(800f / 900f, fill.scaleY)
        assertTrue(fill.map(0f, 0f).first < 0f) // cropped on the left
    }

    @Test
    fun `the upright size swaps sides for quarter turns`() {
        assertEquals(720 to 1280, Orientation.uprightSize(1280, 720, 270))
        assertEquals(1280 to 720, Orientation.uprightSize(1280, 720, 180))
    }
}
