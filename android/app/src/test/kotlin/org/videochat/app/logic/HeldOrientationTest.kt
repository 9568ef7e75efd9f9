package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource
import org.videochat.core.CameraFacing

class HeldOrientationTest {
    @Test
    fun `readings snap to right angles once clearly past the diagonal`() {
        val held = HeldOrientation()
        assertFalse(held.onReading(50)) // just past 45: still upright
        assertEquals(0, held.degrees)
        assertTrue(held.onReading(70))
        assertEquals(90, held.degrees)
        assertTrue(held.onReading(265))
        assertEquals(270, held.degrees)
        assertTrue(held.onReading(10))
        assertEquals(0, held.degrees)
    }

    @Test
    fun `a phone wobbling around the diagonal does not flip the picture`() {
        val held = HeldOrientation()
        val changes = listOf(40, 52, 44, 58, 47, 55).count { held.onReading(it) }
        assertEquals(0, changes)
        assertEquals(0, held.degrees)
        // Turned back from landscape the same way: it stays landscape until clearly upright.
        held.onReading(90)
        assertFalse(held.onReading(35))
        assertEquals(90, held.degrees)
        assertTrue(held.onReading(25))
        assertEquals(0, held.degrees)
    }

    @Test
    fun `readings wrap around zero`() {
        val held = HeldOrientation(initialDegrees = 270)
        assertFalse(held.onReading(330)) // 60 from 270: within the band
        assertTrue(held.onReading(340))
        assertEquals(0, held.degrees)
        assertFalse(held.onReading(359))
    }

    @Test
    fun `a phone lying flat keeps the last angle`() {
        val held = HeldOrientation()
        held.onReading(90)
        assertFalse(held.onReading(HeldOrientation.UNKNOWN))
        assertEquals(90, held.degrees)
    }

    @Test
    fun `the display rotation stands for the held angle when the display follows the phone`() {
        // Surface.ROTATION_90 is a phone turned counter-clockwise: right side up, 270 held.
        assertEquals(listOf(0, 270, 180, 90), listOf(0, 90, 180, 270).map { HeldOrientation.fromDisplayDegrees(it) })
    }

    @ParameterizedTest(name = "{2} camera, sensor {0}, held {1}: send turned {3}")
    @CsvSource(
        // Camera2's JPEG_ORIENTATION recipe: rear sensor + held, front sensor - held.
        "90, 0, ENVIRONMENT, 90",
        "90, 90, ENVIRONMENT, 180",
        "90, 270, ENVIRONMENT, 0",
        "270, 0, USER, 270",
        "270, 90, USER, 180",
        "270, 270, USER, 0",
    )
    fun `the sent picture is upright for how the phone is held`(sensor: Int, held: Int, facing: CameraFacing, expected: Int) {
        assertEquals(expected, Orientation.sentFrameRotation(sensor, held, facing))
    }

    @Test
    fun `with auto-rotate on, the sent and previewed rotations agree`() {
        for (facing in CameraFacing.entries) for (sensor in listOf(0, 90, 180, 270)) for (display in listOf(0, 90, 180, 270)) {
            val held = HeldOrientation.fromDisplayDegrees(display)
            assertEquals(
                Orientation.frameRotation(sensor, display, facing),
                Orientation.sentFrameRotation(sensor, held, facing),
                "$facing sensor $sensor display $display",
            )
        }
    }

    @Test
    fun `with auto-rotate off, a phone held sideways sends an upright picture while the screen stays portrait`() {
        // Rear camera (sensor 90), phone turned left side up, display locked at natural portrait.
        val send = Orientation.sentFrameRotation(90, heldDegrees = 90, facing = CameraFacing.ENVIRONMENT)
        val preview = Orientation.frameRotation(90, displayDegrees = 0, facing = CameraFacing.ENVIRONMENT)
        assertEquals(180, send)
        assertEquals(90, preview)
        // A 1280x720 sensor frame goes out landscape, as the world is seen sideways.
        assertEquals(1280 to 720, Orientation.uprightSize(1280, 720, send))
    }
}
