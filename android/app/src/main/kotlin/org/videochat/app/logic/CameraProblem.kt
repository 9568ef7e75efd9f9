package org.videochat.app.logic

/** Why the camera delivers no pictures (`CameraCapturer` maps Camera2's exceptions and error codes here). */
enum class CameraFailure {
    /** The phone has no camera at all. */
    NO_CAMERA,

    /** Another app has it, or too many cameras are open (CAMERA_IN_USE, MAX_CAMERAS_IN_USE, onDisconnected). */
    IN_USE,

    /** A device policy or the camera privacy switch turned it off (CAMERA_DISABLED). */
    DISABLED,

    /** The camera or the camera service failed, or its characteristics could not be read. */
    DEVICE_ERROR,

    /** The camera permission is missing (SecurityException). */
    NOT_ALLOWED,
}

/**
 * What the call screen says about a camera that failed, and whether it offers "Retry". The call
 * goes on with sound only meanwhile, so every message says so.
 */
data class CameraProblem(val failure: CameraFailure, val message: String, val canRetry: Boolean) {
    companion object {
        fun of(failure: CameraFailure): CameraProblem = when (failure) {
            CameraFailure.NO_CAMERA ->
                CameraProblem(failure, "This phone has no camera: the call is audio only.", canRetry = false)
            CameraFailure.IN_USE ->
                CameraProblem(failure, "Another app is using the camera. Close it and tap Retry; they still hear you.", canRetry = true)
            CameraFailure.DISABLED ->
                CameraProblem(failure, "The camera is turned off on this phone (privacy setting or policy); they still hear you.", canRetry = true)
            CameraFailure.DEVICE_ERROR ->
                CameraProblem(failure, "The camera stopped working. Tap Retry; they still hear you.", canRetry = true)
            CameraFailure.NOT_ALLOWED ->
                CameraProblem(failure, "The camera is not allowed. Allow it in Settings and tap Retry; they still hear you.", canRetry = true)
        }
    }
}
