package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.ConnectionQuality
import org.videochat.core.EndReason
import org.videochat.core.QualitySample

class QualityViewTest {
    private fun stats(quality: ConnectionQuality?, sample: QualitySample = SAMPLE) = CallStats(
        videoFramesSent = 900u, videoFramesDropped = 0u, videoFramesReceived = 880u, keyFramesSent = 2u,
        keyFrameRequestsSent = 0u, audioPacketsSent = 1500u, audioPacketsReceived = 1490u, audioPacketsLost = 3u,
        videoPacketsReceived = 4000u, videoPacketsLost = 12u, mediaBytesReceived = 2_000_000u, videoFreezes = 4u,
        audioFramesConcealed = 1u, videoTargetBitrateBps = 1_250_000u, remoteWidth = 640u, remoteHeight = 480u,
        offersCreated = 1u, answersCreated = 0u, connectedAfterMs = 800u, firstFrameAfterMs = 950u,
        quality = quality, measured = sample,
    )

    @Test
    fun `each verdict has the web client's words, its bars and its own colour`() {
        val good = QualityView.badge(ConnectionQuality.GOOD)
        val weak = QualityView.badge(ConnectionQuality.WEAK)
        val poor = QualityView.badge(ConnectionQuality.POOR)
        assertEquals(listOf("Good connection", "Weak connection", "Poor connection"), listOf(good, weak, poor).map { it.words })
        assertEquals(listOf("▂▄▆ Good connection", "▂▄ Weak connection", "▂ Poor connection"), listOf(good, weak, poor).map { it.text })
        assertEquals(3, setOf(good.color, weak.color, poor.color).size)
    }

    @Test
    fun `the badge shows the verdict while connected and reconnecting`() {
        assertEquals("Good connection", QualityView.of(CallState.Connected, stats(ConnectionQuality.GOOD), false).badge?.words)
        assertEquals("Poor connection", QualityView.of(CallState.Reconnecting, stats(ConnectionQuality.POOR), false).badge?.words)
    }

    @Test
    fun `no verdict, no stats yet, or no live call hides the badge`() {
        assertNull(QualityView.of(CallState.Connected, stats(quality = null), false).badge)
        assertEquals(QualityView.HIDDEN, QualityView.of(CallState.Connected, null, true))
        assertEquals(QualityView.HIDDEN, QualityView.of(CallState.WaitingForPeer, stats(quality = null), true))
        // The report sent as the call closes can still carry the last second's verdict.
        assertEquals(QualityView.HIDDEN, QualityView.of(CallState.Ended(EndReason.PEER_LEFT), stats(ConnectionQuality.GOOD), true))
    }

    @Test
    fun `the stats view shows the raw numbers in the web client's words only when opened`() {
        assertNull(QualityView.of(CallState.Connected, stats(ConnectionQuality.WEAK), statsOpen = false).statsLines)
        val lines = QualityView.of(CallState.Connected, stats(ConnectionQuality.WEAK), statsOpen = true).statsLines
        assertEquals(
            listOf(
                "round trip   43 ms",
                "loss         2.5 %",
                "received     1187 kbit/s",
                "frame rate   29 fps",
                "freezes      1 (4 in all)",
                "remote size  640x480",
                "video target 1250 kbit/s",
            ),
            lines,
        )
    }

    @Test
    fun `a round trip not measured yet and no remote picture are said as such`() {
        val lines = QualityView.lines(stats(ConnectionQuality.GOOD, SAMPLE.copy(rttMs = null)).copy(remoteWidth = 0u, remoteHeight = 0u))
        assertEquals("round trip   ? ms", lines[0])
        assertEquals("remote size  none", lines[5])
    }

    @Test
    fun `a call screen carries the quality of its stats, so a re-attached screen shows the same`() {
        val open = CallScreen.of(CallState.Connected, stats = stats(ConnectionQuality.GOOD), statsOpen = true)
        assertEquals(QualityView.of(CallState.Connected, stats(ConnectionQuality.GOOD), true), open.quality)
        assertNotEquals(null, open.quality.statsLines)
        assertEquals(QualityView.HIDDEN, CallScreen.of(CallState.Connected).quality)
    }

    private companion object {
        val SAMPLE = QualitySample(rttMs = 42.6, lossPercent = 2.46, receivedKbps = 1187.4, fps = 29.4, freezes = 1u, videoExpected = true)
    }
}
