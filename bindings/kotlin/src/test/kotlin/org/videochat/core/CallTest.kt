package org.videochat.core

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.util.UUID

/** Two Kotlin-driven calls through a real relay process, real codecs, real sockets on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallTest {
    private lateinit var relay: Relay

    @BeforeAll
    fun startRelay() {
        // webrtc-rs warns about harmless things during ICE; RUST_LOG=debug overrides this.
        initLogging(LogLevel.ERROR)
        relay = Relay.start()
    }

    @AfterAll
    fun stopRelay() = relay.close()

    private fun config(room: String, format: FrameFormat = FrameFormat.RGBA) = CallConfig(
        relayUrl = relay.wsUrl,
        room = room,
        iceServers = emptyList(),
        remoteVideoFormat = format,
        includeLoopback = true,
    )

    private fun newRoom() = "kt-" + UUID.randomUUID().toString().take(8)

    /** Alice and Bob in one room, both cameras running ([detailed] pictures, see [SyntheticCamera]); closes everything after [body]. */
    private fun withTwoCalls(
        aliceListener: RecordingListener = RecordingListener(),
        bobListener: RecordingListener = RecordingListener(),
        detailed: Boolean = false,
        body: (alice: Side, bob: Side) -> Unit,
    ) {
        val room = newRoom()
        Call(config(room, FrameFormat.RGBA), aliceListener).use { aliceCall ->
            Call(config(room, FrameFormat.I420), bobListener).use { bobCall ->
                SyntheticCamera(aliceCall, 320, 240, detailed).use { aliceCamera ->
                    SyntheticCamera(bobCall, 240, 320, detailed).use { bobCamera ->
                        val alice = Side(aliceCall, aliceListener, aliceCamera)
                        val bob = Side(bobCall, bobListener, bobCamera)
                        body(alice, bob)
                        assertEquals(null, aliceCamera.failure)
                        assertEquals(null, bobCamera.failure)
                    }
                }
            }
        }
        assertEquals(emptyList<String>(), aliceListener.problems + bobListener.problems)
    }

    class Side(val call: Call, val listener: RecordingListener, val camera: SyntheticCamera)

    @Test
    fun `two calls meet through the relay and exchange video and audio`() = withTwoCalls { alice, bob ->
        eventually("both connected") { alice.listener.hasState { it is CallState.Connected } && bob.listener.hasState { it is CallState.Connected } }
        eventually("30 video frames and 30 audio chunks each way") {
            listOf(alice, bob).all { it.listener.videoFrames.get() >= 30 && it.listener.audioChunks.get() >= 30 }
        }
        assertEquals(listOf(240 to 320), alice.listener.remoteSizes, "Alice sees Bob's camera")
        assertEquals(listOf(320 to 240), bob.listener.remoteSizes, "Bob sees Alice's camera")
        val stats = alice.call.stats()
        assertTrue(stats.videoFramesSent > 0uL && stats.audioPacketsSent > 0uL, "stats count what was sent: $stats")
        assertEquals(240u to 320u, stats.remoteWidth to stats.remoteHeight)
        eventually("stats arrive through the listener") { alice.listener.lastStats.get() != null }
        eventually("both sides finish the security-code exchange") {
            listOf(alice, bob).all { it.call.securityCode() is SecurityCode.Ready }
        }
        val code = (alice.call.securityCode() as SecurityCode.Ready).code
        assertTrue(Regex("""\d{3} \d{3}""").matches(code), "security code '$code'")
        assertEquals(SecurityCode.Ready(code), bob.call.securityCode(), "both sides read the same security code")
        assertTrue(alice.listener.states.first() is CallState.Connecting, "first state: ${alice.listener.states}")
    }

    @Test
    fun `a camera switch with a new size reaches the other side without renegotiation`() = withTwoCalls { alice, bob ->
        eventually("Bob decodes Alice's user camera") { bob.listener.videoFrames.get() >= 10 }
        assertEquals(CameraFacing.USER, alice.call.cameraFacing())
        val offersBefore = alice.call.stats().offersOrAnswers()

        val switchedAt = System.nanoTime()
        alice.call.setCameraFacing(CameraFacing.ENVIRONMENT)
        alice.camera.resize(640, 480)

        assertEquals(CameraFacing.ENVIRONMENT, alice.call.cameraFacing())
        assertFalse(mirrorsSelfView(CameraFacing.ENVIRONMENT))
        assertTrue(mirrorsSelfView(CameraFacing.USER))
        eventually("Bob sees the environment camera's 640x480") { bob.listener.remoteSizes.lastOrNull() == 640 to 480 }
        println("camera switch: first 640x480 frame at Bob after ${(bob.listener.lastFrameAtNanos - switchedAt) / 1_000_000} ms")
        assertEquals(listOf(320 to 240, 640 to 480), bob.listener.remoteSizes)
        assertEquals(offersBefore, alice.call.stats().offersOrAnswers(), "no new offer or answer")
    }

    private fun CallStats.offersOrAnswers() = offersCreated + answersCreated

    @Test
    fun `once connected the stats say the connection is good, with frames and a round trip`() = withTwoCalls(detailed = true) { alice, bob ->
        fun good(log: List<Pair<CallState?, CallStats>>) = log.firstOrNull { (state, stats) ->
            state == CallState.Connected && stats.quality == ConnectionQuality.GOOD &&
                stats.measured.fps > 0.0 && stats.measured.rttMs != null
        }
        try {
            eventually("both hear a good connection with frames and a measured round trip") {
                good(alice.listener.statsLog) != null && good(bob.listener.statsLog) != null
            }
        } catch (e: AssertionError) {
            val heard = alice.listener.statsLog.takeLast(3).map { (_, stats) -> "${stats.quality} ${stats.measured}" }
            throw AssertionError("${e.message}; Alice's last reports: $heard", e)
        }
        for (side in listOf(alice, bob)) {
            val measured = good(side.listener.statsLog)!!.second.measured
            // Both cameras on: the verdict counted frame rate and bitrate, not only the network.
            assertTrue(measured.videoExpected, "measured: $measured")
            assertTrue(measured.rttMs!! in 0.0..1_000.0, "round trip on loopback: ${measured.rttMs} ms")
        }
    }

    @Test
    fun `a call waiting alone in its room has no quality verdict`() {
        val listener = RecordingListener()
        Call(config(newRoom()), listener).use {
            eventually("a stats report while waiting for the other person") {
                listener.statsLog.any { (state, _) -> state == CallState.WaitingForPeer }
            }
        }
        val waiting = listener.statsLog.filter { (state, _) -> state == CallState.WaitingForPeer }.map { it.second }
        assertTrue(waiting.all { it.quality == null && it.measured.rttMs == null }, "stats while alone: $waiting")
    }

    @Test
    fun `hanging up ends the other side with PeerLeft`() = withTwoCalls { alice, bob ->
        eventually("both connected") { alice.listener.hasState { it is CallState.Connected } && bob.listener.hasState { it is CallState.Connected } }
        alice.call.hangUp()
        eventually("Bob's call ends with PeerLeft") { bob.listener.states.lastOrNull() == CallState.Ended(EndReason.PEER_LEFT) }
        eventually("Alice's call ends with HungUp") { alice.listener.states.lastOrNull() == CallState.Ended(EndReason.HUNG_UP) }
        assertThrows<CallException.CallEnded> { alice.call.sendAudio(directBuffer(1920)) }
        alice.call.hangUp() // twice is harmless
    }

    @Test
    fun `a listener that throws on every callback does not take the call down`() =
        withTwoCalls(bobListener = RecordingListener(throwEverywhere = true)) { alice, bob ->
            eventually("Bob keeps receiving despite throwing") { bob.listener.videoFrames.get() >= 20 && bob.listener.audioChunks.get() >= 20 }
            eventually("the failures are counted") { bob.call.listenerStats().failures >= 40uL }
            alice.call.hangUp()
            eventually("Bob still hears that Alice left") { bob.listener.states.lastOrNull() == CallState.Ended(EndReason.PEER_LEFT) }
        }

    @Test
    fun `callbacks of one call arrive on one long-lived thread`() = withTwoCalls { alice, _ ->
        eventually("many callbacks") { alice.listener.videoFrames.get() >= 20 && alice.listener.audioChunks.get() >= 20 }
        val threads = alice.listener.callbackThreads
        assertEquals(1, threads.size, "threads: $threads")
        assertTrue(threads.single() != Thread.currentThread())
    }

    @Test
    fun `a relay URL that is not a WebSocket URL is refused with a typed exception`() {
        val error = assertThrows<CallException.InvalidConfig> { Call(config("room").copy(relayUrl = "http://x"), RecordingListener()) }
        assertTrue(error.reason.contains("ws://"), error.reason)
    }

    @Test
    fun `an empty room is refused with a typed exception`() {
        assertThrows<CallException.InvalidConfig> { Call(config(""), RecordingListener()) }
    }

    @Test
    fun `bad video limits and ICE URLs are refused with typed exceptions`() {
        val badVideo = VideoSettings(minBitrateKbps = 3000u, maxBitrateKbps = 100u)
        assertThrows<CallException.InvalidConfig> { Call(config("room").copy(video = badVideo), RecordingListener()) }
        val badIce = listOf(IceServer(urls = listOf("http://stun.example")))
        assertThrows<CallException.InvalidConfig> { Call(config("room").copy(iceServers = badIce), RecordingListener()) }
    }

    @Test
    fun `frames with wrong sizes or rotations are refused with typed exceptions`() {
        Call(config(newRoom()), RecordingListener()).use { call ->
            val planes = I420Planes.moving(64, 48, 0)
            assertThrows<CallException.InvalidFrame> { call.sendVideoI420(planes.y, planes.u, planes.v, 64u, 32u, 32u, 64u, 480u, 0u, 0) }
            assertThrows<CallException.InvalidFrame> { call.sendVideoI420(planes.y, planes.u, planes.v, 64u, 32u, 32u, 64u, 48u, 45u, 0) }
            assertThrows<CallException.InvalidFrame> { call.sendAudio(directBuffer(100)) }
            call.sendVideoI420(planes.y, planes.u, planes.v, 64u, 32u, 32u, 64u, 48u, 90u, 0)
            val uv = directBuffer(64 * 24)
            call.sendVideoNv12(planes.y, uv, 64u, 64u, 64u, 48u, 270u, 1)
            assertThrows<CallException.InvalidFrame> { call.sendVideoNv12(planes.y, directBuffer(10), 64u, 64u, 64u, 48u, 0u, 2) }
        }
    }

    @Test
    fun `closing a call twice is safe and later use fails cleanly`() {
        val listener = RecordingListener()
        val call = Call(config(newRoom()), listener)
        eventually("the call reaches the relay") { listener.hasState { it is CallState.WaitingForPeer } }
        val deliveryThread = listener.callbackThreads.single()
        call.close()
        call.close()
        assertThrows<IllegalStateException> { call.stats() }
        val statesAtClose = listener.states.size
        // Every callback runs on this one thread (see the test above), and close() returns only
        // once it has ended: with it gone, no callback can follow.
        deliveryThread.join(5_000)
        assertFalse(deliveryThread.isAlive, "the delivery thread ended with close()")
        assertEquals(statesAtClose, listener.states.size, "no callback after close()")
    }

    @Test
    fun `when Alice mutes Bob hears silence, and her tone again when she unmutes`() = withTwoCalls { alice, bob ->
        val audio = { r: Received -> r is Received.Audio }
        val loud = { r: Received -> (r as Received.Audio).rms > LOUD_RMS }
        val quiet = { r: Received -> (r as Received.Audio).rms < QUIET_RMS }
        bob.listener.awaitRun("Bob hears Alice's tone for 500 ms", 25, counts = audio, holds = loud)

        val mutedAt = System.nanoTime()
        alice.call.setMuted(true)
        assertTrue(alice.call.isMuted())
        // What was already on its way may still carry the tone; then Bob's chunks must go quiet.
        val silence = bob.listener.awaitRun("Bob hears 500 ms of silence after Alice mutes", 25, sinceNanos = mutedAt, counts = audio, holds = quiet)
        println("muted: Bob's loudest chunk in 500 ms of silence has RMS ${silence.maxOf { (it as Received.Audio).rms }}")

        val unmutedAt = System.nanoTime()
        alice.call.setMuted(false)
        assertFalse(alice.call.isMuted())
        bob.listener.awaitRun("Bob hears Alice's tone again after she unmutes", 25, sinceNanos = unmutedAt, counts = audio, holds = loud)
        // Bob's app was told each change, so it can show "Muted" on Alice's tile.
        eventually("Bob is told Alice muted, then unmuted") {
            bob.listener.remoteMedia.toList() == listOf(MediaState(audio = false, video = true), MediaState(audio = true, video = true))
        }
        assertEquals(emptyList<MediaState>(), alice.listener.remoteMedia.toList(), "Bob never muted")
    }

    @Test
    fun `when Alice turns video off Bob's frames stop, and come back when she turns it on`() = withTwoCalls { alice, bob ->
        val video = { r: Received -> r is Received.Video }
        bob.listener.awaitRun("Bob decodes Alice's video", 10, counts = video) { true }

        val offAt = System.nanoTime()
        alice.call.setVideoEnabled(false)
        assertFalse(alice.call.isVideoEnabled())
        // Alice's camera keeps capturing and her audio keeps flowing, so Bob's audio is the clock:
        // 100 chunks (2 s of her audio; a frame comes every ~2 chunks while video is on) with no
        // picture among them. Frames already on their way start the run over.
        bob.listener.awaitRun("2 s of Alice's audio with no picture after she turns video off", 100, sinceNanos = offAt) { it is Received.Audio }

        val onAt = System.nanoTime()
        alice.call.setVideoEnabled(true)
        assertTrue(alice.call.isVideoEnabled())
        val back = bob.listener.awaitRun("Bob decodes Alice's video again after she turns it on", 10, sinceNanos = onAt, counts = video) { true }
        println("video on: Bob's first frame ${(back.first().atNanos - onAt) / 1_000_000} ms after it was turned on")
        val frame = back.last() as Received.Video
        assertEquals(320 to 240, frame.width to frame.height, "Alice's camera as before")
        eventually("Bob is told Alice's camera went off, then on") {
            bob.listener.remoteMedia.toList() == listOf(MediaState(audio = true, video = false), MediaState(audio = true, video = true))
        }
    }

    private companion object {
        /** SyntheticCamera's 440 Hz tone has amplitude 8000: RMS ~5,660. */
        const val LOUD_RMS = 2_000.0
        /** Opus-coded digital silence decodes to (near) zeros; this is ~49 dB below the tone. */
        const val QUIET_RMS = 20.0
    }
}
