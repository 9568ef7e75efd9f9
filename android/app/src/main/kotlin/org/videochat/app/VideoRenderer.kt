package org.videochat.app

import android.content.Context
import android.graphics.Bitmap
import android.graphics.Color
import android.graphics.Matrix
import android.graphics.Paint
import android.graphics.PorterDuff
import android.view.SurfaceHolder
import android.view.SurfaceView
import org.videochat.app.logic.FramePlacement
import org.videochat.app.logic.ScaleMode
import org.videochat.core.FrameFormat
import org.videochat.core.RemoteVideoFrame
import org.videochat.core.pixels

/**
 * A SurfaceView that draws video frames from whatever thread produces them: remote frames on
 * the core's listener thread ([renderRemote]), the self-view on the camera thread
 * ([renderArgb]). Each frame is drawn at once with a hardware canvas, so a bitmap is only ever
 * touched by the thread that draws it. Placement (aspect, rotation, mirroring) comes from
 * [FramePlacement].
 *
 * The surface comes and goes with the view (rotation, backgrounding); frames arriving without
 * one are dropped.
 */
class VideoRenderer(context: Context, private val mode: ScaleMode) : SurfaceView(context), SurfaceHolder.Callback {
    private val lock = Object()
    private var hasSurface = false
    private var surfaceWidth = 0
    private var surfaceHeight = 0
    private var bitmap: Bitmap? = null
    private val matrix = Matrix()
    private val paint = Paint(Paint.FILTER_BITMAP_FLAG)

    /** Called on the drawing thread when the picture's upright size changes (to resize a self-view box). */
    @Volatile
    var onFrameSize: ((width: Int, height: Int) -> Unit)? = null
    private var lastUpright = 0 to 0

    init {
        holder.addCallback(this)
    }

    /** Draws one remote frame (RGBA, upright). Listener thread; the caller closes the frame. */
    fun renderRemote(frame: RemoteVideoFrame) {
        if (frame.format() != FrameFormat.RGBA) return
        val width = frame.width().toInt()
        val height = frame.height().toInt()
        synchronized(lock) {
            if (!hasSurface) return
            val bmp = bitmapOf(width, height)
            bmp.copyPixelsFromBuffer(frame.pixels())
            draw(bmp, rotation = 0, mirror = false)
        }
    }

    /** Draws an ARGB picture turned by [rotation] and mirrored if [mirror]. Any one thread at a time. */
    fun renderArgb(argb: IntArray, width: Int, height: Int, rotation: Int, mirror: Boolean) {
        if (width == 0 || height == 0) return
        synchronized(lock) {
            if (!hasSurface) return
            val bmp = bitmapOf(width, height)
            bmp.setPixels(argb, 0, width, 0, 0, width, height)
            draw(bmp, rotation, mirror)
        }
    }

    /** Paints the view black (video turned off, call over). */
    fun clear() {
        synchronized(lock) {
            if (!hasSurface) return
            val canvas = holder.surface.lockHardwareCanvas()
            canvas.drawColor(Color.BLACK, PorterDuff.Mode.SRC)
            holder.surface.unlockCanvasAndPost(canvas)
        }
    }

    private fun bitmapOf(width: Int, height: Int): Bitmap {
        val current = bitmap
        if (current != null && current.width == width && current.height == height) return current
        current?.recycle()
        return Bitmap.createBitmap(width, height, Bitmap.Config.ARGB_8888).also { bitmap = it }
    }

    /** Called with [lock] held and a surface present. */
    private fun draw(bmp: Bitmap, rotation: Int, mirror: Boolean) {
        val placement = FramePlacement.of(bmp.width, bmp.height, rotation, mirror, surfaceWidth, surfaceHeight, mode)
        matrix.setTranslate(-placement.centerX, -placement.centerY)
        matrix.postRotate(placement.rotation.toFloat())
        matrix.postScale(placement.scaleX, placement.scaleY)
        matrix.postTranslate(placement.translateX, placement.translateY)
        val upright = if (placement.rotation % 180 == 0) bmp.width to bmp.height else bmp.height to bmp.width
        if (upright != lastUpright) {
            lastUpright = upright
            onFrameSize?.invoke(upright.first, upright.second)
        }
        val canvas = try {
            holder.surface.lockHardwareCanvas()
        } catch (e: IllegalStateException) {
            return // the surface went away between the check and the lock
        }
        canvas.drawColor(Color.BLACK, PorterDuff.Mode.SRC)
        canvas.drawBitmap(bmp, matrix, paint)
        holder.surface.unlockCanvasAndPost(canvas)
    }

    override fun surfaceCreated(holder: SurfaceHolder) {}

    override fun surfaceChanged(holder: SurfaceHolder, format: Int, width: Int, height: Int) {
        synchronized(lock) {
            hasSurface = true
            surfaceWidth = width
            surfaceHeight = height
        }
    }

    override fun surfaceDestroyed(holder: SurfaceHolder) {
        // Waits for a draw in progress: no thread touches the surface after this returns.
        synchronized(lock) {
            hasSurface = false
            bitmap?.recycle()
            bitmap = null
        }
    }
}
