package org.videochat.app

import java.util.concurrent.TimeUnit
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.videochat.app.logic.Rooms
import org.videochat.app.logic.SwitchDecision
import org.videochat.core.CallState
import org.videochat.core.CameraFacing
import org.videochat.core.EndReason

/**
 * The app's call logic driving the real core through the generated bindings, two phones meeting
 * through a real relay process on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CameraSwitchDuringCallTest {
    private lateinit var relay: Relay

    @BeforeAll
    fun startRelay() {
        relay = Relay()
    }

    @AfterAll
    fun stopRelay() {
        relay.close()
    }

    @Test
    fun `tap switch while a call runs - the core gets the other camera's frames, no renegotiation, the remote sees them upright`() {
        val room = Rooms.newRoomId()
        val changes = Changes() // both phones signal here; waitFor re-checks on each signal
        fun waitFor(what: String, condition: () -> Boolean) = changes.await(what, condition = condition)
        TestPhone(relay.webSocketUrl, room, CameraFacing.USER, changes).use { alice ->
            TestPhone(relay.webSocketUrl, room, CameraFacing.ENVIRONMENT, changes).use { bob ->
                waitFor("both connected") { CallState.Connected in alice.states && CallState.Connected in bob.states }

                val front = SyntheticCamera(CameraFacing.USER).uprightSize
                val rear = SyntheticCamera(CameraFacing.ENVIRONMENT).uprightSize
                assertEquals(360 to 640, front) // portrait: the phone is held upright
                waitFor("bob sees alice's front camera upright") {
                    bob.seen.count { it.width to it.height == front && it.topIsBright } >= 5
                }

                // A tap, then an accidental second tap at once: one switch, no flip back.
                val tap = alice.tapSwitch()
                val doubleTap = alice.tapSwitch()
                assertEquals(SwitchDecision.Start(CameraFacing.USER, CameraFacing.ENVIRONMENT), tap)
                assertTrue(doubleTap is SwitchDecision.Ignored, "$doubleTap")

                waitFor("bob sees alice's rear camera upright") {
                    bob.seen.count { it.width to it.height == rear && it.topIsBright } >= 5
                }
                waitFor("the switch to finish") { !alice.switcher.switching }
                assertTrue(alice.framesSentPerFacing.getValue(CameraFacing.ENVIRONMENT).get() > 0)
                assertEquals(CameraFacing.ENVIRONMENT, alice.switcher.facing)
                // Once the rear camera's pictures arrive, the front camera's stop.
                val firstRear = bob.seen.indexOfFirst { it.width to it.height == rear }
                assertTrue(bob.seen.drop(firstRear).none { it.width to it.height == front }, "front frames after the switch")

                // No renegotiation: from Connected on, neither side went anywhere else.
                for (phone in listOf(alice, bob)) {
                    val sinceConnected = phone.states.drop(phone.states.indexOf(CallState.Connected))
                    assertEquals(listOf<CallState>(CallState.Connected), sinceConnected.distinct(), "${phone.states}")
                }
                assertTrue(alice.errors.isEmpty() && bob.errors.isEmpty(), "${alice.errors} ${bob.errors}")

                alice.hangUp()
                waitFor("both ended") {
                    CallState.Ended(EndReason.HUNG_UP) in alice.states && CallState.Ended(EndReason.PEER_LEFT) in bob.states
                }
            }
        }
    }

    @Test
    fun `a closed controller takes no more frames and delivers no more events`() {
        val phone = TestPhone(relay.webSocketUrl, Rooms.newRoomId(), CameraFacing.USER)
        phone.changes.await("waiting for a peer") { CallState.WaitingForPeer in phone.states }
        val posters = phone.postingThreads.toList()
        assertTrue(posters.isNotEmpty(), "the core's delivery thread posted the states")
        phone.close()
        val statesAtClose = phone.states.size
        assertEquals(false, phone.controller.sendCameraFrame(SyntheticCamera(CameraFacing.USER).image(), 270, 1))
        phone.controller.close() // twice is harmless
        // Events reach the phone only as tasks its main thread runs, posted by the core's delivery
        // thread. close() ended that thread, and shut the main thread down: once it has run what
        // was queued (dropped, the controller being closed), no event can come any more.
        posters.forEach { it.join(5_000) }
        assertTrue(posters.none { it.isAlive }, "the delivery thread ended with close(): $posters")
        assertTrue(phone.main.awaitTermination(5, TimeUnit.SECONDS), "the main thread ran what was queued")
        assertEquals(statesAtClose, phone.states.size)
    }
}
