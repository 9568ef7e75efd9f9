package org.videochat.app

import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.app.Service
import android.content.Context
import android.content.Intent
import android.content.pm.ServiceInfo
import android.graphics.drawable.Icon
import android.os.Build
import android.os.IBinder
import android.util.Log

/**
 * Keeps the process in the foreground while a call runs, so that leaving the screen (Home,
 * another app) neither freezes the process nor makes the microphone record silence: a
 * foreground service of type microphone (and camera when the camera is allowed) with an ongoing
 * notification. Tapping it returns to the call screen; its "Hang up" action ends the call.
 *
 * It owns nothing of the call: [CallSession] starts and stops it, and Hang up is forwarded to
 * [CallSession.current].
 *
 * Android 14 lets a camera or microphone service start only while the app is in the
 * foreground: [start] is called from the call screen as the call begins.
 */
class CallService : Service() {
    override fun onBind(intent: Intent?): IBinder? = null

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        if (intent?.action == ACTION_HANG_UP) {
            CallSession.current?.hangUp()
            return START_NOT_STICKY
        }
        val room = intent?.getStringExtra(EXTRA_ROOM).orEmpty()
        val camera = intent?.getBooleanExtra(EXTRA_CAMERA, false) ?: false
        try {
            goForeground(notification(room), camera)
        } catch (e: RuntimeException) {
            // Not allowed now (started from the background, or a type whose permission is
            // missing): the call goes on while the screen is shown.
            Log.w(TAG, "foreground service refused: $e")
            stopSelf()
        }
        // Killed with the process, the call is gone too: nothing to restart.
        return START_NOT_STICKY
    }

    private fun goForeground(notification: Notification, camera: Boolean) {
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            val types = ServiceInfo.FOREGROUND_SERVICE_TYPE_MICROPHONE or
                (if (camera) ServiceInfo.FOREGROUND_SERVICE_TYPE_CAMERA else 0)
            startForeground(NOTIFICATION_ID, notification, types)
        } else {
            startForeground(NOTIFICATION_ID, notification)
        }
    }

    private fun notification(room: String): Notification {
        val manager = getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(
            NotificationChannel(CHANNEL_ID, "Calls in progress", NotificationManager.IMPORTANCE_LOW).apply {
                description = "Shown while a call runs, with Hang up"
                setShowBadge(false)
            },
        )
        val open = PendingIntent.getActivity(
            this,
            0,
            Intent(this, CallActivity::class.java),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val hangUp = PendingIntent.getService(
            this,
            1,
            Intent(this, CallService::class.java).setAction(ACTION_HANG_UP),
            PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
        )
        val hangUpAction = Notification.Action.Builder(
            Icon.createWithResource(this, android.R.drawable.ic_menu_close_clear_cancel),
            "Hang up",
            hangUp,
        ).build()
        return Notification.Builder(this, CHANNEL_ID)
            .setSmallIcon(android.R.drawable.sym_action_call)
            .setContentTitle("Video call")
            .setContentText(if (room.isEmpty()) "In a call" else "In a call in room $room")
            .setCategory(Notification.CATEGORY_CALL)
            .setOngoing(true)
            .setContentIntent(open)
            .addAction(hangUpAction)
            .apply {
                // Shown at once rather than after Android's 10 s grace period for services.
                if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
                    setForegroundServiceBehavior(Notification.FOREGROUND_SERVICE_IMMEDIATE)
                }
            }
            .build()
    }

    companion object {
        private const val TAG = "CallService"
        private const val CHANNEL_ID = "call"
        private const val NOTIFICATION_ID = 1
        private const val ACTION_HANG_UP = "org.videochat.app.HANG_UP"
        private const val EXTRA_ROOM = "room"
        private const val EXTRA_CAMERA = "camera"

        /**
         * Starts the service for a call in [room]; [camera] when the camera permission is
         * granted (a camera-type service without it is refused). Call while the app is in the
         * foreground. A refusal is logged: the call works while the screen is shown.
         */
        fun start(context: Context, room: String, camera: Boolean) {
            val intent = Intent(context, CallService::class.java).putExtra(EXTRA_ROOM, room).putExtra(EXTRA_CAMERA, camera)
            try {
                context.startForegroundService(intent)
            } catch (e: IllegalStateException) {
                // ForegroundServiceStartNotAllowedException (API 31+) is one.
                Log.w(TAG, "cannot start the call service: $e")
            }
        }

        fun stop(context: Context) {
            context.stopService(Intent(context, CallService::class.java))
        }
    }
}
