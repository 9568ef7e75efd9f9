package org.videochat.app.logic

import java.security.SecureRandom
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

class RoomsTest {
    @Test
    fun `a new room is 32 lowercase hex digits that the relay accepts`() {
        val room = Rooms.newRoomId()
        assertTrue(Regex("[0-9a-f]{32}").matches(room), room)
        assertEquals(RoomCheck.Valid(room), Rooms.check(room))
    }

    @Test
    fun `new rooms differ from each other`() {
        val rooms = (1..1000).map { Rooms.newRoomId() }.toSet()
        assertEquals(1000, rooms.size)
    }

    @Test
    fun `a new room carries all 128 bits of the random source`() {
        val allOnes = object : SecureRandom() {
            override fun nextBytes(bytes: ByteArray) = bytes.fill(0xff.toByte())
        }
        assertEquals("f".repeat(32), Rooms.newRoomId(allOnes))
    }

    @Test
    fun `typed names are trimmed and checked with the relay's rule`() {
        assertEquals(RoomCheck.Valid("kitchen_2-b"), Rooms.check("  kitchen_2-b \n"))
        assertEquals(RoomCheck.Empty, Rooms.check("   "))
        assertEquals(RoomCheck.BadCharacter(' '), Rooms.check("two words"))
        assertEquals(RoomCheck.BadCharacter('é'), Rooms.check("café"))
        assertEquals(RoomCheck.Valid("a".repeat(64)), Rooms.check("a".repeat(64)))
        assertEquals(RoomCheck.TooLong(65), Rooms.check("a".repeat(65)))
    }

    @Test
    fun `every refusal is explained in words and a valid name has no problem`() {
        assertNull(Rooms.check("ok").problem)
        for (bad in listOf("", "a b", "x".repeat(70))) {
            val problem = Rooms.check(bad).problem
            assertNotEquals(null, problem, bad)
        }
        assertTrue(Rooms.check("a/b").problem!!.contains("\"/\""))
    }
}
