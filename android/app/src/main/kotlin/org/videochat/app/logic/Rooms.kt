package org.videochat.app.logic

import java.security.SecureRandom

/** What is wrong with a typed room name, in words the start screen shows. */
sealed class RoomCheck {
    /** The name the relay will accept, trimmed. */
    data class Valid(val room: String) : RoomCheck()

    /** Nothing was typed. */
    object Empty : RoomCheck()

    /** More than [Rooms.MAX_LENGTH] characters. */
    data class TooLong(val length: Int) : RoomCheck()

    /** A character outside `A-Z a-z 0-9 _ -`. */
    data class BadCharacter(val character: Char) : RoomCheck()

    /** A sentence for the user, or null when the name is fine. */
    val problem: String?
        get() = when (this) {
            is Valid -> null
            Empty -> "Type a room name, or tap New room."
            is TooLong -> "A room name has at most ${Rooms.MAX_LENGTH} characters (this one has $length)."
            is BadCharacter -> "A room name may only hold letters, digits, - and _ (not \"$character\")."
        }
}

/**
 * Room names: the relay's rule (1-64 of `A-Z a-z 0-9 _ -`, as `RoomId::parse` in the protocol
 * crate) and fresh unguessable ids (128 random bits as 32 lowercase hex digits, like the web
 * client's), so that a shared room is as private as its name.
 */
object Rooms {
    /** Longest room name the relay accepts. */
    const val MAX_LENGTH = 64

    /** A fresh room: 16 bytes from [random] as 32 hex digits. */
    fun newRoomId(random: SecureRandom = SecureRandom()): String {
        val bytes = ByteArray(16)
        random.nextBytes(bytes)
        return bytes.joinToString("") { "%02x".format(it.toInt() and 0xff) }
    }

    /** Checks a typed name; surrounding spaces (a common paste artefact) are ignored. */
    fun check(typed: String): RoomCheck {
        val room = typed.trim()
        if (room.isEmpty()) return RoomCheck.Empty
        room.firstOrNull { !isRoomChar(it) }?.let { return RoomCheck.BadCharacter(it) }
        if (room.length > MAX_LENGTH) return RoomCheck.TooLong(room.length)
        return RoomCheck.Valid(room)
    }

    private fun isRoomChar(c: Char) = c in 'a'..'z' || c in 'A'..'Z' || c in '0'..'9' || c == '-' || c == '_'
}
