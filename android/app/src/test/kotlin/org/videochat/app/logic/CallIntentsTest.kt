package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class CallIntentsTest {
    private val running = CallTarget("kitchen", "wss://relay.example.org/ws")

    @Test
    fun `the same room again only brings the call to the front`() {
        assertEquals(NewIntentAction.ShowCall, NewIntentAction.of(running, false, CallTarget("kitchen", "wss://relay.example.org/ws")))
        // A share names the room without the relay.
        assertEquals(NewIntentAction.ShowCall, NewIntentAction.of(running, false, CallTarget("kitchen")))
    }

    @Test
    fun `an intent without a room, such as the notification, only brings the call to the front`() {
        assertEquals(NewIntentAction.ShowCall, NewIntentAction.of(running, false, null))
    }

    @Test
    fun `another room during a call tells the person instead of starting a second call`() {
        val action = NewIntentAction.of(running, false, CallTarget("garden"))
        assertTrue(action is NewIntentAction.TellCallRunning)
        val message = (action as NewIntentAction.TellCallRunning).message
        assertTrue("kitchen" in message && "garden" in message)
    }

    @Test
    fun `the same room on another relay is another call`() {
        val action = NewIntentAction.of(running, false, CallTarget("kitchen", "ws://10.0.2.2:8080/ws"))
        assertTrue(action is NewIntentAction.TellCallRunning)
    }

    @Test
    fun `once the call has ended, a new call starts`() {
        val wanted = CallTarget("garden", "wss://relay.example.org/ws")
        assertEquals(NewIntentAction.StartNewCall(wanted), NewIntentAction.of(running, true, wanted))
        assertEquals(NewIntentAction.StartNewCall(wanted), NewIntentAction.of(null, false, wanted))
    }

    @Test
    fun `a share without a relay cannot start a call by itself`() {
        assertEquals(NewIntentAction.ShowCall, NewIntentAction.of(running, true, CallTarget("garden")))
    }
}
