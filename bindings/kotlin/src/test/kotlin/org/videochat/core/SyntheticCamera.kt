package org.videochat.core

import java.nio.ByteBuffer
import java.util.Random
import kotlin.math.PI
import kotlin.math.sin

/**
 * A camera and microphone on a thread: moving I420 frames at about 30 fps in direct
 * ByteBuffers (no copy into the core) and a 440 Hz tone in 20 ms chunks. The size can change
 * at any time, as it does when the app switches camera. With [detailed] the picture also
 * carries a patch of fresh noise, as a real scene has detail: the plain bar codes to ~50 kbit/s
 * with the audio, which the core rightly judges too little for a video call.
 */
class SyntheticCamera(private val call: Call, width: Int, height: Int, private val detailed: Boolean = false) : AutoCloseable {
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
        val noise = Random(1) // the same noise every run
        try {
            while (running) {
                val (w, h) = size
                val planes = I420Planes.moving(w, h, frame, if (detailed) noise else null)
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

/**
 * One I420 picture in direct buffers: a bar that moves with the frame number, and with [noise]
 * a centred patch (a quarter of the width and height) that changes every frame.
 */
class I420Planes(val y: ByteBuffer, val u: ByteBuffer, val v: ByteBuffer, val chromaWidth: Int) {
    companion object {
        fun moving(width: Int, height: Int, frame: Int, noise: Random? = null): I420Planes {
            val cw = (width + 1) / 2
            val ch = (height + 1) / 2
            val y = directBuffer(width * height)
            val bar = (frame * 8) % width
            val patchRows = height * 3 / 8 until height * 5 / 8
            val patchCols = width * 3 / 8 until width * 5 / 8
            for (row in 0 until height) for (col in 0 until width) {
                val luma = when {
                    noise != null && row in patchRows && col in patchCols -> 16 + noise.nextInt(220)
                    col in bar until bar + 16 -> 235
                    else -> 16 + (row * 200 / height)
                }
                y.put(luma.toByte())
            }
            val u = directBuffer(cw * ch)
            val v = directBuffer(cw * ch)
            repeat(cw * ch) { u.put(128.toByte()); v.put(100.toByte()) }
            y.flip(); u.flip(); v.flip()
            return I420Planes(y, u, v, cw)
        }
    }
}
