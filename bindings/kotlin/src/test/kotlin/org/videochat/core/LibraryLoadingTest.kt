package org.videochat.core

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class LibraryLoadingTest {
    @Test
    fun `the native library loads and reports its version`() {
        val version = coreVersion()
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(version), "version was '$version'")
    }

    @Test
    fun `the default ICE servers are the public STUN server the web client uses`() {
        val servers = defaultIceServers()
        assertEquals(listOf("stun:stun.l.google.com:19302"), servers.single().urls)
        assertEquals(null, servers.single().username)
    }

    @Test
    fun `logging can be initialised more than once`() {
        initLogging(LogLevel.INFO)
        initLogging(LogLevel.ERROR)
    }
}
