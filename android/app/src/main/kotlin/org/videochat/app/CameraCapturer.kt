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
import org.videochat.app.logic.CaptureFormat
import org.videochat.app.logic.Orientation
import org.videochat.app.logic.Size
import org.videochat.app.logic.YuvImage
import org.videochat.core.CameraFacing

/**
 * Camera2 capture on its own `camera` HandlerThread: opens the camera of one facing at up to
 * 1280x720 and 30 fps, reads YUV_420_888 images from an ImageReader and hands each to [frames]
 * with the rotation that makes it upright (sensor orientation and [displayDegrees]).
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
        fun onFrame(image: YuvImage, rotation: Int, mirror: Boolean, timestampUs: Long)
    }

    /** Camera lifecycle news, on the main thread. */
    interface Events {
        /** The camera of [facing] delivered its first frame (a switch is complete). */
        fun onCameraStarted(facing: CameraFacing)

        /** The camera of [facing] could not be opened or was lost. */
        fun onCameraFailed(facing: CameraFacing, reason: String)
    }

    private val manager = context.getSystemService(CameraManager::class.java)
    private val thread = HandlerThread("camera").apply { start() }
    private val handler = Handler(thread.looper)
    private val main = Handler(Looper.getMainLooper())

    /** The display's rotation in degrees (`Orientation.displayDegrees`); set from the main thread. */
    @Volatile
    var displayDegrees: Int = 0

    // Everything below belongs to the camera thread.
    private var device: CameraDevice? = null
    private var session: CameraCaptureSession? = null
    private var reader: ImageReader? = null
    private var facing: CameraFacing? = null
    private var sensorOrientation = 0
    private var firstFrameSeen = false

    /** Bumped on every open and close, so callbacks of a camera already closed are ignored. */
    private var generation = 0

    /** The facings this device has cameras for. */
    fun availableFacings(): Set<CameraFacing> = try {
        manager.cameraIdList.mapNotNull { facingOf(manager.getCameraCharacteristics(it)) }.toSet()
    } catch (e: CameraAccessException) {
        emptySet()
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
        val id = try {
            manager.cameraIdList.firstOrNull { facingOf(manager.getCameraCharacteristics(it)) == wanted }
        } catch (e: CameraAccessException) {
            null
        }
        if (id == null) return fail(wanted, "no camera facing ${wanted.name.lowercase()}")
        val characteristics = manager.getCameraCharacteristics(id)
        sensorOrientation = characteristics.get(CameraCharacteristics.SENSOR_ORIENTATION) ?: 0
        val map = characteristics.get(CameraCharacteristics.SCALER_STREAM_CONFIGURATION_MAP)
        val sizes = map?.getOutputSizes(ImageFormat.YUV_420_888)?.map { Size(it.width, it.height) }.orEmpty()
        val size = CaptureFormat.chooseSize(sizes) ?: return fail(wanted, "no usable capture size")
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
                    if (gen == generation) fail(wanted, "camera disconnected (another app took it?)")
                }

                override fun onError(camera: CameraDevice, error: Int) {
                    camera.close()
                    if (gen == generation) fail(wanted, "camera error $error")
                }
            }, handler)
        } catch (e: CameraAccessException) {
            fail(wanted, "camera unavailable: ${e.reason}")
        } catch (e: SecurityException) {
            fail(wanted, "camera permission missing")
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
                    fail(facing ?: return, "cannot start capture: ${e.reason}")
                } catch (e: IllegalStateException) {
                    // The camera was closed while the session was being set up (a fast switch).
                }
            }

            override fun onConfigureFailed(s: CameraCaptureSession) {
                if (gen == generation) fail(facing ?: return, "capture session refused")
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
            fail(facing ?: return, "cannot configure the camera: ${e.reason}")
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
            val rotation = Orientation.frameRotation(sensorOrientation, displayDegrees, current)
            frames.onFrame(yuv, rotation, Orientation.mirrorsSelfView(current), it.timestamp / 1000)
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

    private fun fail(wanted: CameraFacing, reason: String) {
        Log.w(TAG, "camera ${wanted.name.lowercase()}: $reason")
        closeCamera()
        main.post { events.onCameraFailed(wanted, reason) }
    }

    private companion object {
        const val TAG = "CameraCapturer"

        fun facingOf(c: CameraCharacteristics): CameraFacing? = when (c.get(CameraCharacteristics.LENS_FACING)) {
            CameraCharacteristics.LENS_FACING_FRONT -> CameraFacing.USER
            CameraCharacteristics.LENS_FACING_BACK -> CameraFacing.ENVIRONMENT
            else -> null
        }
    }
}
