package org.videochat.app.logic

import org.videochat.core.CameraFacing

/**
 * Rotation and mirroring rules for camera frames.
 *
 * Camera2 delivers frames as the sensor sees them: a sensor mounted [sensorOrientation] degrees
 * clockwise from the device's natural orientation, regardless of how the phone is held. The core
 * takes the clockwise rotation that makes a frame upright for the person looking at the screen
 * and rotates before encoding, so the remote never has to guess. Mirroring is for the local
 * preview of the user (front) camera only, like a mirror; what is sent is never mirrored.
 */
object Orientation {
    /** `Surface.ROTATION_0..3` (the display's rotation from natural, counter-clockwise device turns) in degrees. */
    fun displayDegrees(surfaceRotation: Int): Int = (surfaceRotation and 3) * 90

    /** Any angle to the nearest of 0, 90, 180, 270 (an `OrientationEventListener` reading, say). */
    fun nearestRightAngle(degrees: Int): Int = ((Math.floorMod(degrees, 360) + 45) / 90 % 4) * 90

    /**
     * The clockwise rotation (0, 90, 180 or 270) that makes a frame upright on a display turned
     * [displayDegrees] from natural. A front camera's sensor turns with the device the other way
     * round from a rear one's, as it looks at the user (Camera2's JPEG_ORIENTATION recipe, with
     * the display rotation standing for the device orientation).
     */
    fun frameRotation(sensorOrientation: Int, displayDegrees: Int, facing: CameraFacing): Int {
        val sensor = nearestRightAngle(sensorOrientation)
        val display = nearestRightAngle(displayDegrees)
        return when (facing) {
            CameraFacing.USER -> (sensor + display) % 360
            CameraFacing.ENVIRONMENT -> (sensor - display + 360) % 360
        }
    }

    /**
     * The clockwise rotation that makes a frame upright for the world when the phone is held
     * [heldDegrees] clockwise from its natural orientation (`HeldOrientation.degrees`), whatever
     * the display does: Camera2's JPEG_ORIENTATION recipe (the front camera's sensor turns the
     * other way round, as it looks at the user). The same as [frameRotation] for a display that
     * follows the phone, which turns the other way: display degrees = 360 - held degrees.
     */
    fun sentFrameRotation(sensorOrientation: Int, heldDegrees: Int, facing: CameraFacing): Int {
        val sensor = nearestRightAngle(sensorOrientation)
        val held = nearestRightAngle(heldDegrees)
        return when (facing) {
            CameraFacing.USER -> (sensor - held + 360) % 360
            CameraFacing.ENVIRONMENT -> (sensor + held) % 360
        }
    }

    /** Whether the local preview of [facing] is mirrored: the user camera only. */
    fun mirrorsSelfView(facing: CameraFacing): Boolean = facing == CameraFacing.USER

    /** The size after turning a [width] x [height] frame by [rotation] degrees. */
    fun uprightSize(width: Int, height: Int, rotation: Int): Pair<Int, Int> =
        if (nearestRightAngle(rotation) % 180 == 0) width to height else height to width
}

/** How a picture fills its view. */
enum class ScaleMode {
    /** All of the picture shows, bars on two sides if the aspect differs (the remote video). */
    FIT,

    /** The view is covered, the picture cropped (the small self-view). */
    FILL,
}

/**
 * Where a frame lands in a view: centre the frame on the origin, turn it [rotation] degrees
 * clockwise, scale by ([scaleX], [scaleY]) (a negative [scaleX] mirrors), then move it to
 * ([translateX], [translateY]). `android.graphics.Matrix` does the same with `setTranslate`,
 * `postRotate`, `postScale`, `postTranslate` (see `VideoRenderer`).
 */
data class FramePlacement(
    val centerX: Float,
    val centerY: Float,
    val rotation: Int,
    val scaleX: Float,
    val scaleY: Float,
    val translateX: Float,
    val translateY: Float,
) {
    /** Where the frame's pixel ([x], [y]) ends up in the view (y grows downwards, as on screen). */
    fun map(x: Float, y: Float): Pair<Float, Float> {
        val dx = x - centerX
        val dy = y - centerY
        // Clockwise on screen, whose y axis points down.
        val (rx, ry) = when (rotation) {
            90 -> -dy to dx
            180 -> -dx to -dy
            270 -> dy to -dx
            else -> dx to dy
        }
        return rx * scaleX + translateX to ry * scaleY + translateY
    }

    companion object {
        /**
         * The placement of a [frameWidth] x [frameHeight] frame, turned by [rotation] and
         * mirrored if [mirror], centred in a [viewWidth] x [viewHeight] view.
         */
        fun of(
            frameWidth: Int,
            frameHeight: Int,
            rotation: Int,
            mirror: Boolean,
            viewWidth: Int,
            viewHeight: Int,
            mode: ScaleMode,
        ): FramePlacement {
            val turn = Orientation.nearestRightAngle(rotation)
            val (uprightW, uprightH) = Orientation.uprightSize(frameWidth, frameHeight, turn)
            val fitW = viewWidth.toFloat() / uprightW.coerceAtLeast(1)
            val fitH = viewHeight.toFloat() / uprightH.coerceAtLeast(1)
            val scale = if (mode == ScaleMode.FIT) minOf(fitW, fitH) else maxOf(fitW, fitH)
            return FramePlacement(
                centerX = frameWidth / 2f,
                centerY = frameHeight / 2f,
                rotation = turn,
                scaleX = if (mirror) -scale else scale,
                scaleY = scale,
                translateX = viewWidth / 2f,
                translateY = viewHeight / 2f,
            )
        }
    }
}
