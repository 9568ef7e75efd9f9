import Foundation
import VideoChatCore

/// The connection-quality indicator and the stats view, in words and numbers.
///
/// The words and the stats lines are the web client's (`measureQuality` in
/// server/static/app.js), so a phone and a browser in the same call say the same thing.
public enum QualityText {
    /// How many bars the indicator has; `litBars(for:)` says how many of them are lit.
    public static let barCount = 3

    /// The verdict in words: "Good connection", "Weak connection" or "Poor connection".
    public static func describe(_ quality: ConnectionQuality) -> String {
        switch quality {
        case .good: return "Good connection"
        case .weak: return "Weak connection"
        case .poor: return "Poor connection"
        }
    }

    /// The bars lit for `quality`: all of them when good, two when weak, one when poor.
    public static func litBars(for quality: ConnectionQuality) -> Int {
        switch quality {
        case .good: return 3
        case .weak: return 2
        case .poor: return 1
        }
    }

    /// The stats view: the numbers behind the verdict, then the remote picture's size and our
    /// encoder's target, one per line with the values in one column (for a monospaced font):
    ///
    ///     round trip   41 ms
    ///     loss         0.5 %
    ///     received     2210 kbit/s
    ///     frame rate   30 fps
    ///     freezes      0
    ///     remote size  720x1280
    ///     target rate  2200 kbit/s
    public static func lines(for stats: CallStats) -> [String] {
        let measured = stats.measured
        let size = stats.remoteWidth == 0 || stats.remoteHeight == 0
            ? "-" // no remote picture decoded yet
            : "\(stats.remoteWidth)x\(stats.remoteHeight)"
        return [
            line("round trip", "\(measured.rttMs.map(whole) ?? "?") ms"),
            line("loss", "\(String(format: "%.1f", measured.lossPercent)) %"),
            line("received", "\(whole(measured.receivedKbps)) kbit/s"),
            line("frame rate", "\(whole(measured.fps)) fps"),
            line("freezes", "\(measured.freezes)"),
            line("remote size", size),
            line("target rate", "\(whole(Double(stats.videoTargetBitrateBps) / 1000)) kbit/s"),
        ]
    }

    /// Where the values start: the web panel's column.
    static let valueColumn = 13

    private static func line(_ label: String, _ value: String) -> String {
        label + String(repeating: " ", count: max(1, valueColumn - label.count)) + value
    }

    /// `value` rounded half away from zero, as the web client's `Math.round` does for these
    /// positive numbers. `String(format:)` without a locale always writes ASCII digits, and
    /// unlike `Int(_:)` it cannot trap on a value out of range.
    private static func whole(_ value: Double) -> String {
        String(format: "%.0f", value.rounded())
    }
}
