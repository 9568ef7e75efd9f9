package org.videochat.app

import android.content.Context
import android.view.OrientationEventListener
import org.videochat.app.logic.HeldOrientation

/**
 * Follows how the phone is held through the accelerometer (`OrientationEventListener`), so the
 * sent picture stays upright with auto-rotate off. Reports [HeldOrientation.degrees] to
 * [onChange] on the main thread when it changes, and once on [start].
 *
 * Main thread only.
 */
class OrientationSensor(context: Context, private val onChange: (heldDegrees: Int) -> Unit) {
    private var held = HeldOrientation()

    private val listener = object : OrientationEventListener(context) {
        override fun onOrientationChanged(orientation: Int) {
            if (held.onReading(orientation)) onChange(held.degrees)
        }
    }

    /** Starts listening, assuming the phone is held as the display is turned until the sensor says otherwise. */
    fun start(displayDegrees: Int) {
        held = HeldOrientation(HeldOrientation.fromDisplayDegrees(displayDegrees))
        onChange(held.degrees)
        // No accelerometer (some tablets, TVs): the display's rotation is the best guess.
        if (listener.canDetectOrientation()) listener.enable()
    }

    fun stop() {
        listener.disable()
    }
}
