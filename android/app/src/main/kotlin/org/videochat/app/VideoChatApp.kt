package org.videochat.app

import android.app.Application
import android.content.pm.ApplicationInfo
import org.videochat.core.LogLevel
import org.videochat.core.initLogging

/** The process: sends the core's logs to logcat (tag "videochat") before any screen starts a call. */
class VideoChatApp : Application() {
    override fun onCreate() {
        super.onCreate()
        val debuggable = applicationInfo.flags and ApplicationInfo.FLAG_DEBUGGABLE != 0
        initLogging(if (debuggable) LogLevel.DEBUG else LogLevel.INFO)
    }
}
