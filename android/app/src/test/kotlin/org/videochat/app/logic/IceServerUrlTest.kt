package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import org.videochat.app.logic.IceServerUrl.Scheme
import org.videochat.app.logic.IceServerUrl.Transport

class IceServerUrlTest {
    private fun valid(text: String) = (IceServerUrl.parse(text) as IceServerUrl.Result.Valid).url

    @Test
    fun `the parts of a TURN URL are read`() {
        assertEquals(IceServerUrl(Scheme.TURN, "turn.example.org", 3478, Transport.UDP), valid("turn:turn.example.org:3478?transport=udp"))
        assertEquals(IceServerUrl(Scheme.TURNS, "turn.example.org", null, null), valid("TURNS:turn.example.org"))
        assertEquals(IceServerUrl(Scheme.STUN, "stun.l.google.com", 19302, null), valid("stun:stun.l.google.com:19302"))
        assertEquals(IceServerUrl(Scheme.TURN, "192.0.2.7", 3478, null), valid("turn:192.0.2.7:3478"))
        assertEquals(IceServerUrl(Scheme.TURN, "[2001:db8::1]", 3478, Transport.TCP), valid("turn:[2001:db8::1]:3478?transport=tcp"))
    }

    @Test
    fun `a URL is written back with its scheme in lower case`() {
        assertEquals("turn:Turn.Example.org:3478?transport=udp", valid(" TURN:Turn.Example.org:3478?TRANSPORT=UDP ").toString())
    }

    @ParameterizedTest
    @ValueSource(
        strings = [
            "turn.example.org:3478", // no scheme
            "http://turn.example.org", // wrong scheme
            "turn://turn.example.org", // browsers refuse the //
            "turn:", // no host
            "turn::3478", // no host
            "turn:turn.example.org:0",
            "turn:turn.example.org:65536",
            "turn:turn.example.org:port",
            "turn:turn.example.org?transport=sctp",
            "turn:turn.example.org?foo=bar",
            "stun:stun.example.org?transport=udp", // STUN has no transport
            "turn:bad_host.example.org",
            "turn:-bad.example.org",
            "turn:[2001:db8::1", // unclosed bracket
            "turn:[not-ipv6]:3478",
            "turn:turn.example .org",
        ],
    )
    fun `malformed URLs are refused with a reason`(text: String) {
        val result = IceServerUrl.parse(text)
        assertTrue(result is IceServerUrl.Result.Invalid, "$text -> $result")
    }

    @Test
    fun `only plain TURN over UDP counts as usable by this app`() {
        assertTrue(valid("turn:t.example.org").isTurnOverUdp)
        assertTrue(valid("turn:t.example.org?transport=udp").isTurnOverUdp)
        assertEquals(false, valid("turn:t.example.org?transport=tcp").isTurnOverUdp)
        assertEquals(false, valid("turns:t.example.org:443").isTurnOverUdp)
    }
}
