package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.videochat.core.IceServer

class TurnSettingsTest {
    private fun check(urls: String, username: String = "", credential: String = "") =
        TurnSettings.check(TurnSettings(urls, username, credential))

    @Test
    fun `nothing typed adds no server`() {
        assertEquals(TurnCheck.Valid(emptyList(), emptyList()), check(" \n "))
    }

    @Test
    fun `TURN URLs become one server with the user name and credential`() {
        val result = check("turn:t.example.org:3478\n turn:t.example.org:3478?transport=udp ", " alice ", "s3cret")
        assertEquals(
            TurnCheck.Valid(listOf(IceServer(listOf("turn:t.example.org:3478", "turn:t.example.org:3478?transport=udp"), "alice", "s3cret")), emptyList()),
            result,
        )
    }

    @Test
    fun `STUN URLs go in a server of their own, without credentials`() {
        val result = check("turn:t.example.org, stun:s.example.org:3478", "alice", "s3cret") as TurnCheck.Valid
        assertEquals(listOf(IceServer(listOf("stun:s.example.org:3478"), null, null)), result.servers.filter { it.username == null })
        assertEquals(listOf("turn:t.example.org"), result.servers.single { it.username == "alice" }.urls)
    }

    @Test
    fun `a TURN server without its user name or credential is refused`() {
        assertTrue(check("turn:t.example.org", username = "alice") is TurnCheck.Invalid)
        assertTrue(check("turn:t.example.org", credential = "s3cret") is TurnCheck.Invalid)
    }

    @Test
    fun `credentials without a TURN URL are refused, as a mistyped scheme is likely`() {
        assertTrue(check("stun:s.example.org", "alice", "s3cret") is TurnCheck.Invalid)
        assertTrue(check("", "alice", "s3cret") is TurnCheck.Invalid)
    }

    @Test
    fun `the first bad URL is named`() {
        val result = check("turn:t.example.org\nturn://x.example.org", "alice", "s3cret")
        assertTrue((result as TurnCheck.Invalid).problem.startsWith("turn://x.example.org"))
    }

    @Test
    fun `TCP and TLS TURN URLs are kept but the person is told this app skips them`() {
        val result = check("turn:t.example.org?transport=tcp\nturns:t.example.org:443\nturn:t.example.org", "a", "b") as TurnCheck.Valid
        assertEquals(3, result.servers.single().urls.size)
        assertEquals(2, result.notes.size)
        assertTrue(result.notes.all { "UDP only" in it })
    }

    @Test
    fun `the settings never print their credential`() {
        val text = TurnSettings("turn:t.example.org", "alice", "s3cret").toString()
        assertFalse("s3cret" in text)
        assertTrue("alice" in text)
    }
}
