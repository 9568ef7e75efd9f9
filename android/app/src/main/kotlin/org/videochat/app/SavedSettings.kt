package org.videochat.app

import android.content.Context
import org.videochat.app.logic.TurnCheck
import org.videochat.app.logic.TurnSettings
import org.videochat.core.IceServer
import org.videochat.core.defaultIceServers

/**
 * What the start screen remembers, in the app's private SharedPreferences (not backed up:
 * `allowBackup="false"`): the relay as typed and the TURN server. The credential is stored
 * because the person typed it to be used again; it is never logged.
 */
class SavedSettings(context: Context) {
    private val prefs = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE)

    var relay: String
        get() = prefs.getString(KEY_RELAY, "").orEmpty()
        set(value) = prefs.edit().putString(KEY_RELAY, value).apply()

    var turn: TurnSettings
        get() = TurnSettings(
            urls = prefs.getString(KEY_TURN_URLS, "").orEmpty(),
            username = prefs.getString(KEY_TURN_USERNAME, "").orEmpty(),
            credential = prefs.getString(KEY_TURN_CREDENTIAL, "").orEmpty(),
        )
        set(value) = prefs.edit()
            .putString(KEY_TURN_URLS, value.urls)
            .putString(KEY_TURN_USERNAME, value.username)
            .putString(KEY_TURN_CREDENTIAL, value.credential)
            .apply()

    /**
     * The servers a call uses: the public STUN server and the saved TURN server (the relay's own
     * `iceServers`, when it hands them out, replace these in the core). A saved entry that no
     * longer checks out is left out; the start screen refuses to save one.
     */
    fun iceServers(): List<IceServer> {
        val saved = (TurnSettings.check(turn) as? TurnCheck.Valid)?.servers.orEmpty()
        return defaultIceServers() + saved
    }

    private companion object {
        const val PREFS = "videochat"
        const val KEY_RELAY = "relay"
        const val KEY_TURN_URLS = "turn_urls"
        const val KEY_TURN_USERNAME = "turn_username"
        const val KEY_TURN_CREDENTIAL = "turn_credential"
    }
}
