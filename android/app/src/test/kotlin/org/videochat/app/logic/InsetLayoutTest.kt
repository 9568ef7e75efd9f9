package org.videochat.app.logic

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class InsetLayoutTest {
    // A portrait phone: 80 px status bar, 130 px gesture navigation bar, a punch-hole cutout.
    private val bars = Edges(top = 80, bottom = 130)
    private val punchHole = Edges(top = 100)

    @Test
    fun `the safe area keeps clear of both the bars and the cutout`() {
        assertEquals(Edges(0, 100, 0, 130), InsetLayout.safe(bars, punchHole))
        // Landscape: the cutout is on a side the bars do not cover.
        assertEquals(Edges(120, 0, 130, 60), InsetLayout.safe(Edges(right = 130, bottom = 60), Edges(left = 120)))
    }

    @Test
    fun `the button bar sits above the navigation bar and beside a side cutout`() {
        val safe = InsetLayout.safe(Edges(right = 130), Edges(left = 120))
        assertEquals(Edges(136, 16, 146, 16), InsetLayout.controlsPadding(safe, 16))
        assertEquals(Edges(16, 16, 16, 146), InsetLayout.controlsPadding(InsetLayout.safe(bars, punchHole), 16))
    }

    @Test
    fun `without insets, blocks keep only their margin`() {
        assertEquals(Edges(16, 16, 16, 16), InsetLayout.padded(Edges.NONE, 16))
    }

    @Test
    fun `the start form stays above the keyboard, and above the navigation bar without it`() {
        val keyboard = Edges(bottom = 900)
        assertEquals(Edges(32, 132, 32, 932), InsetLayout.formPadding(bars, punchHole, keyboard, 32))
        assertEquals(Edges(32, 132, 32, 162), InsetLayout.formPadding(bars, punchHole, Edges.NONE, 32))
    }

    @Test
    fun `the self-view is a third of the short side wide at the picture's aspect`() {
        val size = InsetLayout.selfViewSize(1080, 2400, 720, 1280, InsetLayout.safe(bars, punchHole), 48, 200)
        assertEquals(360 to 640, size)
    }

    @Test
    fun `in a short window (split screen) a portrait self-view shrinks to fit between the top and the buttons`() {
        val safe = InsetLayout.safe(Edges(top = 40), Edges(left = 120))
        val (width, height) = InsetLayout.selfViewSize(2400, 600, 720, 1280, safe, 48, 200)
        assertEquals(600 - 40 - 48 - 200 - 48, height)
        assertEquals(height * 720 / 1280, width)
        assertTrue(width < 600 / 3)
    }
}
