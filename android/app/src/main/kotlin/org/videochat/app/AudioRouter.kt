package org.videochat.app

import android.content.Context
import android.media.AudioAttributes
import android.media.AudioDeviceCallback
import android.media.AudioDeviceInfo
import android.media.AudioFocusRequest
import android.media.AudioManager
import android.os.Build
import android.os.Handler
import android.os.Looper
import android.util.Log
import org.videochat.app.logic.AudioOutput
import org.videochat.app.logic.AudioRoutes
import org.videochat.app.logic.FocusEvent

/**
 * Puts the phone in call audio mode for the length of a call: MODE_IN_COMMUNICATION, audio
 * focus (AUDIOFOCUS_GAIN for USAGE_VOICE_COMMUNICATION, its changes reported to [onFocus]), and
 * the output [AudioRoutes] picks (loudspeaker for a video call unless a headset, hearing aid or
 * Bluetooth speaker is connected), following devices as they come and go. [stop] puts
 * everything back.
 *
 * Main thread only; [onFocus] runs on the main thread.
 */
class AudioRouter(
    context: Context,
    private val videoCall: Boolean,
    private val onFocus: (FocusEvent) -> Unit,
) {
    private val audio = context.getSystemService(AudioManager::class.java)
    private val main = Handler(Looper.getMainLooper())
    private var savedMode = AudioManager.MODE_NORMAL
    private var savedSpeaker = false
    private var started = false

    private val devices = object : AudioDeviceCallback() {
        override fun onAudioDevicesAdded(added: Array<out AudioDeviceInfo>) = route()

        override fun onAudioDevicesRemoved(removed: Array<out AudioDeviceInfo>) = route()
    }

    private val focus: AudioFocusRequest = AudioFocusRequest.Builder(AudioManager.AUDIOFOCUS_GAIN)
        .setAudioAttributes(
            AudioAttributes.Builder()
                .setUsage(AudioAttributes.USAGE_VOICE_COMMUNICATION)
                .setContentType(AudioAttributes.CONTENT_TYPE_SPEECH)
                .build(),
        )
        // Asked during a phone call: granted when it ends instead of refused.
        .setAcceptsDelayedFocusGain(true)
        .setOnAudioFocusChangeListener({ change -> focusChanged(change) }, main)
        .build()

    fun start() {
        if (started) return
        started = true
        savedMode = audio.mode
        @Suppress("DEPRECATION")
        savedSpeaker = audio.isSpeakerphoneOn
        requestFocus()
        audio.mode = AudioManager.MODE_IN_COMMUNICATION
        audio.registerAudioDeviceCallback(devices, main)
        route()
    }

    /** Asks for focus again (after another app took it for good and the person came back). */
    fun requestFocus() {
        val event = when (audio.requestAudioFocus(focus)) {
            AudioManager.AUDIOFOCUS_REQUEST_GRANTED -> FocusEvent.GAINED
            AudioManager.AUDIOFOCUS_REQUEST_DELAYED -> FocusEvent.REQUEST_DELAYED
            else -> FocusEvent.REQUEST_FAILED
        }
        onFocus(event)
    }

    fun stop() {
        if (!started) return
        started = false
        audio.unregisterAudioDeviceCallback(devices)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            audio.clearCommunicationDevice()
        } else {
            @Suppress("DEPRECATION")
            audio.isSpeakerphoneOn = savedSpeaker
        }
        audio.mode = savedMode
        audio.abandonAudioFocusRequest(focus)
    }

    private fun focusChanged(change: Int) {
        if (!started) return
        val event = when (change) {
            AudioManager.AUDIOFOCUS_GAIN -> FocusEvent.GAINED
            AudioManager.AUDIOFOCUS_LOSS -> FocusEvent.LOST
            AudioManager.AUDIOFOCUS_LOSS_TRANSIENT -> FocusEvent.LOST_TRANSIENTLY
            AudioManager.AUDIOFOCUS_LOSS_TRANSIENT_CAN_DUCK -> FocusEvent.MAY_DUCK
            else -> return
        }
        Log.i(TAG, "audio focus: $event")
        onFocus(event)
    }

    private fun route() {
        if (!started) return
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            // Only devices the system can use for a call (no A2DP-only headphones).
            val candidates = audio.availableCommunicationDevices
            val choice = AudioRoutes.choose(candidates.mapNotNull { outputOf(it.type) }.toSet(), videoCall)
            val device = candidates.firstOrNull { outputOf(it.type) == choice }
            if (device == null || !audio.setCommunicationDevice(device)) audio.clearCommunicationDevice()
        } else {
            val outputs = audio.getDevices(AudioManager.GET_DEVICES_OUTPUTS)
            val choice = AudioRoutes.choose(outputs.mapNotNull { outputOf(it.type) }.toSet(), videoCall)
            @Suppress("DEPRECATION")
            audio.isSpeakerphoneOn = choice == AudioOutput.SPEAKER
            // Bluetooth SCO before Android 12 needs startBluetoothSco and the
            // BLUETOOTH_CONNECT dance; left to the system's default route here.
        }
    }

    private companion object {
        const val TAG = "AudioRouter"

        fun outputOf(type: Int): AudioOutput? = when (type) {
            AudioDeviceInfo.TYPE_BUILTIN_SPEAKER -> AudioOutput.SPEAKER
            AudioDeviceInfo.TYPE_BUILTIN_EARPIECE -> AudioOutput.EARPIECE
            AudioDeviceInfo.TYPE_WIRED_HEADSET, AudioDeviceInfo.TYPE_WIRED_HEADPHONES,
            AudioDeviceInfo.TYPE_USB_HEADSET,
            -> AudioOutput.WIRED_HEADSET
            AudioDeviceInfo.TYPE_BLUETOOTH_SCO -> AudioOutput.BLUETOOTH
            AudioDeviceInfo.TYPE_HEARING_AID -> AudioOutput.HEARING_AID
            // API 31 constants, inlined by the compiler: older systems never report them.
            AudioDeviceInfo.TYPE_BLE_HEADSET -> AudioOutput.BLE_HEADSET
            AudioDeviceInfo.TYPE_BLE_SPEAKER -> AudioOutput.BLE_SPEAKER
            else -> null
        }
    }
}
