package org.videochat.app.logic

import org.videochat.core.CameraFacing

/** What a tap on "switch camera" leads to. */
sealed class SwitchDecision {
    /** Close the current camera and open the one facing [to]. */
    data class Start(val from: CameraFacing, val to: CameraFacing) : SwitchDecision()

    /** Nothing to do, and why. */
    data class Ignored(val reason: Reason) : SwitchDecision()

    enum class Reason {
        /** A switch is still in flight. */
        IN_FLIGHT,

        /** The last switch started less than the debounce interval ago (a double tap). */
        DEBOUNCED,

        /** The device has no camera facing the other way. */
        NO_OTHER_CAMERA,
    }
}

/**
 * The rules for switching cameras, without the camera: which facing comes next, one switch at a
 * time, and taps closer than [debounceMillis] to the last accepted one are ignored (a fast double
 * tap would otherwise open and close a camera for nothing, the usual cause of a frozen or black
 * switch).
 *
 * Not thread-safe: call it from one thread (the main thread in the app).
 *
 * @param available the facings the device has cameras for.
 * @param clock milliseconds from any monotonic origin (`SystemClock.elapsedRealtime` in the app).
 */
class CameraSwitcher(
    private val available: Set<CameraFacing>,
    initial: CameraFacing,
    private val debounceMillis: Long = DEFAULT_DEBOUNCE_MILLIS,
    private val clock: () -> Long,
) {
    /** The facing that is running, or was asked for last. */
    var facing: CameraFacing = if (initial in available || available.isEmpty()) initial else available.first()
        private set

    /** A switch has started and not yet finished or failed. */
    var switching: Boolean = false
        private set

    private var lastStartMillis: Long? = null

    /** Whether a tap now could start a switch (for enabling the button). */
    val canSwitch: Boolean
        get() = !switching && other(facing) in available

    /** A tap on the button. On [SwitchDecision.Start] the caller switches and later reports back. */
    fun requestSwitch(): SwitchDecision {
        val target = other(facing)
        if (target !in available) return SwitchDecision.Ignored(SwitchDecision.Reason.NO_OTHER_CAMERA)
        if (switching) return SwitchDecision.Ignored(SwitchDecision.Reason.IN_FLIGHT)
        val now = clock()
        val last = lastStartMillis
        if (last != null && now - last < debounceMillis) {
            return SwitchDecision.Ignored(SwitchDecision.Reason.DEBOUNCED)
        }
        lastStartMillis = now
        switching = true
        val from = facing
        facing = target
        return SwitchDecision.Start(from, target)
    }

    /** The new camera delivered its first frame. */
    fun switchSucceeded() {
        switching = false
    }

    /**
     * The new camera could not be opened: the caller reopens [previous], which becomes the
     * facing again (as AVCam puts the old input back).
     */
    fun switchFailed(previous: CameraFacing) {
        switching = false
        facing = previous
    }

    companion object {
        /** Long enough to swallow a double tap, short enough not to feel ignored. */
        const val DEFAULT_DEBOUNCE_MILLIS = 600L

        /** The facing on the other side of the phone. */
        fun other(facing: CameraFacing): CameraFacing =
            if (facing == CameraFacing.USER) CameraFacing.ENVIRONMENT else CameraFacing.USER
    }
}
