package org.videochat.app.logic

/**
 * One STUN or TURN URL as RFC 7064 and RFC 7065 write them: `stun:host[:port]`,
 * `turn:host[:port][?transport=udp|tcp]`, `turns:host[:port][?transport=tcp]`, where host is a
 * name, an IPv4 address or a bracketed IPv6 address. No `//`: browsers refuse `turn://host`.
 */
data class IceServerUrl(val scheme: Scheme, val host: String, val port: Int?, val transport: Transport?) {
    enum class Scheme(val prefix: String) {
        STUN("stun"),
        TURN("turn"),
        TURNS("turns"),
    }

    enum class Transport { UDP, TCP }

    val isTurn: Boolean get() = scheme != Scheme.STUN

    /** TURN over UDP: the only kind this app's WebRTC stack (webrtc-rs) allocates. */
    val isTurnOverUdp: Boolean get() = scheme == Scheme.TURN && transport != Transport.TCP

    /** The URL in its written form, scheme in lower case. */
    override fun toString(): String = buildString {
        append(scheme.prefix).append(':').append(host)
        if (port != null) append(':').append(port)
        if (transport != null) append("?transport=").append(transport.name.lowercase())
    }

    companion object {
        private val HOST_NAME = Regex("""[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?""")
        private val IPV6 = Regex("""\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*]""")

        /** The URL in [text], or a sentence saying what is wrong with it. */
        fun parse(text: String): Result {
            val url = text.trim()
            if (url.isEmpty()) return Result.Invalid("The URL is empty.")
            if (url.any { it.isWhitespace() }) return Result.Invalid("$url: a URL has no spaces.")
            val colon = url.indexOf(':')
            val scheme = Scheme.entries.firstOrNull { colon > 0 && it.prefix.equals(url.substring(0, colon), ignoreCase = true) }
                ?: return Result.Invalid("$url: start with turn:, turns: or stun:.")
            val rest = url.substring(colon + 1)
            if (rest.startsWith("//")) return Result.Invalid("$url: write ${scheme.prefix}:host without //.")
            val hostPort = rest.substringBefore('?')
            val query = if ('?' in rest) rest.substringAfter('?') else null
            val transport = when {
                query == null -> null
                scheme == Scheme.STUN -> return Result.Invalid("$url: a stun: URL takes no ?transport.")
                query.equals("transport=udp", ignoreCase = true) -> Transport.UDP
                query.equals("transport=tcp", ignoreCase = true) -> Transport.TCP
                else -> return Result.Invalid("$url: the only option is ?transport=udp or ?transport=tcp.")
            }
            val (host, portText) = splitHostPort(hostPort) ?: return Result.Invalid("$url: the host is missing or not valid.")
            val port = if (portText == null) {
                null
            } else {
                portText.toIntOrNull()?.takeIf { it in 1..65535 && portText.all(Char::isDigit) }
                    ?: return Result.Invalid("$url: the port must be a number from 1 to 65535.")
            }
            return Result.Valid(IceServerUrl(scheme, host, port, transport))
        }

        /** host and optional port text, or null when the host is not a name, IPv4 or [IPv6]. */
        private fun splitHostPort(text: String): Pair<String, String?>? {
            if (text.startsWith("[")) {
                val end = text.indexOf(']')
                if (end < 0) return null
                val host = text.substring(0, end + 1)
                val after = text.substring(end + 1)
                if (!IPV6.matches(host)) return null
                return when {
                    after.isEmpty() -> host to null
                    after.startsWith(":") -> host to after.substring(1)
                    else -> null
                }
            }
            val host = text.substringBefore(':')
            val port = if (':' in text) text.substringAfter(':') else null
            if (host.length > 253 || !HOST_NAME.matches(host)) return null
            return host to port
        }
    }

    sealed class Result {
        data class Valid(val url: IceServerUrl) : Result()

        data class Invalid(val problem: String) : Result()
    }
}
