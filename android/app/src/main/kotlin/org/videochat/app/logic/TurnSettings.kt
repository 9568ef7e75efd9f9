package org.videochat.app.logic

import org.videochat.core.IceServer

/** The TURN server as typed on the start screen: URLs (one a line) with one user name and credential. */
data class TurnSettings(val urls: String = "", val username: String = "", val credential: String = "") {
    /** Never prints the credential (a data class would). */
    override fun toString(): String = "TurnSettings(urls=$urls, username=$username, credential=***)"

    companion object {
        /**
         * The ICE servers these settings stand for, or what to fix. TURN URLs go into one server
         * with the user name and credential (as a TURN provider hands them out); STUN URLs into
         * another, without them. Nothing typed means no extra servers.
         */
        fun check(settings: TurnSettings): TurnCheck {
            val typed = settings.urls.split(Regex("[\\s,]+")).filter { it.isNotEmpty() }
            val username = settings.username.trim()
            val credential = settings.credential.trim()
            if (typed.isEmpty()) {
                return if (username.isEmpty() && credential.isEmpty()) {
                    TurnCheck.Valid(emptyList(), emptyList())
                } else {
                    TurnCheck.Invalid("Add the turn: URL the user name and credential are for.")
                }
            }
            val urls = typed.map { text ->
                when (val parsed = IceServerUrl.parse(text)) {
                    is IceServerUrl.Result.Valid -> parsed.url
                    is IceServerUrl.Result.Invalid -> return TurnCheck.Invalid(parsed.problem)
                }
            }
            val turn = urls.filter { it.isTurn }
            val stun = urls.filter { !it.isTurn }
            if (turn.isNotEmpty() && (username.isEmpty() || credential.isEmpty())) {
                return TurnCheck.Invalid("A TURN server needs its user name and credential.")
            }
            if (turn.isEmpty() && (username.isNotEmpty() || credential.isNotEmpty())) {
                return TurnCheck.Invalid("A user name and credential go with a turn: URL; stun: servers take none.")
            }
            val servers = buildList {
                if (turn.isNotEmpty()) add(IceServer(turn.map { it.toString() }, username, credential))
                if (stun.isNotEmpty()) add(IceServer(stun.map { it.toString() }, null, null))
            }
            val notes = turn.filter { !it.isTurnOverUdp }.map { "$it: this app uses TURN over UDP only, so it skips this one (browsers use it)." }
            return TurnCheck.Valid(servers, notes)
        }
    }
}

/** The outcome of [TurnSettings.check]. */
sealed class TurnCheck {
    /** Use [servers]; [notes] are worth telling the person (URLs this app cannot use). */
    data class Valid(val servers: List<IceServer>, val notes: List<String>) : TurnCheck()

    data class Invalid(val problem: String) : TurnCheck()
}
