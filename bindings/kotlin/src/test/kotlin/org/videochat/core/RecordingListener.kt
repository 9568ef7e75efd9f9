package org.videochat.core

import com.sun.jna.Native
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.atomic.AtomicInteger
import java.util.concurrent.atomic.AtomicReference

/**
 * A listener that records what it hears, for assertions. With [throwEverywhere] every media
 * callback throws, as a buggy renderer or audio sink would.
 */
class RecordingListener(private val throwEverywhere: Boolean = false) : CallListener {
    val states = CopyOnWriteArrayList<CallState>()
    val errors = CopyOnWriteArrayList<CallException>()
    /** Each distinct remote frame size, in the order first seen. */
    val remoteSizes = CopyOnWriteArrayList<Pair<Int, Int>>()
    val videoFrames = AtomicInteger()
    val audioChunks = AtomicInteger()
    val lastStats = AtomicReference<CallStats?>()
    /** The Java threads callbacks ran on. */
    val callbackThreads: MutableSet<Thread> = ConcurrentHashMap.newKeySet()
    /** A problem found inside a callback (assertions there would only be logged by the core). */
    val problems = CopyOnWriteArrayList<String>()
    @Volatile var lastFrameAtNanos = 0L

    private fun enter() {
        // The delivery thread is long-lived: stay attached instead of paying the attach per callback.
        Native.detach(false)
        callbackThreads += Thread.currentThread()
    }

    override fun onStateChanged(state: CallState) {
        enter()
        states += state
    }

    override fun onRemoteVideoFrame(frame: RemoteVideoFrame) {
        enter()
        frame.use {
            val size = it.width().toInt() to it.height().toInt()
            if (remoteSizes.lastOrNull() != size) remoteSizes += size
            val pixels = it.pixels()
            if (pixels.capacity().toLong() != it.byteLen().toLong()) problems += "pixel view has ${pixels.capacity()} bytes, frame says ${it.byteLen()}"
            if (it.format() == FrameFormat.RGBA && pixels.get(3) != 0xFF.toByte()) problems += "RGBA alpha is not opaque"
        }
        lastFrameAtNanos = System.nanoTime()
        videoFrames.incrementAndGet()
        if (throwEverywhere) throw IllegalStateException("renderer exploded")
    }

    override fun onRemoteAudio(pcm: ByteArray) {
        enter()
        if (pcm.size != 1920) problems += "audio chunk of ${pcm.size} bytes"
        audioChunks.incrementAndGet()
        if (throwEverywhere) throw ListenerException.Failed("speaker unplugged")
    }

    override fun onError(error: CallException) {
        enter()
        errors += error
    }

    override fun onStats(stats: CallStats) {
        enter()
        lastStats.set(stats)
        if (throwEverywhere) throw RuntimeException("stats overlay crashed")
    }

    fun hasState(predicate: (CallState) -> Boolean) = states.any(predicate)
}

/** Waits up to [timeoutMs] for [condition], failing with [what] if it never holds. */
fun eventually(what: String, timeoutMs: Long = 20_000, condition: () -> Boolean) {
    val deadline = System.nanoTime() + timeoutMs * 1_000_000
    while (!condition()) {
        if (System.nanoTime() > deadline) throw AssertionError("timed out after $timeoutMs ms waiting for: $what")
        Thread.sleep(10)
    }
}
