package org.videochat.app.logic

import java.net.URI
import java.net.URISyntaxException

/**
 * The relay as the user types it (`relay.example.org`, `https://relay.example.org`,
 * `ws://10.0.2.2:8080/ws`), turned into the two addresses the app needs: the WebSocket URL the
 * core connects to and the web page a browser opens to join the same room.
 */
data class RelayAddress(
    /** `ws://host[:port]/ws` or `wss://host[:port]/ws`. */
    val webSocketUrl: String,
    /** `http(s)://host[:port]/`, the relay's web client. */
    val webPageUrl: String,
) {
    /** The link that opens [room] in a browser (the web client reads `?room=`). */
    fun roomLink(room: String): String = "$webPageUrl?room=$room"

    companion object {
        /** The relay's WebSocket path (the protocol crate's `WS_PATH`). */
        const val WS_PATH = "/ws"

        /**
         * Parses what the user typed. No scheme means TLS (`wss`/`https`), since phones reach
         * relays over the internet; `http`/`ws` stay plain (a LAN or an emulator's `10.0.2.2`).
         * Returns null for anything that is not a host with an optional port and path.
         */
        fun parse(typed: String): RelayAddress? {
            val text = typed.trim()
            if (text.isEmpty() || text.any { it.isWhitespace() }) return null
            val withScheme = if ("://" in text) text else "https://$text"
            val uri = try {
                URI(withScheme)
            } catch (e: URISyntaxException) {
                return null
            }
            val secure = when (uri.scheme?.lowercase()) {
                "https", "wss" -> true
                "http", "ws" -> false
                else -> return null
            }
            val host = uri.host ?: return null
            val hostPart = if (':' in host && !host.startsWith("[")) "[$host]" else host
            val authority = if (uri.port == -1) hostPart else "$hostPart:${uri.port}"
            // A path other than the WebSocket path is where the web page lives (a relay behind a
            // reverse proxy at /video/, say); the WebSocket sits under it.
            val base = (uri.rawPath ?: "").removeSuffix(WS_PATH).trimEnd('/')
            val ws = if (secure) "wss" else "ws"
            val http = if (secure) "https" else "http"
            return RelayAddress("$ws://$authority$base$WS_PATH", "$http://$authority$base/")
        }
    }
}
