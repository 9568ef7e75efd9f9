package org.videochat.app

import java.nio.ByteBuffer
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean
import org.videochat.app.logic.YuvImage
import org.videochat.core.Call
import org.videochat.core.CallConfig
import org.videochat.core.CallException
import org.videochat.core.CallListener
import org.videochat.core.CallState
import org.videochat.core.CallStats
import org.videochat.core.CameraFacing
import org.videochat.core.MediaState
import org.videochat.core.RemoteVideoFrame

/** What the screen hears from a call. Every method runs on the `ui` executor (the main thread). */
interface CallEvents {
    fun onStateChanged(state: CallState)

    fun onError(error: CallException)

    /** The other person muted or unmuted, or turned the camera off or on. */
    fun onRemoteMediaChanged(state: MediaState)

    fun onStats(stats: CallStats)
}

/** Draws remote frames. Called on the core's `videochat-listener` thread; the frame is closed after it returns. */
fun interface RemoteVideoSink {
    fun render(frame: RemoteVideoFrame)
}

/** Plays remote audio. Called on the core's `videochat-listener` thread with 20 ms of 48 kHz mono s16le. */
fun interface RemoteAudioSink {
    fun play(pcm: ByteArray)
}

/**
 * Owns one call's FFI [Call] and nothing Android: the Activity, the camera and the audio code
 * talk to the call only through here.
 *
 * Threads:
 * - construct and call [setCameraFacing], [setMuted], [setVideoEnabled], [hangUp], [close] from
 *   the main thread (they return at once);
 * - [sendCameraFrame] from the camera thread, [sendAudio] from the audio thread;
 * - [CallEvents] arrive on [ui]; remote video and audio go to [videoSink] and [audioSink] straight
 *   on the core's listener thread (30 pictures a second have no business on the main thread).
 *
 * @param initialFacing the camera the call starts with (the remote learns it for mirroring).
 * @throws CallException.InvalidConfig from the constructor for a config the core rejects.
 */
class CallController(
    config: CallConfig,
    initialFacing: CameraFacing,
    private val ui: Executor,
    private val events: CallEvents,
) : AutoCloseable {
    /** Where remote pictures go; null drops them (e.g. while the screen is rebuilt on rotation). */
    @Volatile
    var videoSink: RemoteVideoSink? = null

    /** Where remote audio goes; null drops it. */
    @Volatile
    var audioSink: RemoteAudioSink? = null

    /** The last state delivered to [events] (main thread). */
    var state: CallState = CallState.Connecting
        private set

    /** The facing the core was last told (main thread). */
    var facing: CameraFacing = initialFacing
        private set

    private val closed = AtomicBoolean(false)
    private val frameErrorReported = AtomicBoolean(false)
    private val call: Call = Call(config, Listener()).also { it.setCameraFacing(initialFacing) }

    /**
     * Hands one camera image to the core (camera thread). [rotation] is the clockwise turn that
     * makes it upright (see `Orientation.frameRotation`). Returns false when the core did not
     * take it (call over, or a frame it cannot use; the latter is reported once to [events]).
     */
    fun sendCameraFrame(image: YuvImage, rotation: Int, timestampUs: Long): Boolean {
        if (closed.get()) return false
        return try {
            // Camera2's planes go across as they are (NV12, NV21 or planar): no copy here.
            call.sendVideoYuv420(
                image.y.atStart(), image.u.atStart(), image.v.atStart(),
                image.yRowStride.toUInt(), image.uvRowStride.toUInt(), image.uvPixelStride.toUInt(),
                image.width.toUInt(), image.height.toUInt(), rotation.toUInt(), timestampUs,
            )
            true
        } catch (e: CallException) {
            if (e !is CallException.CallEnded && frameErrorReported.compareAndSet(false, true)) post { events.onError(e) }
            false
        } catch (e: IllegalStateException) {
            false // closed between the check above and the call: the object is gone, so is the call
        }
    }

    /** Hands 20 ms of microphone audio (960 samples s16le in a direct buffer) to the core (audio thread). */
    fun sendAudio(pcm: ByteBuffer): Boolean {
        if (closed.get()) return false
        return try {
            call.sendAudio(pcm)
            true
        } catch (e: CallException) {
            false
        } catch (e: IllegalStateException) {
            false // closed meanwhile, as for camera frames
        }
    }

    /** Tells the core which camera now feeds it: the next frame goes out as a key frame, no renegotiation. */
    fun setCameraFacing(facing: CameraFacing) {
        this.facing = facing
        if (!closed.get()) call.setCameraFacing(facing)
    }

    fun setMuted(muted: Boolean) {
        if (!closed.get()) call.setMuted(muted)
    }

    fun setVideoEnabled(enabled: Boolean) {
        if (!closed.get()) call.setVideoEnabled(enabled)
    }

    /** Says goodbye to the peer; the call then reports `Ended(HUNG_UP)`. */
    fun hangUp() {
        if (!closed.get()) call.hangUp()
    }

    /** The call's counters now (any thread). */
    fun stats(): CallStats? = if (closed.get()) null else call.stats()

    /** Hangs up and frees the call: no event is delivered after this returns. Safe to call twice. */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        videoSink = null
        audioSink = null
        call.hangUp()
        call.close()
    }

    private fun post(action: () -> Unit) {
        ui.execute { if (!closed.get()) action() }
    }

    /** The FFI listener: runs on the core's single `videochat-listener` thread. */
    private inner class Listener : CallListener {
        private var attachedForGood = false

        private fun keepThreadAttached() {
            // The delivery thread lives as long as the call: keeping it attached to the JVM saves
            // an attach/detach (~0.5-1 ms on Android) on every callback.
            if (!attachedForGood) {
                attachedForGood = true
                com.sun.jna.Native.detach(false)
            }
        }

        override fun onStateChanged(state: CallState) {
            keepThreadAttached()
            post {
                this@CallController.state = state
                events.onStateChanged(state)
            }
        }

        override fun onRemoteVideoFrame(frame: RemoteVideoFrame) {
            keepThreadAttached()
            frame.use { videoSink?.render(it) }
        }

        override fun onRemoteAudio(pcm: ByteArray) {
            audioSink?.play(pcm)
        }

        override fun onError(error: CallException) {
            post { events.onError(error) }
        }

        override fun onRemoteMediaChanged(state: MediaState) {
            post { events.onRemoteMediaChanged(state) }
        }

        override fun onStats(stats: CallStats) {
            post { events.onStats(stats) }
        }
    }
}

/** A view of the whole buffer from its first byte, leaving the camera's own position alone. */
private fun ByteBuffer.atStart(): ByteBuffer = duplicate().also { it.position(0) }
