import Foundation

/// Room names: a fresh random one to share, and the relay's rule for what a name may be.
///
/// The relay accepts 1 to 64 characters of `A-Z a-z 0-9 _ -`. A new room is a random 128-bit
/// id written as 32 lowercase hex digits, like the browser client's, so it cannot be guessed.
public enum RoomName {
    /// The longest name the relay accepts.
    public static let maxLength = 64

    /// A new random room name: 128 bits from the system's secure generator, 32 hex digits.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// A new room name drawn from `generator` (tests pass a seeded one).
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low)
    }

    /// Whether the relay accepts `name` as it is.
    public static func isValid(_ name: String) -> Bool {
        (1...maxLength).contains(name.utf8.count) && name.utf8.allSatisfy(isAllowed)
    }

    /// `text` as typed, without surrounding spaces, or `nil` if the relay would refuse it.
    public static func normalized(_ text: String) -> String? {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return isValid(name) ? name : nil
    }

    /// What is wrong with a typed name, in the start screen's words (the Android app's), or
    /// `nil` if the relay accepts it.
    public static func problem(_ text: String) -> String? {
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            return "Type a room name, or tap New room."
        }
        if let bad = name.first(where: { !$0.isASCII || !$0.utf8.allSatisfy(isAllowed) }) {
            return "A room name may only hold letters, digits, - and _ (not \"\(bad)\")."
        }
        if name.count > maxLength {
            return "A room name has at most \(maxLength) characters (this one has \(name.count))."
        }
        return nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// 16 hex digits, zero-padded.
    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
