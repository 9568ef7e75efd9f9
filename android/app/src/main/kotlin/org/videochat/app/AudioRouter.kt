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
import org.videochat.app.logic.AudioOutput
import org.videochat.app.logic.AudioRoutes

/**
 * Puts the phone in call audio mode for the length of a call: MODE_IN_COMMUNICATION, audio
 * focus, and the output [AudioRoutes] picks (loudspeaker for a video call unless a headset is
 * connected), following headsets as they come and go. [stop] puts everything back.
 *
 * Main thread only.
 */
class AudioRouter(context: Context, private val videoCall: Boolean) {
    private val audio = context.getSystemService(AudioManager::class.java)
    private val main = Handler(Looper.getMainLooper())
    private var savedMode = AudioManager.MODE_NORMAL
    private var savedSpeaker = false
    private var focus: AudioFocusRequest? = null
    private var started = false

    private val devices = object : AudioDeviceCallback() {
        override fun onAudioDevicesAdded(added: Array<out AudioDeviceInfo>) = route()

        override fun onAudioDevicesRemoved(removed: Array<out AudioDeviceInfo>) = route()
    }

    fun start() {
        if (started) return
        started = true
        savedMode = audio.mode
        @Suppress("DEPRECATION")
        savedSpeaker = audio.isSpeakerphoneOn
        val request = AudioFocusRequest.Builder(AudioManager.AUDIOFOCUS_GAIN_TRANSIENT)
            .setAudioAttributes(
                AudioAttributes.Builder()
                    .setUsage(AudioAttributes.USAGE_VOICE_COMMUNICATION)
                    .setContentType(AudioAttributes.CONTENT_TYPE_SPEECH)
                    .build(),
            )
            .build()
        audio.requestAudioFocus(request)
        focus = request
        audio.mode = AudioManager.MODE_IN_COMMUNICATION
        audio.registerAudioDeviceCallback(devices, main)
        route()
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
        focus?.let { audio.abandonAudioFocusRequest(it) }
        focus = null
    }

    private fun route() {
        if (!started) return
        val outputs = audio.getDevices(AudioManager.GET_DEVICES_OUTPUTS)
        val available = outputs.mapNotNull { outputOf(it.type) }.toSet()
        val choice = AudioRoutes.choose(available, videoCall)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            val device = audio.availableCommunicationDevices.firstOrNull { outputOf(it.type) == choice }
            if (device != null) audio.setCommunicationDevice(device) else audio.clearCommunicationDevice()
        } else {
            @Suppress("DEPRECATION")
            audio.isSpeakerphoneOn = choice == AudioOutput.SPEAKER
            // Bluetooth SCO before Android 12 needs startBluetoothSco and the
            // BLUETOOTH_CONNECT dance; left to the system's default route here.
        }
    }

    private fun outputOf(type: Int): AudioOutput? = when (type) {
        AudioDeviceInfo.TYPE_BUILTIN_SPEAKER -> AudioOutput.SPEAKER
        AudioDeviceInfo.TYPE_BUILTIN_EARPIECE -> AudioOutput.EARPIECE
        AudioDeviceInfo.TYPE_WIRED_HEADSET, AudioDeviceInfo.TYPE_WIRED_HEADPHONES,
        AudioDeviceInfo.TYPE_USB_HEADSET,
        -> AudioOutput.WIRED_HEADSET
        AudioDeviceInfo.TYPE_BLUETOOTH_SCO -> AudioOutput.BLUETOOTH
        else -> null
    }
}
