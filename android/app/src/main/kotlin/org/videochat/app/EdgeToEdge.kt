package org.videochat.app

import android.app.Activity
import android.os.Build
import android.view.View
import android.view.WindowInsets
import android.view.WindowManager
import org.videochat.app.logic.Edges

/**
 * Lays a window out edge to edge and reports what the system draws over it, for
 * [org.videochat.app.logic.InsetLayout] to keep controls clear of.
 *
 * Android 15+ does this to every app targeting SDK 35+; doing it from Android 11 (API 30, where
 * `WindowInsets.Type` arrived) gives one behaviour to test. Older systems keep laying the window
 * out inside the bars, so they report no insets.
 */
object EdgeToEdge {
    /** What covers the window, in pixels from each edge. */
    data class Covered(val systemBars: Edges, val cutout: Edges, val ime: Edges) {
        companion object {
            val NOTHING = Covered(Edges.NONE, Edges.NONE, Edges.NONE)
        }
    }

    /**
     * Draws [activity]'s window behind the bars (and the cutout when [intoCutout]) and calls
     * [onInsets] on the main thread whenever what covers [root] changes (rotation, keyboard).
     */
    fun apply(activity: Activity, root: View, intoCutout: Boolean, onInsets: (Covered) -> Unit) {
        if (Build.VERSION.SDK_INT < Build.VERSION_CODES.R) {
            onInsets(Covered.NOTHING)
            return
        }
        activity.window.setDecorFitsSystemWindows(false)
        if (intoCutout) {
            activity.window.attributes = activity.window.attributes.apply {
                layoutInDisplayCutoutMode = WindowManager.LayoutParams.LAYOUT_IN_DISPLAY_CUTOUT_MODE_ALWAYS
            }
        }
        root.setOnApplyWindowInsetsListener { _, insets ->
            onInsets(
                Covered(
                    systemBars = edges(insets.getInsets(WindowInsets.Type.systemBars())),
                    cutout = edges(insets.getInsets(WindowInsets.Type.displayCutout())),
                    ime = edges(insets.getInsets(WindowInsets.Type.ime())),
                ),
            )
            insets
        }
        root.requestApplyInsets()
    }

    private fun edges(i: android.graphics.Insets) = Edges(i.left, i.top, i.right, i.bottom)
}
