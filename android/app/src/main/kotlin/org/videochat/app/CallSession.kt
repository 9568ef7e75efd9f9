package org.videochat.app

import android.content.Context
import android.os.Handler
import android.os.Looper
import android.os.SystemClock
import android.util.Log
import org.videochat.app.logic.CallAudioFocus
import org.videochat.app.logic.CallScreen
import org.videochat.app.logic.CallTarget
import org.videochat.app.logic.CameraFailure
import org.videochat.app.logic.CameraProblem
import org.videochat.app.logic.CameraSwitcher
import org.videochat.app.logic.ExistingCall
import org.videochat.app.logic.FocusEvent
import org.videochat.app.logic.LocalControls
import org.videochat.app.logic.LocalVideo
import org.videochat.app.logic.PreviewPixels
import org.videochat.app.logic.ScreenPresence
import org.videochat.app.logic.SwitchDecision
import org.videochat.app.logic.YuvImage
import org.videochat.core.CallConfig
import org.videochat.core.CallException
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.CameraFacing
import org.videochat.core.FrameFormat
import org.videochat.core.IceServer
import org.videochat.core.MediaState
import org.videochat.core.VideoSettings

/**
 * One call with its camera, audio and local choices, kept in the process (not in an Activity)
 * so that rotating the phone or leaving the app for a moment does not drop it. The call screen
 * [attach]es to it when shown and [detach]es when destroyed; [leave] frees everything. While
 * it runs, [CallService] keeps the process in the foreground.
 *
 * Main thread only, except where a callback says otherwise.
 */
class CallSession private constructor(
    context: Context,
    relayUrl: String,
    room: String,
    withVideo: Boolean,
    iceServers: List<IceServer>,
) : CallEvents, CameraCapturer.Events {
    /** What the attached screen shows; called on the main thread whenever something changes. */
    fun interface ScreenListener {
        fun show(screen: CallScreen)
    }

    private val app = context.applicationContext
    private val camera = CameraCapturer(app, ::onCameraFrame, this)
    private val inventory = if (withVideo) camera.inventory() else CameraCapturer.Inventory(emptySet(), null)
    private var available = inventory.facings
    private var switcher = newSwitcher()
    private val controller = CallController(
        CallConfig(
            relayUrl = relayUrl,
            room = room,
            iceServers = iceServers,
            video = VideoSettings(),
            remoteVideoFormat = FrameFormat.RGBA,
        ),
        switcher.facing,
        { Handler(Looper.getMainLooper()).post(it) },
        this,
    )
    private val audio = AudioIo { controller.sendAudio(it) }
    private val focus = CallAudioFocus()
    private val router = AudioRouter(app, videoCall = withVideo, ::onFocus)
    private val orientation = OrientationSensor(app) { camera.heldDegrees = it }
    private val preview = PreviewPixels()

    private var controls = LocalControls(cameraAllowed = withVideo, canSwitchCamera = available.size > 1)
    private var cameraProblem: CameraProblem? = inventory.failure?.let(CameraProblem::of)
    private var lastError: CallException? = null
    private var remoteMedia: MediaState = CallScreen.BOTH_ON
    private var lastStats: CallStats? = null
    private var statsOpen = false
    private var presence = ScreenPresence.REBUILDING
    private var listener: ScreenListener? = null

    @Volatile
    private var selfView: VideoRenderer? = null

    /** The call as an intent names it (room and relay). */
    val target = CallTarget(room, relayUrl)

    init {
        controller.audioSink = audio
        // Call mode first: AudioRecord and AudioTrack take their processing (echo
        // cancellation, the voice path) from the mode in force when they are created.
        router.start()
        audio.start()
        tellPeerWhetherVideoFlows()
        CallService.start(app, room, camera = withVideo)
    }

    /** The screen as it should look now. */
    fun screen(): CallScreen =
        CallScreen.of(controller.state, controls, lastError, remoteMedia, cameraProblem, focus.audio.interrupted, lastStats, statsOpen)

    /** A call screen is shown: draw into these views and report to [screenListener]. */
    fun attach(remote: VideoRenderer, self: VideoRenderer, screenListener: ScreenListener) {
        controller.videoSink = RemoteVideoSink { remote.renderRemote(it) }
        selfView = self
        listener = screenListener
        publish()
    }

    /** The call screen is going away (rotation, back stack): stop drawing into its views. */
    fun detach() {
        controller.videoSink = null
        selfView = null
        listener = null
    }

    /**
     * The screen was shown, rebuilt or left for the background: the camera runs only while it
     * is shown, and the peer hears "camera off" while it is in the background ([LocalVideo]).
     */
    fun setPresence(now: ScreenPresence, displayDegrees: Int) {
        presence = now
        camera.displayDegrees = displayDegrees
        if (now == ScreenPresence.SHOWN) {
            orientation.start(displayDegrees)
            // The person left for the app that took the audio and came back to talk.
            if (focus.shouldRequestAgain && !screen().finished) router.requestFocus()
        } else {
            orientation.stop()
        }
        runCameraIfWanted()
        tellPeerWhetherVideoFlows()
    }

    /** The display turned (including the 180 degree turns that do not recreate the Activity). */
    fun setDisplayDegrees(degrees: Int) {
        camera.displayDegrees = degrees
    }

    fun switchCamera() {
        when (val decision = switcher.requestSwitch()) {
            is SwitchDecision.Start -> {
                controller.setCameraFacing(decision.to)
                camera.switchTo(decision.to)
            }
            is SwitchDecision.Ignored -> Log.d(TAG, "switch ignored: ${decision.reason}")
        }
        updateControls()
    }

    /** "Retry" after a camera failure: list the cameras again if there were none, then open one. */
    fun retryCamera() {
        if (available.isEmpty()) {
            val again = camera.inventory()
            available = again.facings
            switcher = newSwitcher()
            controller.setCameraFacing(switcher.facing)
            again.failure?.let { return cameraFailed(it) }
        }
        cameraProblem = null
        runCameraIfWanted()
        updateControls()
    }

    fun toggleMute() {
        controls = controls.copy(muted = !controls.muted)
        controller.setMuted(focus.setUserMuted(controls.muted).micMuted)
        publish()
    }

    fun toggleVideo() {
        controls = controls.copy(videoEnabled = !controls.videoEnabled)
        // Turning video on again is a retry of a camera that failed.
        if (controls.videoEnabled && available.isNotEmpty()) cameraProblem = null
        tellPeerWhetherVideoFlows()
        runCameraIfWanted()
        if (!controls.videoEnabled) selfView?.clear()
        publish()
    }

    /** Long press: show or hide the numbers behind the quality badge (kept across rotation). */
    fun toggleStats() {
        statsOpen = !statsOpen
        publish()
    }

    fun hangUp() = controller.hangUp()

    /** Ends the call and frees the camera, audio devices, the core's call and the foreground service. */
    fun leave() {
        if (current === this) current = null
        detach()
        orientation.stop()
        camera.release()
        audio.stop()
        router.stop()
        controller.close()
        CallService.stop(app)
    }

    // Camera thread.
    private fun onCameraFrame(image: YuvImage, sendRotation: Int, previewRotation: Int, mirror: Boolean, timestampUs: Long) {
        controller.sendCameraFrame(image, sendRotation, timestampUs)
        val view = selfView ?: return
        preview.convert(image)
        view.renderArgb(preview.argb, preview.width, preview.height, previewRotation, mirror)
    }

    override fun onCameraStarted(facing: CameraFacing) {
        if (facing == switcher.facing) switcher.switchSucceeded()
        cameraProblem = null
        tellPeerWhetherVideoFlows()
        updateControls()
    }

    override fun onCameraFailed(facing: CameraFacing, failure: CameraFailure, reason: String) {
        if (switcher.switching && facing == switcher.facing) {
            // Put the previous camera back, as AVCam does, so the call keeps a picture.
            val previous = CameraSwitcher.other(facing)
            switcher.switchFailed(previous)
            controller.setCameraFacing(previous)
            if (presence == ScreenPresence.SHOWN) camera.start(previous)
            updateControls()
            return
        }
        cameraFailed(failure)
    }

    override fun onStateChanged(state: CallState) {
        if (state is CallState.Ended || state is CallState.Failed) {
            orientation.stop()
            camera.stop()
            audio.stop()
            router.stop()
            CallService.stop(app)
        }
        publish()
    }

    override fun onError(error: CallException) {
        lastError = error
        publish()
    }

    override fun onRemoteMediaChanged(state: MediaState) {
        remoteMedia = state
        publish()
    }

    override fun onStats(stats: CallStats) {
        val before = screen().quality
        lastStats = stats
        // About once a second: redraw only when the badge or the open stats view changes.
        if (screen().quality != before) publish()
    }

    /** The camera cannot deliver: say so on screen, and tell the peer our video is off meanwhile. */
    private fun cameraFailed(failure: CameraFailure) {
        cameraProblem = CameraProblem.of(failure)
        camera.stop()
        tellPeerWhetherVideoFlows()
        selfView?.clear()
        updateControls()
    }

    private fun onFocus(event: FocusEvent) {
        val now = focus.on(event)
        controller.setMuted(now.micMuted)
        audio.playbackPaused = !now.playing
        publish()
    }

    private fun video() = LocalVideo.of(
        controls,
        cameraBroken = cameraProblem != null,
        hasCamera = available.isNotEmpty(),
        presence = presence,
        callOver = screen().finished,
    )

    private fun runCameraIfWanted() {
        if (video().cameraRuns) camera.start(switcher.facing) else camera.stop()
    }

    /** The peer sees "Camera off" rather than a frozen picture while the camera is off, broken or paused. */
    private fun tellPeerWhetherVideoFlows() {
        controller.setVideoEnabled(video().peerToldVideoOn)
    }

    private fun newSwitcher() = CameraSwitcher(available, CameraFacing.USER) { SystemClock.elapsedRealtime() }

    private fun updateControls() {
        controls = controls.copy(switchingCamera = switcher.switching, canSwitchCamera = available.size > 1)
        publish()
    }

    private fun publish() {
        listener?.show(screen())
    }

    companion object {
        private const val TAG = "CallSession"

        /** The call in progress, if any (main thread). */
        var current: CallSession? = null
            private set

        /** The call this process holds, for a call screen being created. */
        fun existing(): ExistingCall = when {
            current == null -> ExistingCall.NONE
            current?.screen()?.finished == true -> ExistingCall.ENDED
            else -> ExistingCall.LIVE
        }

        /** Frees a call that is over but still held (its screen went away without Leave). */
        fun dropEnded() {
            current?.takeIf { it.screen().finished }?.leave()
        }

        /**
         * Starts a call, replacing only an ended one: a running call is returned as is. Call
         * while the call screen is in the foreground (the foreground service must start then).
         * @throws CallException.InvalidConfig for a relay URL or room the core rejects.
         */
        fun start(context: Context, relayUrl: String, room: String, withVideo: Boolean, iceServers: List<IceServer>): CallSession {
            dropEnded()
            return current ?: CallSession(context, relayUrl, room, withVideo, iceServers).also { current = it }
        }
    }
}
