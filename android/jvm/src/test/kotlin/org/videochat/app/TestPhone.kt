package org.videochat.app

import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executor
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import java.util.concurrent.atomic.AtomicReference
import org.videochat.app.logic.CameraSwitcher
import org.videochat.app.logic.LocalControls
import org.videochat.app.logic.LocalVideo
import org.videochat.app.logic.ScreenPresence
import org.videochat.app.logic.SwitchDecision
import org.videochat.core.CallConfig
import org.videochat.core.CallException
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.CameraFacing
import org.videochat.core.MediaState
import org.videochat.core.FrameFormat
import org.videochat.core.pixels

/** What one remote picture looked like: its upright size and whether its top half is the bright one. */
data class SeenFrame(val width: Int, val height: Int, val topIsBright: Boolean)

/**
 * One phone in a test, wired like the app's `CallSession` minus Android: a [CallController] on a
 * single "main" thread, a [CameraSwitcher], and a capture thread feeding [SyntheticCamera]
 * frames at 30 fps (a switch closes one camera and opens the other on that thread, as
 * `CameraCapturer` does on its HandlerThread), plus 20 ms of audio every 20 ms. The camera runs
 * and the peer hears about our video as [LocalVideo] says, from the screen's presence and the
 * Video button. Whatever it records (states, errors, remote pictures and audio, the other side's
 * media, a finished switch) is signalled to [changes].
 */
class TestPhone(relayUrl: String, room: String, initial: CameraFacing, val changes: Changes = Changes()) : AutoCloseable, CallEvents {
    val main = Executors.newSingleThreadExecutor { Thread(it, "main") }
    /** The threads that posted call events to [main] (the core's delivery thread). */
    val postingThreads: MutableSet<Thread> = ConcurrentHashMap.newKeySet()
    private val ui = Executor { task ->
        postingThreads += Thread.currentThread()
        main.execute(task)
    }
    val states = CopyOnWriteArrayList<CallState>()
    val errors = CopyOnWriteArrayList<CallException>()
    val seen = CopyOnWriteArrayList<SeenFrame>()
    val remoteMedia = CopyOnWriteArrayList<MediaState>()
    /** Remote audio chunks played (20 ms each): the clock of a call whose video stopped. */
    val audioHeard = AtomicLong()
    val framesSentPerFacing = mapOf(CameraFacing.USER to AtomicLong(), CameraFacing.ENVIRONMENT to AtomicLong())

    val switcher = CameraSwitcher(setOf(CameraFacing.USER, CameraFacing.ENVIRONMENT), initial) { System.nanoTime() / 1_000_000 }
    val controller = CallController(
        CallConfig(relayUrl = relayUrl, room = room, remoteVideoFormat = FrameFormat.RGBA, includeLoopback = true),
        initial,
        ui,
        this,
    )

    /** The camera the capture thread reads; replaced on a switch (the old one is "closed"). */
    private val camera = AtomicReference(SyntheticCamera(initial))
    private val capture = Executors.newSingleThreadScheduledExecutor { Thread(it, "camera") }
    private val audioChunk = ByteBuffer.allocateDirect(1920).order(ByteOrder.nativeOrder())
    private var firstFrameAfterSwitch = false

    // Main thread, as in CallSession.
    private var controls = LocalControls()
    private var presence = ScreenPresence.SHOWN

    @Volatile
    private var cameraRuns = true

    init {
        controller.videoSink = RemoteVideoSink { frame ->
            val w = frame.width().toInt()
            val h = frame.height().toInt()
            val px = frame.pixels()
            fun meanRed(fromRow: Int, toRow: Int): Double {
                var sum = 0L
                var n = 0
                for (row in fromRow until toRow step 8) for (col in 0 until w step 8) {
                    sum += px.get((row * w + col) * 4).toInt() and 0xff
                    n++
                }
                return sum.toDouble() / n.coerceAtLeast(1)
            }
            seen += SeenFrame(w, h, meanRed(0, h / 2) > meanRed(h / 2, h) + 50)
            changes.signal()
        }
        controller.audioSink = RemoteAudioSink {
            audioHeard.incrementAndGet()
            changes.signal()
        }
        capture.scheduleAtFixedRate(::captureOne, 0, 33, TimeUnit.MILLISECONDS)
        capture.scheduleAtFixedRate({ controller.sendAudio(audioChunk.clear()) }, 0, 20, TimeUnit.MILLISECONDS)
    }

    private var timestampUs = 0L

    private fun captureOne() {
        if (!cameraRuns) return // closed, as CameraCapturer.stop does
        val cam = camera.get()
        timestampUs += 33_333
        if (controller.sendCameraFrame(cam.image(), cam.rotation(displayDegrees = 0), timestampUs)) {
            framesSentPerFacing.getValue(cam.facing).incrementAndGet()
        }
        if (firstFrameAfterSwitch) {
            firstFrameAfterSwitch = false
            main.execute {
                switcher.switchSucceeded() // CameraCapturer.Events.onCameraStarted
                changes.signal()
            }
        }
    }

    /** A tap on "switch camera", as `CallSession.switchCamera` handles it (on the main thread). */
    fun tapSwitch(): SwitchDecision = main.submit<SwitchDecision> {
        val decision = switcher.requestSwitch()
        if (decision is SwitchDecision.Start) {
            controller.setCameraFacing(decision.to)
            capture.execute {
                camera.set(SyntheticCamera(decision.to)) // close one camera, open the other
                firstFrameAfterSwitch = true
            }
        }
        decision
    }.get()

    fun hangUp() = main.execute { controller.hangUp() }

    /** The call screen shown, rebuilt or left for the background, as `CallSession.setPresence` handles it. */
    fun setPresence(now: ScreenPresence) = main.submit {
        presence = now
        applyVideo()
    }.get()

    /** A tap on "Video off" / "Video on", as `CallSession.toggleVideo` handles it. */
    fun tapVideo() = main.submit {
        controls = controls.copy(videoEnabled = !controls.videoEnabled)
        applyVideo()
    }.get()

    private fun applyVideo() {
        val video = LocalVideo.of(controls, cameraBroken = false, hasCamera = true, presence)
        cameraRuns = video.cameraRuns
        controller.setVideoEnabled(video.peerToldVideoOn)
    }

    override fun onStateChanged(state: CallState) {
        states += state
        changes.signal()
    }

    override fun onError(error: CallException) {
        errors += error
        changes.signal()
    }

    override fun onRemoteMediaChanged(state: MediaState) {
        remoteMedia += state
        changes.signal()
    }

    override fun onStats(stats: CallStats) {}

    override fun close() {
        capture.shutdownNow()
        capture.awaitTermination(2, TimeUnit.SECONDS)
        main.submit { controller.close() }.get()
        main.shutdown()
    }
}
