package org.videochat.app.logic

/** Where the call screen is, as far as our camera is concerned. */
enum class ScreenPresence {
    /** On screen: the camera may run. */
    SHOWN,

    /**
     * Between two screens: rotation rebuilds it, or a new call's screen is about to show. The
     * camera waits, but the peer is not told for so short a gap (no "Camera off" flash).
     */
    REBUILDING,

    /** Left for the background (Home, another app, screen off): the camera pauses and the peer is told. */
    BACKGROUND,
    ;

    companion object {
        /** The screen stopped: only a rebuild ([changingConfigurations], e.g. rotation) is not leaving. */
        fun afterStop(changingConfigurations: Boolean): ScreenPresence = if (changingConfigurations) REBUILDING else BACKGROUND
    }
}

/**
 * Whether our camera runs and whether the peer is told our video is on, as Signal, WhatsApp and
 * FaceTime do it: in the background the camera pauses and the peer shows "Camera off" instead
 * of a frozen picture; back on screen both resume, unless the person turned video off, which
 * [LocalControls.videoEnabled] keeps.
 */
data class LocalVideo(val cameraRuns: Boolean, val peerToldVideoOn: Boolean) {
    companion object {
        /**
         * [cameraBroken]: a camera failure is shown; [hasCamera]: a camera was found at all;
         * [callOver]: the call ended (its screen may be shown again, the camera must not).
         */
        fun of(
            controls: LocalControls,
            cameraBroken: Boolean,
            hasCamera: Boolean,
            presence: ScreenPresence,
            callOver: Boolean = false,
        ): LocalVideo {
            val wanted = controls.cameraAllowed && controls.videoEnabled && !cameraBroken && hasCamera && !callOver
            return LocalVideo(
                cameraRuns = wanted && presence == ScreenPresence.SHOWN,
                peerToldVideoOn = wanted && presence != ScreenPresence.BACKGROUND,
            )
        }
    }
}
