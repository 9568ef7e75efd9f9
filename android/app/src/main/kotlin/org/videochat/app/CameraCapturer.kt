package org.videochat.app

import android.content.Context
import android.graphics.ImageFormat
import android.hardware.camera2.CameraAccessException
import android.hardware.camera2.CameraCaptureSession
import android.hardware.camera2.CameraCharacteristics
import android.hardware.camera2.CameraDevice
import android.hardware.camera2.CameraManager
import android.hardware.camera2.CaptureRequest
import android.hardware.camera2.params.OutputConfiguration
import android.hardware.camera2.params.SessionConfiguration
import android.media.ImageReader
import android.os.Build
import android.os.Handler
import android.os.HandlerThread
import android.os.Looper
import android.util.Log
import android.util.Range
import java.util.concurrent.Executor
import org.videochat.app.logic.CameraFailure
import org.videochat.app.logic.CaptureFormat
import org.videochat.app.logic.Orientation
import org.videochat.app.logic.Size
import org.videochat.app.logic.YuvImage
import org.videochat.core.CameraFacing

/**
 * Camera2 capture on its own `camera` HandlerThread: opens the camera of one facing at up to
 * 1280x720 and 30 fps, reads YUV_420_888 images from an ImageReader and hands each to [frames]
 * with two rotations: the one that makes it upright for the world, from how the phone is held
 * ([heldDegrees]), for sending, and the one that makes it upright on the screen
 * ([displayDegrees]) for the self-view. They differ when auto-rotate is off.
 *
 * Every way Camera2 can fail (no camera, characteristics that cannot be read, an exception from
 * `openCamera`, `onError`, `onDisconnected`, a refused session) ends in [Events.onCameraFailed]
 * with a [CameraFailure], never in an exception on the camera thread.
 *
 * Threads: [start], [switchTo], [stop] and [release] may be called from any thread and return
 * at once; the work happens on the camera thread. [FrameConsumer] runs on the camera thread;
 * [Events] run on the main thread.
 */
class CameraCapturer(
    context: Context,
    private val frames: FrameConsumer,
    private val events: Events,
) {
    /** Receives camera frames on the camera thread; the image is valid only during the call. */
    fun interface FrameConsumer {
        /**
         * [sendRotation] turns the picture upright for the world (what the core sends);
         * [previewRotation] turns it upright on this screen, mirrored if [mirror].
         */
        fun onFrame(image: YuvImage, sendRotation: Int, previewRotation: Int, mirror: Boolean, timestampUs: Long)
    }

    /** The facings the phone has cameras for, or why none could be listed. */
    data class Inventory(val facings: Set<CameraFacing>, val failure: CameraFailure?)

    /** Camera lifecycle news, on the main thread. */
    interface Events {
        /** The camera of [facing] delivered its first frame (a switch is complete). */
        fun onCameraStarted(facing: CameraFacing)

        /** The camera of [facing] could not be opened or was lost ([reason] is for the log). */
        fun onCameraFailed(facing: CameraFacing, failure: CameraFailure, reason: String)
    }

    private val manager = context.getSystemService(CameraManager::class.java)
    private val thread = HandlerThread("camera").apply { start() }
    private val handler = Handler(thread.looper)
    private val main = Handler(Looper.getMainLooper())

    /** The display's rotation in degrees (`Orientation.displayDegrees`); set from the main thread. */
    @Volatile
    var displayDegrees: Int = 0

    /** How the phone is held (`HeldOrientation.degrees`); set from the main thread. */
    @Volatile
    var heldDegrees: Int = 0

    // Everything below belongs to the camera thread.
    private var device: CameraDevice? = null
    private var session: CameraCaptureSession? = null
    private var reader: ImageReader? = null
    private var facing: CameraFacing? = null
    private var sensorOrientation = 0
    private var firstFrameSeen = false

    /** Bumped on every open and close, so callbacks of a camera already closed are ignored. */
    private var generation = 0

    /** The facings this device has cameras for (any thread). A camera whose characteristics fail is skipped. */
    fun inventory(): Inventory {
        val ids = try {
            manager.cameraIdList
        } catch (e: CameraAccessException) {
            Log.w(TAG, "camera list: ${e.reason}")
            return Inventory(emptySet(), failureOf(e))
        }
        val facings = ids.mapNotNull { id -> characteristicsOf(id)?.let(::facingOf) }.toSet()
        val failure = when {
            facings.isNotEmpty() -> null
            ids.isEmpty() -> CameraFailure.NO_CAMERA
            else -> CameraFailure.DEVICE_ERROR // cameras listed, none readable
        }
        return Inventory(facings, failure)
    }

    /** Opens the camera of [facing] (closing any other first). */
    fun start(facing: CameraFacing) {
        handler.post { open(facing) }
    }

    /** Closes the running camera and opens the one of [facing]: the same as [start], named for the caller. */
    fun switchTo(facing: CameraFacing) = start(facing)

    /** Closes the camera (the app is no longer visible); [start] opens it again. */
    fun stop() {
        handler.post { closeCamera() }
    }

    /** Closes the camera and ends the camera thread. */
    fun release() {
        handler.post {
            closeCamera()
            thread.quitSafely()
        }
    }

    private fun open(wanted: CameraFacing) {
        closeCamera()
        val gen = ++generation
        val ids = try {
            manager.cameraIdList
        } catch (e: CameraAccessException) {
            return fail(wanted, failureOf(e), "camera list: ${e.reason}")
        }
        val found = ids.firstNotNullOfOrNull { id -> characteristicsOf(id)?.takeIf { facingOf(it) == wanted }?.let { id to it } }
        if (found == null) {
            val failure = if (ids.isEmpty()) CameraFailure.NO_CAMERA else CameraFailure.DEVICE_ERROR
            return fail(wanted, failure, "no readable camera facing ${wanted.name.lowercase()}")
        }
        val (id, characteristics) = found
        sensorOrientation = characteristics.get(CameraCharacteristics.SENSOR_ORIENTATION) ?: 0
        val map = characteristics.get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP)
        val sizes = map?.getOutputSizes(ImageFormat.YUV_420_888)?.map { Size(it.width, it.height) }.orEmpty()
        val size = CaptureFormat.chooseSize(sizes) ?: return fail(wanted, CameraFailure.DEVICE_ERROR, "no usable capture size")
        val fps = characteristics.get(CameraCharacteristics.CONTROL_AE_AVAILABLE_TARGET_FPS_RANGES)
            ?.map { it.lower..it.upper }
            ?.let { CaptureFormat.chooseFpsRange(it) }
        facing = wanted
        firstFrameSeen = false
        val imageReader = ImageReader.newInstance(size.width, size.height, ImageFormat.YUV_420_888, 3)
        imageReader.setOnImageAvailableListener({ onImage(it, gen) }, handler)
        reader = imageReader
        try {
            manager.openCamera(id, object : CameraDevice.StateCallback() {
                override fun onOpened(camera: CameraDevice) {
                    if (gen != generation) return camera.close()
                    device = camera
                    createSession(camera, imageReader, fps, gen)
                }

                override fun onDisconnected(camera: CameraDevice) {
                    camera.close()
                    // Another app with a higher priority took it (or it was unplugged).
                    if (gen == generation) fail(wanted, CameraFailure.IN_USE, "camera disconnected")
                }

                override fun onError(camera: CameraDevice, error: Int) {
                    camera.close()
                    if (gen == generation) fail(wanted, failureOfError(error), "camera error $error")
                }
            }, handler)
        } catch (e: CameraAccessException) {
            fail(wanted, failureOf(e), "camera unavailable: ${e.reason}")
        } catch (e: IllegalArgumentException) {
            fail(wanted, CameraFailure.DEVICE_ERROR, "camera gone: ${e.message}")
        } catch (e: SecurityException) {
            fail(wanted, CameraFailure.NOT_ALLOWED, "camera permission missing")
        }
    }

    private fun createSession(camera: CameraDevice, imageReader: ImageReader, fps: IntRange?, gen: Int) {
        val callback = object : CameraCaptureSession.StateCallback() {
            override fun onConfigured(s: CameraCaptureSession) {
                if (gen != generation) return s.close()
                session = s
                try {
                    val request = camera.createCaptureRequest(CameraDevice.TEMPLATE_RECORD).apply {
                        addTarget(imageReader.surface)
                        set(CaptureRequest.CONTROL_MODE, CaptureRequest.CONTROL_MODE_AUTO)
                        set(CaptureRequest.CONTROL_AF_MODE, CaptureRequest.CONTROL_AF_MODE_CONTINUOUS_VIDEO)
                        if (fps != null) set(CaptureRequest.CONTROL_AE_TARGET_FPS_RANGE, Range(fps.first, fps.last))
                    }.build()
                    s.setRepeatingRequest(request, null, handler)
                } catch (e: CameraAccessException) {
                    fail(facing ?: return, failureOf(e), "cannot start capture: ${e.reason}")
                } catch (e: IllegalStateException) {
                    // The camera was closed while the session was being set up (a fast switch).
                }
            }

            override fun onConfigureFailed(s: CameraCaptureSession) {
                if (gen == generation) fail(facing ?: return, CameraFailure.DEVICE_ERROR, "capture session refused")
            }
        }
        try {
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) {
                val executor = Executor { handler.post(it) }
                val config = SessionConfiguration(
                    SessionConfiguration.SESSION_REGULAR,
                    listOf(OutputConfiguration(imageReader.surface)),
                    executor,
                    callback,
                )
                camera.createCaptureSession(config)
            } else {
                @Suppress("DEPRECATION")
                camera.createCaptureSession(listOf(imageReader.surface), callback, handler)
            }
        } catch (e: CameraAccessException) {
            fail(facing ?: return, failureOf(e), "cannot configure the camera: ${e.reason}")
        } catch (e: IllegalStateException) {
            // The device was closed meanwhile (a fast switch): its own callbacks say so.
        }
    }

    private fun onImage(reader: ImageReader, gen: Int) {
        val image = try {
            reader.acquireLatestImage()
        } catch (e: IllegalStateException) {
            null
        } ?: return
        image.use {
            val current = facing
            if (gen != generation || current == null) return
            val planes = it.planes
            val yuv = YuvImage(
                width = it.width,
                height = it.height,
                y = planes[0].buffer,
                u = planes[1].buffer,
                v = planes[2].buffer,
                yRowStride = planes[0].rowStride,
                uvRowStride = planes[1].rowStride,
                uvPixelStride = planes[1].pixelStride,
            )
            val send = Orientation.sentFrameRotation(sensorOrientation, heldDegrees, current)
            val preview = Orientation.frameRotation(sensorOrientation, displayDegrees, current)
            frames.onFrame(yuv, send, preview, Orientation.mirrorsSelfView(current), it.timestamp / 1000)
            if (!firstFrameSeen) {
                firstFrameSeen = true
                main.post { events.onCameraStarted(current) }
            }
        }
    }

    private fun closeCamera() {
        generation++
        try {
            session?.close()
        } catch (e: IllegalStateException) {
            // Already closed with its device.
        }
        session = null
        device?.close()
        device = null
        reader?.close()
        reader = null
        facing = null
    }

    private fun fail(wanted: CameraFacing, failure: CameraFailure, reason: String) {
        Log.w(TAG, "camera ${wanted.name.lowercase()}: $reason")
        closeCamera()
        main.post { events.onCameraFailed(wanted, failure, reason) }
    }

    /** The characteristics of camera [id], or null when they cannot be read. */
    private fun characteristicsOf(id: String): CameraCharacteristics? = try {
        manager.getCameraCharacteristics(id)
    } catch (e: Exception) {
        // CameraAccessException or IllegalArgumentException by the docs; some vendor camera
        // services throw other runtime exceptions here. Any of them: skip this camera.
        Log.w(TAG, "camera $id characteristics: $e")
        null
    }

    private companion object {
        const val TAG = "CameraCapturer"

        fun failureOf(e: CameraAccessException): CameraFailure = when (e.reason) {
            CameraAccessException.CAMERA_IN_USE, CameraAccessException.MAX_CAMERAS_IN_USE,
            CameraAccessException.CAMERA_DISCONNECTED,
            -> CameraFailure.IN_USE
            CameraAccessException.CAMERA_DISABLED -> CameraFailure.DISABLED
            else -> CameraFailure.DEVICE_ERROR
        }

        fun failureOfError(error: Int): CameraFailure = when (error) {
            CameraDevice.StateCallback.ERROR_CAMERA_IN_USE, CameraDevice.StateCallback.ERROR_MAX_CAMERAS_IN_USE -> CameraFailure.IN_USE
            CameraDevice.StateCallback.ERROR_CAMERA_DISABLED -> CameraFailure.DISABLED
            else -> CameraFailure.DEVICE_ERROR
        }

        fun facingOf(c: CameraCharacteristics): CameraFacing? = when (c.get(CameraCharacteristics.LENS_FACING)) {
            CameraCharacteristics.LENS_FACING_FRONT -> CameraFacing.USER
            CameraCharacteristics.LENS_FACING_BACK -> CameraFacing.ENVIRONMENT
            else -> null
        }
    }
}
