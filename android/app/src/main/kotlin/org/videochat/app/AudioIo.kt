package org.videochat.app

import android.annotation.SuppressLint
import android.media.AudioAttributes
import android.media.AudioFormat
import android.media.AudioRecord
import android.media.AudioTrack
import android.media.MediaRecorder
import android.media.audiofx.AcousticEchoCanceler
import android.media.audiofx.NoiseSuppressor
import android.util.Log
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.concurrent.ArrayBlockingQueue
import java.util.concurrent.TimeUnit

/**
 * Microphone and loudspeaker for a call, 48 kHz mono 16-bit in 20 ms chunks (what the core's
 * Opus codec takes and gives).
 *
 * Capture uses the VOICE_COMMUNICATION source, the platform's echo-cancelled path, on its own
 * `audio-capture` thread, handing each chunk to [send] in a reused direct buffer. Playback uses
 * USAGE_VOICE_COMMUNICATION on an `audio-playout` thread fed through a small queue: [play] is
 * called on the core's listener thread and must never wait for the speaker, or remote video
 * would stall behind audio.
 */
class AudioIo(private val send: (ByteBuffer) -> Unit) : RemoteAudioSink {
    private val queue = ArrayBlockingQueue<ByteArray>(MAX_QUEUED_CHUNKS)

    @Volatile
    private var running = false

    /** Remote audio is dropped and the speaker paused (another app holds audio focus). Any thread. */
    @Volatile
    var playbackPaused = false
    private var capture: Thread? = null
    private var playout: Thread? = null

    /** Starts both threads (main thread). RECORD_AUDIO must be granted. */
    fun start() {
        if (running) return
        running = true
        capture = Thread(::captureLoop, "audio-capture").apply { start() }
        playout = Thread(::playoutLoop, "audio-playout").apply { start() }
    }

    /** Stops both threads and waits for them to release the devices (main thread). */
    fun stop() {
        running = false
        capture?.join(JOIN_MILLIS)
        playout?.join(JOIN_MILLIS)
        capture = null
        playout = null
        queue.clear()
    }

    /** Queues 20 ms of remote audio (listener thread): the oldest chunk goes when the queue is full. */
    override fun play(pcm: ByteArray) {
        if (!running || playbackPaused) return
        while (!queue.offer(pcm)) queue.poll()
    }

    @SuppressLint("MissingPermission") // CallActivity starts a call only with RECORD_AUDIO granted.
    private fun captureLoop() {
        val min = AudioRecord.getMinBufferSize(SAMPLE_RATE, AudioFormat.CHANNEL_IN_MONO, AudioFormat.ENCODING_PCM_16BIT)
        val record = try {
            AudioRecord(
                MediaRecorder.AudioSource.VOICE_COMMUNICATION,
                SAMPLE_RATE,
                AudioFormat.CHANNEL_IN_MONO,
                AudioFormat.ENCODING_PCM_16BIT,
                maxOf(min, CHUNK_BYTES * 4),
            )
        } catch (e: IllegalArgumentException) {
            Log.w(TAG, "no microphone: ${e.message}")
            return
        }
        if (record.state != AudioRecord.STATE_INITIALIZED) {
            Log.w(TAG, "microphone unavailable")
            record.release()
            return
        }
        // VOICE_COMMUNICATION usually switches these on; asking makes sure on devices that don't.
        val aec = if (AcousticEchoCanceler.isAvailable()) AcousticEchoCanceler.create(record.audioSessionId) else null
        val ns = if (NoiseSuppressor.isAvailable()) NoiseSuppressor.create(record.audioSessionId) else null
        aec?.enabled = true
        ns?.enabled = true
        val chunk = ByteBuffer.allocateDirect(CHUNK_BYTES).order(ByteOrder.nativeOrder())
        try {
            record.startRecording()
            while (running) {
                chunk.clear()
                val read = record.read(chunk, CHUNK_BYTES, AudioRecord.READ_BLOCKING)
                if (read < 0) break
                if (read == CHUNK_BYTES) {
                    chunk.position(0).limit(CHUNK_BYTES)
                    send(chunk)
                }
            }
        } finally {
            aec?.release()
            ns?.release()
            record.stop()
            record.release()
        }
    }

    private fun playoutLoop() {
        val min = AudioTrack.getMinBufferSize(SAMPLE_RATE, AudioFormat.CHANNEL_OUT_MONO, AudioFormat.ENCODING_PCM_16BIT)
        val track = AudioTrack.Builder()
            .setAudioAttributes(
                AudioAttributes.Builder()
                    .setUsage(AudioAttributes.USAGE_VOICE_COMMUNICATION)
                    .setContentType(AudioAttributes.CONTENT_TYPE_SPEECH)
                    .build(),
            )
            .setAudioFormat(
                AudioFormat.Builder()
                    .setSampleRate(SAMPLE_RATE)
                    .setChannelMask(AudioFormat.CHANNEL_OUT_MONO)
                    .setEncoding(AudioFormat.ENCODING_PCM_16BIT)
                    .build(),
            )
            .setTransferMode(AudioTrack.MODE_STREAM)
            .setBufferSizeInBytes(maxOf(min, CHUNK_BYTES * 3))
            .build()
        try {
            track.play()
            var paused = false
            while (running) {
                if (playbackPaused != paused) {
                    paused = playbackPaused
                    // Paused: let go of the speaker at once and forget what was queued.
                    if (paused) {
                        track.pause()
                        track.flush()
                    } else {
                        track.play()
                    }
                    queue.clear()
                }
                val pcm = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS) ?: continue
                if (!paused) track.write(pcm, 0, pcm.size) // blocking: paces this thread, never the core's
            }
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
        } finally {
            track.stop()
            track.release()
        }
    }

    private companion object {
        const val TAG = "AudioIo"
        const val SAMPLE_RATE = 48_000

        /** 20 ms: 960 samples of 2 bytes. */
        const val CHUNK_BYTES = 960 * 2

        /** 200 ms of remote audio may wait; more would put the sound behind the picture. */
        const val MAX_QUEUED_CHUNKS = 10
        const val POLL_MILLIS = 100L
        const val JOIN_MILLIS = 500L
    }
}
