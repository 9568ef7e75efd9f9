package org.videochat.core

import java.nio.ByteBuffer
import kotlin.math.PI
import kotlin.math.sin

/**
 * A camera and microphone on a thread: moving I420 frames at about 30 fps in direct
 * ByteBuffers (no copy into the core) and a 440 Hz tone in 20 ms chunks. The size can change
 * at any time, as it does when the app switches camera.
 */
class SyntheticCamera(private val call: Call, width: Int, height: Int) : AutoCloseable {
    @Volatile private var size = width to height
    @Volatile private var running = true
    @Volatile var framesSent = 0; private set
    @Volatile var failure: Throwable? = null; private set
    private val thread = Thread(::run, "synthetic-camera").apply { isDaemon = true; start() }

    /** From the next frame on, capture at [width] x [height]. */
    fun resize(width: Int, height: Int) {
        size = width to height
    }

    private fun run() {
        val audio = directBuffer(1920).order(java.nio.ByteOrder.LITTLE_ENDIAN)
        var phase = 0.0
        val started = System.nanoTime()
        var frame = 0
        try {
            while (running) {
                val (w, h) = size
                val planes = I420Planes.moving(w, h, frame)
                val timestampUs = (System.nanoTime() - started) / 1000
                try {
                    call.sendVideoI420(planes.y, planes.u, planes.v, w.toUInt(), planes.chromaWidth.toUInt(), planes.chromaWidth.toUInt(), w.toUInt(), h.toUInt(), 0u, timestampUs)
                    framesSent++
                    // Two 20 ms chunks per ~33 ms frame keeps audio ahead of real time, like a mic with a buffer.
                    repeat(2) {
                        audio.clear()
                        repeat(960) {
                            audio.putShort((sin(phase) * 8000).toInt().toShort())
                            phase += 2 * PI * 440 / 48_000
                        }
                        audio.flip()
                        call.sendAudio(audio)
                    }
                } catch (ended: CallException.CallEnded) {
                    return
                }
                frame++
                Thread.sleep(33)
            }
        } catch (t: Throwable) {
            failure = t
        }
    }

    override fun close() {
        running = false
        thread.join(5_000)
    }
}

/** One I420 picture in direct buffers: a bar that moves with the frame number. */
class I420Planes(val y: ByteBuffer, val u: ByteBuffer, val v: ByteBuffer, val chromaWidth: Int) {
    companion object {
        fun moving(width: Int, height: Int, frame: Int): I420Planes {
            val cw = (width + 1) / 2
            val ch = (height + 1) / 2
            val y = directBuffer(width * height)
            val bar = (frame * 8) % width
            for (row in 0 until height) for (col in 0 until width) {
                y.put(if (col in bar until bar + 16) 235.toByte() else (16 + (row * 200 / height)).toByte())
            }
            val u = directBuffer(cw * ch)
            val v = directBuffer(cw * ch)
            repeat(cw * ch) { u.put(128.toByte()); v.put(100.toByte()) }
            y.flip(); u.flip(); v.flip()
            return I420Planes(y, u, v, cw)
        }
    }
}
