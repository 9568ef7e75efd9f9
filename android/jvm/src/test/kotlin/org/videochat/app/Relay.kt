package org.videochat.app

import java.io.File
import java.util.concurrent.TimeUnit

/**
 * A real relay process (`videochat-server --listen 127.0.0.1:0`) for one test class. Its first
 * stdout line is `listening on http://ADDR`; the WebSocket is at `ws://ADDR/ws`.
 */
class Relay : AutoCloseable {
    private val process: Process
    val webSocketUrl: String

    init {
        val binary = System.getProperty("videochat.server") ?: error("-Dvideochat.server is not set (run android/test.sh)")
        check(File(binary).canExecute()) { "$binary is missing: build it with `cargo build -p videochat-server`" }
        process = ProcessBuilder(binary, "--listen", "127.0.0.1:0")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val first = process.inputStream.bufferedReader().readLine()
            ?: error("the relay exited before announcing its address")
        val address = Regex("listening on https?://(\\S+)").find(first)?.groupValues?.get(1)
            ?: error("unexpected first line from the relay: $first")
        webSocketUrl = "ws://$address/ws"
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
