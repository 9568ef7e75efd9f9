package org.videochat.app.logic

import org.videochat.core.CallException
import org.videochat.core.CallFailure
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.EndReason
import org.videochat.core.MediaState

/** What the local person has chosen, independent of the network. */
data class LocalControls(
    val muted: Boolean = false,
    val videoEnabled: Boolean = true,
    /** A camera switch is in flight (the button stays disabled until the new camera runs). */
    val switchingCamera: Boolean = false,
    /** There is a camera of the other facing to switch to. */
    val canSwitchCamera: Boolean = true,
    /** Camera permission was given; without it the call is audio-only. */
    val cameraAllowed: Boolean = true,
)

/** Everything the call screen shows, derived by [CallScreen.of]; the Activity only copies it into views. */
data class CallScreen(
    /** One line on what is happening, e.g. "Waiting for the other person". */
    val status: String,
    /** A second line with the reason or advice, or null. */
    val detail: String?,
    val switchCameraEnabled: Boolean,
    val muteEnabled: Boolean,
    val videoToggleEnabled: Boolean,
    val hangUpEnabled: Boolean,
    val muteLabel: String,
    val videoLabel: String,
    /** Show the remote picture (only while media flows or is being restored, and the other camera is on). */
    val showRemoteVideo: Boolean,
    /** Dim the remote picture: the last frame stays, dimmed, while the call is restored. */
    val dimRemoteVideo: Boolean,
    /** An avatar with "Camera off" instead of the remote picture: the other person turned the camera off. */
    val showRemoteCameraOff: Boolean,
    /** "Muted" on the remote tile: the other person muted the microphone. */
    val showRemoteMuted: Boolean,
    /** Show the self-view (video on and a camera allowed). */
    val showSelfView: Boolean,
    /** The call is over: the screen offers to leave and the screen may sleep again. */
    val finished: Boolean,
    /** What went wrong with the camera, shown where the self-view would be; null when nothing did. */
    val cameraProblem: String? = null,
    /** Offer "Retry" for the camera. */
    val showCameraRetry: Boolean = false,
    /** The connection-quality badge and, when opened, the stats view. */
    val quality: QualityView = QualityView.HIDDEN,
) {
    companion object {
        /** What a peer that has told nothing is doing: both on. */
        val BOTH_ON = MediaState(audio = true, video = true)

        /** Said while another app (a phone call) holds the audio. */
        const val AUDIO_PAUSED = "Call audio paused while another app uses the microphone and speaker."

        /**
         * The screen for [state] given the local choices, the last non-fatal [error], the
         * [remote] person's media, a [camera] that failed, whether another app holds the
         * audio ([audioInterrupted]), the call's latest [stats] and whether the person opened
         * the stats view ([statsOpen]).
         */
        fun of(
            state: CallState,
            controls: LocalControls = LocalControls(),
            error: CallException? = null,
            remote: MediaState = BOTH_ON,
            camera: CameraProblem? = null,
            audioInterrupted: Boolean = false,
            stats: CallStats? = null,
            statsOpen: Boolean = false,
        ): CallScreen {
            val finished = state is CallState.Ended || state is CallState.Failed
            val live = !finished
            val inCall = state == CallState.Connected || state == CallState.Reconnecting
            val (status, reason) = words(state)
            val audioNote = if (live && audioInterrupted) AUDIO_PAUSED else null
            val detail = reason ?: error?.let(::errorWords) ?: audioNote ?: cameraNote(controls)
            // A camera problem matters only while the person wants to be seen.
            val cameraTrouble = camera?.takeIf { live && controls.cameraAllowed && controls.videoEnabled }
            return CallScreen(
                status = status,
                detail = detail,
                switchCameraEnabled = live && controls.cameraAllowed && controls.videoEnabled &&
                    controls.canSwitchCamera && !controls.switchingCamera && cameraTrouble == null,
                muteEnabled = live,
                videoToggleEnabled = live && controls.cameraAllowed,
                hangUpEnabled = live,
                muteLabel = if (controls.muted) "Unmute" else "Mute",
                videoLabel = if (controls.videoEnabled && controls.cameraAllowed) "Video off" else "Video on",
                showRemoteVideo = inCall && remote.video,
                dimRemoteVideo = state == CallState.Reconnecting,
                showRemoteCameraOff = inCall && !remote.video,
                showRemoteMuted = inCall && !remote.audio,
                showSelfView = live && controls.cameraAllowed && controls.videoEnabled && cameraTrouble == null,
                finished = finished,
                cameraProblem = cameraTrouble?.message,
                showCameraRetry = cameraTrouble?.canRetry == true,
                quality = QualityView.of(state, stats, statsOpen),
            )
        }

        /** The state in words: a status line and, for the end of a call, why. */
        fun words(state: CallState): Pair<String, String?> = when (state) {
            CallState.Connecting -> "Connecting to the relay" to null
            CallState.WaitingForPeer -> "Waiting for the other person" to "Share the room name so they can join."
            CallState.Negotiating -> "Connecting" to null
            CallState.Connected -> "Connected" to null
            CallState.Reconnecting -> "Reconnecting..." to "The connection was interrupted; trying to restore it."
            is CallState.Ended -> "Call ended" to endWords(state.reason)
            is CallState.Failed -> "Call failed" to failureWords(state.failure)
        }

        /** Why a call ended, said to the person. */
        fun endWords(reason: EndReason): String = when (reason) {
            EndReason.HUNG_UP -> "You hung up."
            EndReason.PEER_LEFT -> "The other person left."
            EndReason.ROOM_FULL -> "This room is full: two people are already in it."
            EndReason.ICE_FAILED -> "The connection to the other person was lost (network changed or blocked)."
            EndReason.SIGNALING_LOST -> "No network: the relay could not be reached."
            EndReason.PEER_UNRESPONSIVE -> "The other person's app stopped responding."
        }

        /** What broke, said to the person (the developer detail goes to the log). */
        fun failureWords(failure: CallFailure): String = when (failure) {
            CallFailure.BadRoom -> "The relay refused this room name."
            is CallFailure.MalformedMessage -> "The other app sent something this app does not understand (update both apps)."
            CallFailure.IncompatiblePeer -> "The other app cannot take this call (update both apps)."
            CallFailure.Internal -> "This phone could not set the call up. Try again."
        }

        /** A non-fatal error in words. */
        fun errorWords(error: CallException): String = when (error) {
            is CallException.InvalidConfig -> "The relay address or room is not valid: ${error.reason}."
            is CallException.InvalidFrame -> "The camera delivered a picture the call cannot use."
            is CallException.CallEnded -> "The call has ended."
            is CallException.Failed -> failureWords(error.failure)
            is CallException.Internal -> "Something went wrong inside the app."
        }

        private fun cameraNote(controls: LocalControls): String? =
            if (!controls.cameraAllowed) "Camera not allowed: the other person hears you but cannot see you." else null
    }
}
