package org.videochat.core

import java.io.File
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit

/** A real relay process (`videochat-server --listen 127.0.0.1:0`) for one test class. */
class Relay private constructor(private val process: Process, val wsUrl: String) : AutoCloseable {
    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }

    companion object {
        fun start(): Relay {
            val binary = System.getProperty("videochat.server")
                ?: error("system property videochat.server is not set (run through bindings/test.sh)")
            check(File(binary).canExecute()) { "$binary missing: build it with cargo build -p videochat-server" }
            val log = File("target/relay.log")
            val process = ProcessBuilder(binary, "--listen", "127.0.0.1:0")
                .redirectError(ProcessBuilder.Redirect.appendTo(log))
                .start()
            // The first stdout line is `listening on http://ADDR`; later lines are ignored.
            val firstLine = CompletableFuture.supplyAsync { process.inputStream.bufferedReader().readLine() }
            val line = try {
                firstLine.get(30, TimeUnit.SECONDS)
            } catch (e: Exception) {
                process.destroyForcibly()
                throw IllegalStateException("relay did not announce its address (see $log)", e)
            }
            val address = Regex("""listening on https?://(\S+)""").find(line ?: "")?.groupValues?.get(1)
                ?: error("unexpected first line from relay: $line")
            return Relay(process, "ws://$address/ws")
        }
    }
}
