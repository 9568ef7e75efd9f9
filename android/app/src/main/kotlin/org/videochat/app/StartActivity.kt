package org.videochat.app

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import org.videochat.app.logic.InsetLayout
import org.videochat.app.logic.RelayAddress
import org.videochat.app.logic.RoomCheck
import org.videochat.app.logic.Rooms
import org.videochat.app.logic.TurnCheck
import org.videochat.app.logic.TurnSettings

/**
 * The start screen: the relay (remembered), a room name, Join, New room (a fresh unguessable
 * id) and Share (the room name and a link that opens it in a browser), and under Settings a
 * TURN server (remembered). Returning to a call in progress goes straight back to it.
 */
class StartActivity : Activity() {
    private lateinit var settings: SavedSettings
    private lateinit var relay: EditText
    private lateinit var room: EditText
    private lateinit var turnUrls: EditText
    private lateinit var turnUsername: EditText
    private lateinit var turnCredential: EditText
    private lateinit var problem: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        settings = SavedSettings(this)
        relay = field("Relay, e.g. relay.example.org", InputType.TYPE_TEXT_VARIATION_URI).apply { setText(settings.relay) }
        room = field("Room name", InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS).apply {
            setText(savedInstanceState?.getString(KEY_ROOM) ?: sharedRoom(intent).orEmpty())
        }
        val turn = settings.turn
        turnUrls = field("turn:turn.example.org:3478 (one a line)", InputType.TYPE_TEXT_VARIATION_URI or InputType.TYPE_TEXT_FLAG_MULTI_LINE).apply {
            setText(turn.urls)
        }
        turnUsername = field("User name", InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS).apply { setText(turn.username) }
        turnCredential = field("Credential", InputType.TYPE_TEXT_VARIATION_PASSWORD).apply { setText(turn.credential) }
        problem = TextView(this)

        val buttons = LinearLayout(this).apply {
            orientation = LinearLayout.HORIZONTAL
            listOf(
                button("Join") { join() },
                button("New room") { room.setText(Rooms.newRoomId()) },
                button("Share") { share() },
            ).forEach { addView(it, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f)) }
        }
        val turnSection = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            visibility = if (turn.urls.isBlank()) View.GONE else View.VISIBLE
            addView(text("TURN server, for networks where a direct connection fails (the relay's own, when it hands one out, is used instead)"))
            listOf(turnUrls, turnUsername, turnCredential).forEach { addView(it, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT)) }
        }
        val settingsToggle = button("Settings") {
            turnSection.visibility = if (turnSection.visibility == View.VISIBLE) View.GONE else View.VISIBLE
        }
        val form = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            addView(text("Video chat").apply { textSize = 22f })
            addView(text("Relay"))
            addView(relay, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
            addView(text("Room"))
            addView(room, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
            addView(buttons, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
            addView(problem)
            addView(settingsToggle, LinearLayout.LayoutParams(WRAP_CONTENT, WRAP_CONTENT))
            addView(turnSection, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
        }
        // Scrolls so that the field being typed in stays above the keyboard.
        val scroll = ScrollView(this).apply { addView(form, MATCH_PARENT, WRAP_CONTENT) }
        setContentView(scroll)
        val margin = (16 * resources.displayMetrics.density).toInt()
        EdgeToEdge.apply(this, scroll, intoCutout = false) {
            val p = InsetLayout.formPadding(it.systemBars, it.cutout, it.ime, margin)
            scroll.setPadding(p.left, p.top, p.right, p.bottom)
        }
    }

    override fun onResume() {
        super.onResume()
        // A call is still running (the app was left and reopened, or a room was shared to it):
        // go back to it, naming a shared room once so the call screen can say a call runs.
        val call = CallSession.current ?: return
        if (call.screen().finished) return
        startActivity(CallActivity.returnIntent(this, sharedRoom(intent)))
        intent.removeExtra(Intent.EXTRA_TEXT)
    }

    override fun onSaveInstanceState(outState: Bundle) {
        super.onSaveInstanceState(outState)
        outState.putString(KEY_ROOM, room.text.toString())
    }

    private fun join() {
        val address = RelayAddress.parse(relay.text.toString())
        if (address == null) {
            problem.text = "Type the relay's address, e.g. relay.example.org or http://192.168.1.20:8080."
            return
        }
        val turn = TurnSettings(turnUrls.text.toString(), turnUsername.text.toString(), turnCredential.text.toString())
        val turnCheck = TurnSettings.check(turn)
        if (turnCheck is TurnCheck.Invalid) {
            problem.text = "TURN server: ${turnCheck.problem}"
            return
        }
        when (val check = Rooms.check(room.text.toString())) {
            is RoomCheck.Valid -> {
                problem.text = (turnCheck as TurnCheck.Valid).notes.joinToString("\n")
                settings.relay = relay.text.toString().trim()
                settings.turn = turn
                startActivity(CallActivity.intent(this, address.webSocketUrl, check.room))
            }
            else -> problem.text = check.problem
        }
    }

    private fun share() {
        val check = Rooms.check(room.text.toString())
        if (check !is RoomCheck.Valid) {
            problem.text = check.problem
            return
        }
        val link = RelayAddress.parse(relay.text.toString())?.roomLink(check.room)
        val text = "Join my video call, room ${check.room}" + (link?.let { "\n$it" } ?: "")
        val send = Intent(Intent.ACTION_SEND).setType("text/plain").putExtra(Intent.EXTRA_TEXT, text)
        startActivity(Intent.createChooser(send, "Share the room"))
    }

    /** The room in a shared text (the last `room=` parameter or a bare name), if any. */
    private fun sharedRoom(intent: Intent): String? {
        val text = intent.getStringExtra(Intent.EXTRA_TEXT) ?: return null
        val fromLink = Regex("[?&]room=([A-Za-z0-9_-]{1,64})").findAll(text).lastOrNull()?.groupValues?.get(1)
        return fromLink ?: text.trim().takeIf { Rooms.check(it) is RoomCheck.Valid }
    }

    private fun field(hint: String, variation: Int) = EditText(this).apply {
        this.hint = hint
        inputType = InputType.TYPE_CLASS_TEXT or variation
    }

    private fun text(value: String) = TextView(this).apply { text = value }

    private fun button(label: String, onClick: () -> Unit) = Button(this).apply {
        text = label
        setOnClickListener { onClick() }
    }

    private companion object {
        const val KEY_ROOM = "room"
    }
}
