import XCTest
@testable import VideoChatKit

/// A generator that replays fixed words, so the hex layout can be checked exactly.
private struct ReplayGenerator: RandomNumberGenerator {
    var words: [UInt64]
    mutating func next() -> UInt64 { words.removeFirst() }
}

final class RoomNameTests: XCTestCase {
    func testNewRoomNamesAre32LowercaseHexDigits() {
        let name = RoomName.random()
        XCTAssertEqual(name.count, 32)
        XCTAssertTrue(name.allSatisfy { $0.isHexDigit && !$0.isUppercase }, name)
        XCTAssertTrue(RoomName.isValid(name))
    }

    func testNewRoomNamesCarry128BitsWithLeadingZerosKept() {
        var generator = ReplayGenerator(words: [1, .max])
        XCTAssertEqual(RoomName.random(using: &generator), "0000000000000001" + "ffffffffffffffff")
    }

    func testTwoNewRoomsAreDifferent() {
        XCTAssertNotEqual(RoomName.random(), RoomName.random())
    }

    func testNamesOfLettersDigitsDashesAndUnderscoresAreAccepted() {
        for name in ["kitchen", "a", "Room-2_b", String(repeating: "x", count: 64)] {
            XCTAssertTrue(RoomName.isValid(name), name)
        }
    }

    func testEmptyLongSpacedOrNonAsciiNamesAreRefused() {
        for name in ["", String(repeating: "x", count: 65), "two words", "küche", "a/b", "room?x=1"] {
            XCTAssertFalse(RoomName.isValid(name), name)
        }
    }

    func testEveryRefusalIsExplainedInWordsAndAValidNameHasNoProblem() {
        XCTAssertEqual(RoomName.problem("  "), "Type a room name, or tap New room.")
        XCTAssertEqual(RoomName.problem("a b"), "A room name may only hold letters, digits, - and _ (not \" \").")
        XCTAssertEqual(RoomName.problem("küche"), "A room name may only hold letters, digits, - and _ (not \"ü\").")
        XCTAssertEqual(
            RoomName.problem(String(repeating: "x", count: 65)),
            "A room name has at most 64 characters (this one has 65).")
        XCTAssertNil(RoomName.problem(" kitchen "))
    }

    func testTypedNamesLoseSurroundingSpaces() {
        XCTAssertEqual(RoomName.normalized("  kitchen \n"), "kitchen")
        XCTAssertNil(RoomName.normalized("   "))
    }
}
