package org.videochat.app

import android.app.Activity
import android.content.Intent
import android.os.Bundle
import android.text.InputType
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import org.videochat.app.logic.RelayAddress
import org.videochat.app.logic.RoomCheck
import org.videochat.app.logic.Rooms

/**
 * The start screen: the relay (remembered), a room name, Join, New room (a fresh unguessable
 * id) and Share (the room name and a link that opens it in a browser). Returning to a call in
 * progress goes straight back to it.
 */
class StartActivity : Activity() {
    private lateinit var relay: EditText
    private lateinit var room: EditText
    private lateinit var problem: TextView

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val prefs = getSharedPreferences(PREFS, MODE_PRIVATE)
        relay = EditText(this).apply {
            hint = "Relay, e.g. relay.example.org"
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_URI
            setText(prefs.getString(KEY_RELAY, ""))
        }
        room = EditText(this).apply {
            hint = "Room name"
            inputType = InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
            setText(savedInstanceState?.getString(KEY_ROOM) ?: intent.getStringExtra(Intent.EXTRA_TEXT)?.let(::roomFromShare).orEmpty())
        }
        problem = TextView(this)
        val join = Button(this).apply {
            text = "Join"
            setOnClickListener { join() }
        }
        val newRoom = Button(this).apply {
            text = "New room"
            setOnClickListener { room.setText(Rooms.newRoomId()) }
        }
        val share = Button(this).apply {
            text = "Share"
            setOnClickListener { share() }
        }
        val buttons = LinearLayout(this).apply {
            orientation = LinearLayout.HORIZONTAL
            listOf(join, newRoom, share).forEach { addView(it, LinearLayout.LayoutParams(0, WRAP_CONTENT, 1f)) }
        }
        val pad = (16 * resources.displayMetrics.density).toInt()
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(pad, pad, pad, pad)
                addView(TextView(this@StartActivity).apply { text = "Relay" })
                addView(relay, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
                addView(TextView(this@StartActivity).apply { text = "Room" })
                addView(room, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
                addView(buttons, LinearLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT))
                addView(problem)
            },
        )
    }

    override fun onResume() {
        super.onResume()
        // A call is still running (the app was left and reopened from the launcher): go back to it.
        if (CallSession.current != null) startActivity(Intent(this, CallActivity::class.java))
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
        when (val check = Rooms.check(room.text.toString())) {
            is RoomCheck.Valid -> {
                problem.text = ""
                getSharedPreferences(PREFS, MODE_PRIVATE).edit().putString(KEY_RELAY, relay.text.toString().trim()).apply()
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

    /** The room name in a shared text (the last `room=` parameter or a bare name). */
    private fun roomFromShare(text: String): String {
        val fromLink = Regex("[?&]room=([A-Za-z0-9_-]{1,64})").findAll(text).lastOrNull()?.groupValues?.get(1)
        return fromLink ?: text.trim().takeIf { Rooms.check(it) is RoomCheck.Valid }.orEmpty()
    }

    private companion object {
        const val PREFS = "videochat"
        const val KEY_RELAY = "relay"
        const val KEY_ROOM = "room"
    }
}
