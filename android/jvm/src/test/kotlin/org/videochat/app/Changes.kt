package org.videochat.app

import java.util.concurrent.TimeUnit
import java.util.concurrent.locks.ReentrantLock
import kotlin.concurrent.withLock

/**
 * Where test phones say "I recorded something" (a state, an error, a remote picture, a finished
 * camera switch). [await] re-checks its condition each time that happens, under the same lock, so
 * no signal is lost between a check and the wait: no polling.
 */
class Changes {
    private val lock = ReentrantLock()
    private val changed = lock.newCondition()

    fun signal() = lock.withLock { changed.signalAll() }

    /** Waits up to [seconds] for [condition] (over what the phones recorded); fails with [what]. */
    fun await(what: String, seconds: Long = 20, condition: () -> Boolean) = lock.withLock {
        var left = TimeUnit.SECONDS.toNanos(seconds)
        while (!condition()) {
            check(left > 0) { "timed out after $seconds s waiting for $what" }
            left = changed.awaitNanos(left)
        }
    }
}
