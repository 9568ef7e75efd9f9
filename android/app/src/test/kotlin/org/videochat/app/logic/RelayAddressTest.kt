package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test

class RelayAddressTest {
    @Test
    fun `a bare host means a TLS relay on the internet`() {
        val relay = RelayAddress.parse("relay.example.org")!!
        assertEquals("wss://relay.example.org/ws", relay.webSocketUrl)
        assertEquals("https://relay.example.org/", relay.webPageUrl)
    }

    @Test
    fun `plain http and ws stay plain with their port`() {
        assertEquals("ws://10.0.2.2:8080/ws", RelayAddress.parse("http://10.0.2.2:8080")!!.webSocketUrl)
        assertEquals("ws://192.168.1.20:8080/ws", RelayAddress.parse("ws://192.168.1.20:8080/ws")!!.webSocketUrl)
        assertEquals("http://192.168.1.20:8080/", RelayAddress.parse("ws://192.168.1.20:8080/ws")!!.webPageUrl)
    }

    @Test
    fun `a relay under a path keeps its path`() {
        val relay = RelayAddress.parse("https://example.org/video/")!!
        assertEquals("wss://example.org/video/ws", relay.webSocketUrl)
        assertEquals("https://example.org/video/", relay.webPageUrl)
    }

    @Test
    fun `ipv6 literals keep their brackets`() {
        assertEquals("ws://[::1]:8080/ws", RelayAddress.parse("http://[::1]:8080")!!.webSocketUrl)
    }

    @Test
    fun `the share link opens the room on the relay's web page`() {
        assertEquals(
            "https://relay.example.org/?room=abc",
            RelayAddress.parse("relay.example.org")!!.roomLink("abc"),
        )
    }

    @Test
    fun `nonsense is refused rather than guessed`() {
        assertNull(RelayAddress.parse(""))
        assertNull(RelayAddress.parse("two words"))
        assertNull(RelayAddress.parse("ftp://example.org"))
        assertNull(RelayAddress.parse("https://"))
    }
}
