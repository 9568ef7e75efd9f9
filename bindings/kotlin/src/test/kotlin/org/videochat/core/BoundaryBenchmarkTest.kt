package org.videochat.core

import com.sun.jna.Native
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Tag
import org.junit.jupiter.api.Test
import java.util.UUID

/**
 * What crossing the boundary costs for one 720p frame, each way. Not in the default run:
 *
 *     bindings/build.sh --release && cargo build --release -p videochat-server && \
 *       mvn -q -f bindings/kotlin/pom.xml test -Pbenchmark -Dcargo.profile=release
 *
 * Prints its figures; asserts only that they are sane.
 */
@Tag("benchmark")
class BoundaryBenchmarkTest {
    private val width = 1280
    private val height = 720

    @Test
    fun `handing a 720p camera frame to the core`() {
        val planes = I420Planes.moving(width, height, 0)
        val expected = (width * height * 3 / 2).toULong()
        val handoff = timeEach(warmup = 1_000, runs = 20_000) {
            check(measureFrameHandoff(planes.y, planes.u, planes.v) == expected)
        }
        report("Kotlin -> core, 720p I420 as 3 direct ByteBuffers (&[u8], no copy)", handoff)

        Relay.start().use { relay ->
            val config = CallConfig(relayUrl = relay.wsUrl, room = "bench-" + UUID.randomUUID().toString().take(8), iceServers = emptyList(), remoteVideoFormat = FrameFormat.RGBA, includeLoopback = true)
            Call(config, RecordingListener()).use { call ->
                var ts = 0L
                val send = timeEach(warmup = 100, runs = 1_000) {
                    call.sendVideoI420(planes.y, planes.u, planes.v, width.toUInt(), (width / 2).toUInt(), (width / 2).toUInt(), width.toUInt(), height.toUInt(), 0u, ts)
                    ts += 33_333
                }
                report("Call.sendVideoI420 720p, rotation 0 (crossing + the core's one upright copy)", send)
                val rotated = timeEach(warmup = 50, runs = 500) {
                    call.sendVideoI420(planes.y, planes.u, planes.v, width.toUInt(), (width / 2).toUInt(), (width / 2).toUInt(), width.toUInt(), height.toUInt(), 90u, ts)
                    ts += 33_333
                }
                report("Call.sendVideoI420 720p, rotation 90", rotated)
            }
        }
        assertTrue(handoff.p50 > 0 && handoff.p50 < 10_000, "sane handoff time")
    }

    @Test
    fun `handing a 720p remote frame to Kotlin`() {
        val app = ByteArray(width * height * 4) // the app's own pixel store (a Bitmap's, say)
        fun listener(stayAttached: Boolean, read: (RemoteVideoFrame) -> Unit) = object : CallListener by RecordingListener() {
            override fun onRemoteVideoFrame(frame: RemoteVideoFrame) {
                if (stayAttached) Native.detach(false)
                frame.use(read)
            }
        }
        val inPlace: (RemoteVideoFrame) -> Unit = { it.pixels().get(app, 0, it.byteLen().toInt()) }
        val cases = listOf(
            Triple("RGBA, read in place via pixels() into the app's buffer", FrameFormat.RGBA, listener(true, inPlace)),
            Triple("I420, read in place via pixels() into the app's buffer", FrameFormat.I420, listener(true, inPlace)),
            Triple("RGBA, copied out with toBytes() (ByteArray)", FrameFormat.RGBA, listener(true) { check(it.toBytes().size == app.size) }),
            Triple("RGBA, in place, thread detached after every callback (JNA default)", FrameFormat.RGBA, listener(false, inPlace)),
            Triple("I420, callback that only closes the frame (pure crossing)", FrameFormat.I420, listener(true) { }),
            Triple("I420, only closes, thread detached after every callback (JNA default)", FrameFormat.I420, listener(false) { }),
        )
        for ((label, format, l) in cases) {
            measureFrameDelivery(l, width.toUInt(), height.toUInt(), format, 30u) // warm-up
            val r = measureFrameDelivery(l, width.toUInt(), height.toUInt(), format, 300u)
            println("core -> Kotlin, 720p $label: build %.0f us (p50), callback p50 %.0f us, p95 %.0f us".format(r.prepareUsP50, r.deliverUsP50, r.deliverUsP95))
            assertTrue(r.deliverUsP50 > 0 && r.listenerFailures == 0u)
        }
    }

    private class Timing(val p50: Double, val p95: Double)

    private fun timeEach(warmup: Int, runs: Int, body: () -> Unit): Timing {
        repeat(warmup) { body() }
        val samples = DoubleArray(runs) {
            val t0 = System.nanoTime()
            body()
            (System.nanoTime() - t0) / 1_000.0
        }
        samples.sort()
        return Timing(samples[runs / 2], samples[runs * 95 / 100])
    }

    private fun report(label: String, t: Timing) = println("%s: p50 %.1f us, p95 %.1f us".format(label, t.p50, t.p95))
}
