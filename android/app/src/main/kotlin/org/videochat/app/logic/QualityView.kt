package org.videochat.app.logic

import java.util.Locale
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.ConnectionQuality

/** The connection-quality badge: the core's verdict in the web client's words, signal bars and a colour. */
data class QualityBadge(
    /** "Good connection", "Weak connection" or "Poor connection". */
    val words: String,
    /** 3, 2 or 1 of [QualityView.BARS]. */
    val bars: Int,
    /** ARGB, the web client's colours: green, yellow, red. */
    val color: Int,
) {
    /** What the badge reads, bars first, e.g. "▂▄▆ Good connection". */
    val text: String
        get() = "${QualityView.BARS.take(bars)} $words"
}

/**
 * The call screen's connection quality, from the call's latest [CallStats]: a badge while the
 * call is connected (hidden before, after, and until the core has a verdict) and, when the
 * person opened it, a stats view with the numbers behind the verdict.
 */
data class QualityView(
    /** Null hides the badge. */
    val badge: QualityBadge?,
    /** The stats view's lines; null hides it (closed, or no call to measure). */
    val statsLines: List<String>?,
) {
    companion object {
        val HIDDEN = QualityView(badge = null, statsLines = null)

        /** Signal bars, lowest first. */
        const val BARS = "▂▄▆"

        /** [stats] is the call's latest report (null before the first), [statsOpen] the person's choice. */
        fun of(state: CallState, stats: CallStats?, statsOpen: Boolean): QualityView {
            // The last report of an ended call may still carry a verdict: only a live call has one.
            val inCall = state == CallState.Connected || state == CallState.Reconnecting
            if (!inCall || stats == null) return HIDDEN
            return QualityView(
                badge = stats.quality?.let(::badge),
                statsLines = if (statsOpen) lines(stats) else null,
            )
        }

        fun badge(quality: ConnectionQuality): QualityBadge = when (quality) {
            ConnectionQuality.GOOD -> QualityBadge("Good connection", 3, 0xFF81C995.toInt())
            ConnectionQuality.WEAK -> QualityBadge("Weak connection", 2, 0xFFFDD663.toInt())
            ConnectionQuality.POOR -> QualityBadge("Poor connection", 1, 0xFFF28B82.toInt())
        }

        /** The raw numbers, one per line in a fixed-width column (the web client's stats panel, plus our side). */
        fun lines(stats: CallStats): List<String> {
            val m = stats.measured
            val remoteSize = if (stats.remoteWidth == 0u) "none" else "${stats.remoteWidth}x${stats.remoteHeight}"
            return listOf(
                line("round trip", "${m.rttMs?.let { Math.round(it) } ?: "?"} ms"),
                line("loss", "${String.format(Locale.ROOT, "%.1f", m.lossPercent)} %"),
                line("received", "${Math.round(m.receivedKbps)} kbit/s"),
                line("frame rate", "${Math.round(m.fps)} fps"),
                // The second's count is what the verdict used; the call's total says whether it keeps happening.
                line("freezes", "${m.freezes} (${stats.videoFreezes} in all)"),
                line("remote size", remoteSize),
                line("video target", "${stats.videoTargetBitrateBps / 1000u} kbit/s"),
            )
        }

        private fun line(label: String, value: String) = label.padEnd(LABEL_WIDTH) + value

        private const val LABEL_WIDTH = 13
    }
}
