package org.videochat.app

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

    private fun waitFor(what: String, seconds: Long = 20, condition: () -> Boolean) {
        val deadline = System.nanoTime() + seconds * 1_000_000_000
        while (!condition()) {
            check(System.nanoTime() < deadline) { "timed out waiting for $what" }
            Thread.sleep(20)
        }
    }

    @Test
    fun `tap switch while a call runs - the core gets the other camera's frames, no renegotiation, the remote sees them upright`() {
        val room = Rooms.newRoomId()
        TestPhone(relay.webSocketUrl, room, CameraFacing.USER).use { alice ->
            TestPhone(relay.webSocketUrl, room, CameraFacing.ENVIRONMENT).use { bob ->
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
        waitFor("waiting for a peer") { CallState.WaitingForPeer in phone.states }
        phone.close()
        val statesAtClose = phone.states.size
        assertEquals(false, phone.controller.sendCameraFrame(SyntheticCamera(CameraFacing.USER).image(), 270, 1))
        phone.controller.close() // twice is harmless
        Thread.sleep(300)
        assertEquals(statesAtClose, phone.states.size)
    }
}
