package org.videochat.app.logic

/** Distances in pixels from each edge of the window (what `android.graphics.Insets` holds). */
data class Edges(val left: Int = 0, val top: Int = 0, val right: Int = 0, val bottom: Int = 0) {
    /** The larger of the two on each side: both must be kept clear. */
    fun union(other: Edges) = Edges(
        maxOf(left, other.left),
        maxOf(top, other.top),
        maxOf(right, other.right),
        maxOf(bottom, other.bottom),
    )

    /** [px] more on every side. */
    operator fun plus(px: Int) = Edges(left + px, top + px, right + px, bottom + px)

    companion object {
        val NONE = Edges()
    }
}

/**
 * Edge-to-edge layout (target SDK 35+ draws every window behind the status bar, the navigation
 * bar and the display cutout): the videos fill the whole window, while buttons, texts, the
 * self-view and the start screen's form keep clear of whatever the system draws over it.
 */
object InsetLayout {
    /** What must stay clear: system bars and the display cutout, each side the larger of both. */
    fun safe(systemBars: Edges, cutout: Edges): Edges = systemBars.union(cutout)

    /** Padding that keeps a block [margin] px inside the safe area on every side. */
    fun padded(safe: Edges, margin: Int): Edges = safe + margin

    /** The start screen's form: inside the safe area and above the keyboard ([ime]), which covers the navigation bar when up. */
    fun formPadding(systemBars: Edges, cutout: Edges, ime: Edges, margin: Int): Edges =
        padded(safe(systemBars, cutout).union(Edges(bottom = ime.bottom)), margin)

    /** The bottom button bar: its sides and bottom clear of the bars, its top just [margin] from the buttons. */
    fun controlsPadding(safe: Edges, margin: Int): Edges =
        Edges(safe.left + margin, margin, safe.right + margin, safe.bottom + margin)

    /**
     * The self-view box for a [pictureWidth] x [pictureHeight] upright picture in a
     * [windowWidth] x [windowHeight] window: a third of the window's short side wide at the
     * picture's aspect, but never taller than the room between the safe top (plus [margin]) and
     * the button bar ([controlsHeight], plus [margin]); then narrower to keep the aspect.
     */
    fun selfViewSize(
        windowWidth: Int,
        windowHeight: Int,
        pictureWidth: Int,
        pictureHeight: Int,
        safe: Edges,
        margin: Int,
        controlsHeight: Int,
    ): Pair<Int, Int> {
        val pw = pictureWidth.coerceAtLeast(1)
        val ph = pictureHeight.coerceAtLeast(1)
        val width = minOf(windowWidth, windowHeight) / 3
        val height = width * ph / pw
        val room = windowHeight - safe.top - margin - controlsHeight - margin
        if (height <= room) return width.coerceAtLeast(1) to height.coerceAtLeast(1)
        val fitted = room.coerceAtLeast(1)
        return (fitted * pw / ph).coerceAtLeast(1) to fitted
    }
}
