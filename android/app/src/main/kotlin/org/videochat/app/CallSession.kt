package org.videochat.app

import android.content.Context
import android.os.Handler
import android.os.Looper
import android.os.SystemClock
import android.util.Log
import org.videochat.app.logic.CallScreen
import org.videochat.app.logic.CameraSwitcher
import org.videochat.app.logic.LocalControls
import org.videochat.app.logic.PreviewPixels
import org.videochat.app.logic.SwitchDecision
import org.videochat.core.CallConfig
import org.videochat.core.CallException
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.CameraFacing
import org.videochat.core.MediaState
import org.videochat.core.FrameFormat
import org.videochat.core.VideoSettings

/**
 * One call with its camera, audio and local choices, kept in the process (not in an Activity)
 * so that rotating the phone or leaving the app for a moment does not drop it. The call screen
 * [attach]es to it when shown and [detach]es when destroyed; [leave] frees everything.
 *
 * Main thread only, except where a callback says otherwise.
 */
class CallSession private constructor(
    context: Context,
    relayUrl: String,
    room: String,
    withVideo: Boolean,
) : CallEvents, CameraCapturer.Events {
    /** What the attached screen shows; called on the main thread whenever something changes. */
    fun interface ScreenListener {
        fun show(screen: CallScreen)
    }

    private val app = context.applicationContext
    private val camera = CameraCapturer(app, ::onCameraFrame, this)
    private val available = if (withVideo) camera.availableFacings() else emptySet()
    private val switcher = CameraSwitcher(available, CameraFacing.USER) { SystemClock.elapsedRealtime() }
    private val controller = CallController(
        CallConfig(
            relayUrl = relayUrl,
            room = room,
            iceServers = org.videochat.core.defaultIceServers(),
            video = VideoSettings(),
            remoteVideoFormat = FrameFormat.RGBA,
        ),
        switcher.facing,
        { Handler(Looper.getMainLooper()).post(it) },
        this,
    )
    private val audio = AudioIo { controller.sendAudio(it) }
    private val router = AudioRouter(app, videoCall = withVideo)
    private val preview = PreviewPixels()

    private var controls = LocalControls(cameraAllowed = withVideo && available.isNotEmpty(), canSwitchCamera = available.size > 1)
    private var lastError: CallException? = null
    private var remoteMedia: MediaState = CallScreen.BOTH_ON
    private var visible = false
    private var listener: ScreenListener? = null

    @Volatile
    private var selfView: VideoRenderer? = null

    /** The room of this call. */
    val room: String = room

    init {
        controller.audioSink = audio
        // Call mode first: AudioRecord and AudioTrack take their processing (echo
        // cancellation, the voice path) from the mode in force when they are created.
        router.start()
        audio.start()
    }

    /** The screen as it should look now. */
    fun screen(): CallScreen = CallScreen.of(controller.state, controls, lastError, remoteMedia)

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

    /** The screen became visible ([isVisible] true) or hidden: the camera runs only while visible. */
    fun setVisible(isVisible: Boolean, displayDegrees: Int) {
        visible = isVisible
        camera.displayDegrees = displayDegrees
        if (isVisible && controls.cameraAllowed && controls.videoEnabled) camera.start(switcher.facing) else camera.stop()
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

    fun toggleMute() {
        controls = controls.copy(muted = !controls.muted)
        controller.setMuted(controls.muted)
        publish()
    }

    fun toggleVideo() {
        controls = controls.copy(videoEnabled = !controls.videoEnabled)
        controller.setVideoEnabled(controls.videoEnabled)
        if (controls.videoEnabled && visible) camera.start(switcher.facing) else camera.stop()
        if (!controls.videoEnabled) selfView?.clear()
        publish()
    }

    fun hangUp() = controller.hangUp()

    /** Ends the call and frees the camera, audio devices and the core's call. */
    fun leave() {
        if (current === this) current = null
        detach()
        camera.release()
        audio.stop()
        router.stop()
        controller.close()
    }

    // Camera thread.
    private fun onCameraFrame(image: org.videochat.app.logic.YuvImage, rotation: Int, mirror: Boolean, timestampUs: Long) {
        controller.sendCameraFrame(image, rotation, timestampUs)
        val view = selfView ?: return
        preview.convert(image)
        view.renderArgb(preview.argb, preview.width, preview.height, rotation, mirror)
    }

    override fun onCameraStarted(facing: CameraFacing) {
        if (facing == switcher.facing) switcher.switchSucceeded()
        updateControls()
    }

    override fun onCameraFailed(facing: CameraFacing, reason: String) {
        if (switcher.switching && facing == switcher.facing) {
            // Put the previous camera back, as AVCam does, so the call keeps a picture.
            val previous = CameraSwitcher.other(facing)
            switcher.switchFailed(previous)
            controller.setCameraFacing(previous)
            if (visible) camera.start(previous)
        }
        lastError = null
        updateControls()
    }

    override fun onStateChanged(state: CallState) {
        if (state is CallState.Ended || state is CallState.Failed) {
            camera.stop()
            audio.stop()
            router.stop()
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

    override fun onStats(stats: CallStats) {}

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

        /**
         * Starts a call, replacing none: an existing call is returned as is.
         * @throws CallException.InvalidConfig for a relay URL or room the core rejects.
         */
        fun start(context: Context, relayUrl: String, room: String, withVideo: Boolean): CallSession =
            current ?: CallSession(context, relayUrl, room, withVideo).also { current = it }
    }
}
