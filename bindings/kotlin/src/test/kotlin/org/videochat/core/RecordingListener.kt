package org.videochat.core

import com.sun.jna.Native
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.LinkedBlockingQueue
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock
import kotlin.math.sqrt

/** What arrived from the other side, in arrival order, stamped with [System.nanoTime] on arrival. */
sealed interface Received {
    val atNanos: Long

    /** One decoded remote picture. */
    data class Video(val width: Int, val height: Int, override val atNanos: Long) : Received

    /** 20 ms of decoded remote audio and its loudness (RMS of the s16 samples; a full-scale sine is ~23,000). */
    data class Audio(val rms: Double, override val atNanos: Long) : Received
}

/**
 * A listener that records what it hears, for assertions. With [throwEverywhere] every media
 * callback throws, as a buggy renderer or audio sink would. Every callback signals [Recorded]
 * once it has recorded, which is what [eventually] waits on.
 */
class RecordingListener(private val throwEverywhere: Boolean = false) : CallListener {
    val states = CopyOnWriteArrayList<CallState>()
    val errors = CopyOnWriteArrayList<CallException>()
    /** Each distinct remote frame size, in the order first seen. */
    val remoteSizes = CopyOnWriteArrayList<Pair<Int, Int>>()
    val videoFrames = AtomicInteger()
    val audioChunks = AtomicInteger()
    val lastStats = AtomicReference<CallStats?>()
    /** Every stats report, with the last state this listener had heard when it came (one delivery thread, so in order). */
    val statsLog = CopyOnWriteArrayList<Pair<CallState?, CallStats>>()
    /** Every change of the other side's microphone and camera state, in order. */
    val remoteMedia = CopyOnWriteArrayList<MediaState>()
    /** The Java threads callbacks ran on. */
    val callbackThreads: MutableSet<Thread> = ConcurrentHashMap.newKeySet()
    /** A problem found inside a callback (assertions there would only be logged by the core). */
    val problems = CopyOnWriteArrayList<String>()
    @Volatile var lastFrameAtNanos = 0L
    /** Remote pictures and audio in the order they arrived; read with [awaitRun]. */
    val received = LinkedBlockingQueue<Received>()

    private fun enter() {
        // The delivery thread is long-lived: stay attached instead of paying the attach per callback.
        Native.detach(false)
        callbackThreads += Thread.currentThread()
    }

    override fun onStateChanged(state: CallState) {
        enter()
        states += state
        Recorded.signal()
    }

    override fun onRemoteVideoFrame(frame: RemoteVideoFrame) {
        enter()
        val size = frame.use {
            val size = it.width().toInt() to it.height().toInt()
            if (remoteSizes.lastOrNull() != size) remoteSizes += size
            val pixels = it.pixels()
            if (pixels.capacity().toLong() != it.byteLen().toLong()) problems += "pixel view has ${pixels.capacity()} bytes, frame says ${it.byteLen()}"
            if (it.format() == FrameFormat.RGBA && pixels.get(3) != 0xFF.toByte()) problems += "RGBA alpha is not opaque"
            size
        }
        lastFrameAtNanos = System.nanoTime()
        received += Received.Video(size.first, size.second, lastFrameAtNanos)
        videoFrames.incrementAndGet()
        Recorded.signal()
        if (throwEverywhere) throw IllegalStateException("renderer exploded")
    }

    override fun onRemoteAudio(pcm: ByteArray) {
        enter()
        if (pcm.size != 1920) problems += "audio chunk of ${pcm.size} bytes"
        received += Received.Audio(rms(pcm), System.nanoTime())
        audioChunks.incrementAndGet()
        Recorded.signal()
        if (throwEverywhere) throw ListenerException.Failed("speaker unplugged")
    }

    override fun onError(error: CallException) {
        enter()
        errors += error
        Recorded.signal()
    }

    override fun onRemoteMediaChanged(state: MediaState) {
        enter()
        remoteMedia += state
        Recorded.signal()
    }

    override fun onStats(stats: CallStats) {
        enter()
        lastStats.set(stats)
        statsLog += states.lastOrNull() to stats
        Recorded.signal()
        if (throwEverywhere) throw RuntimeException("stats overlay crashed")
    }

    fun hasState(predicate: (CallState) -> Boolean) = states.any(predicate)

    /**
     * Takes what arrived, in order, until [length] items in a row that [counts] (others are
     * skipped) satisfy [holds]; an item that counts but does not hold starts the run over. Items
     * that arrived before [sinceNanos] are skipped, so the run is made of what came after some
     * action. Blocks on [received] (no polling); fails after [timeoutMs] with [what].
     */
    fun awaitRun(
        what: String,
        length: Int,
        sinceNanos: Long = Long.MIN_VALUE,
        timeoutMs: Long = 20_000,
        counts: (Received) -> Boolean = { true },
        holds: (Received) -> Boolean,
    ): List<Received> {
        val deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs)
        val run = ArrayList<Received>()
        var seen = 0
        while (run.size < length) {
            val item = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)
                ?: throw AssertionError("timed out after $timeoutMs ms waiting for: $what (run of ${run.size}/$length after $seen items)")
            if (item.atNanos < sinceNanos || !counts(item)) continue
            seen++
            if (holds(item)) run += item else run.clear()
        }
        return run
    }

    private companion object {
        fun rms(pcm: ByteArray): Double {
            val samples = pcm.size / 2
            if (samples == 0) return 0.0
            var sum = 0.0
            for (i in 0 until samples) {
                val sample = ((pcm[2 * i + 1].toInt() shl 8) or (pcm[2 * i].toInt() and 0xFF)).toShort().toDouble()
                sum += sample * sample
            }
            return sqrt(sum / samples)
        }
    }
}

/**
 * Where every [RecordingListener] callback says "something was recorded". [await] re-checks its
 * condition each time that happens, under the same lock, so no signal is lost between a check and
 * the wait.
 */
object Recorded {
    private val lock = ReentrantLock()
    private val changed = lock.newCondition()

    fun signal() = lock.withLock { changed.signalAll() }

    fun await(what: String, timeoutMs: Long, condition: () -> Boolean) = lock.withLock {
        var left = TimeUnit.MILLISECONDS.toNanos(timeoutMs)
        while (!condition()) {
            if (left <= 0) throw AssertionError("timed out after $timeoutMs ms waiting for: $what")
            left = changed.awaitNanos(left)
        }
    }
}

/**
 * Waits up to [timeoutMs] for [condition], failing with [what] if it never holds. The condition is
 * checked now and again after every listener callback (see [Recorded]); it should depend on what
 * the listeners recorded, or on something that changes only while callbacks keep arriving.
 */
fun eventually(what: String, timeoutMs: Long = 20_000, condition: () -> Boolean) = Recorded.await(what, timeoutMs, condition)
