package org.videochat.app

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.videochat.app.logic.Rooms
import org.videochat.app.logic.ScreenPresence
import org.videochat.core.CallState
import org.videochat.core.CameraFacing
import org.videochat.core.MediaState

/**
 * Leaving the call screen for the background, with the app's [LocalVideo][org.videochat.app.logic.LocalVideo]
 * rule wired as in `CallSession`, two phones through the real core and a real relay: the other
 * side is told the camera is off (and gets no frozen picture) while audio goes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallInBackgroundTest {
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
    fun `Home pauses the camera and the peer shows camera off while audio goes on, back resumes unless video was turned off`() {
        val room = Rooms.newRoomId()
        val changes = Changes()
        fun waitFor(what: String, condition: () -> Boolean) = changes.await(what, condition = condition)
        val off = MediaState(audio = true, video = false)
        val on = MediaState(audio = true, video = true)
        TestPhone(relay.webSocketUrl, room, CameraFacing.USER, changes).use { alice ->
            TestPhone(relay.webSocketUrl, room, CameraFacing.USER, changes).use { bob ->
                /** Waits for [chunks] more of Alice's audio at Bob (20 ms each) and returns the pictures Bob got meanwhile. */
                fun framesWhileBobHears(chunks: Int): Int {
                    val framesBefore = bob.seen.size
                    val audioBefore = bob.audioHeard.get()
                    waitFor("Bob hears ${chunks * 20} ms more of Alice") { bob.audioHeard.get() >= audioBefore + chunks }
                    return bob.seen.size - framesBefore
                }
                waitFor("both connected") { CallState.Connected in alice.states && CallState.Connected in bob.states }
                waitFor("Bob sees Alice") { bob.seen.size >= 5 }

                // A rotation rebuilds the screen: no "Camera off" flash at Bob.
                alice.setPresence(ScreenPresence.REBUILDING)
                alice.setPresence(ScreenPresence.SHOWN)
                framesWhileBobHears(25)
                assertEquals(emptyList<MediaState>(), bob.remoteMedia.toList(), "a rotation is not news to the peer")

                alice.setPresence(ScreenPresence.BACKGROUND)
                waitFor("Bob is told Alice's camera is off") { bob.remoteMedia.lastOrNull() == off }
                framesWhileBobHears(25) // what was already on its way
                assertEquals(0, framesWhileBobHears(50), "Bob gets no picture for 1 s of Alice's audio")

                alice.setPresence(ScreenPresence.SHOWN)
                waitFor("Bob is told Alice's camera is on again") { bob.remoteMedia.lastOrNull() == on }
                val framesBack = bob.seen.size
                waitFor("Bob sees Alice again") { bob.seen.size >= framesBack + 5 }

                // Video turned off by Alice herself stays off through Home and back.
                alice.tapVideo()
                waitFor("Bob is told Alice turned her camera off") { bob.remoteMedia.lastOrNull() == off }
                alice.setPresence(ScreenPresence.BACKGROUND)
                alice.setPresence(ScreenPresence.SHOWN)
                framesWhileBobHears(25)
                assertEquals(0, framesWhileBobHears(50), "Bob gets no picture after Alice came back with video off")
                assertEquals(listOf(off, on, off), bob.remoteMedia.toList())
            }
        }
    }
}
