import VideoChatCore
import XCTest
@testable import VideoChatKit

final class QualityTextTests: XCTestCase {
    func testEachLevelHasTheWebClientsWordsAndFewerBarsTheWorseItIs() {
        XCTAssertEqual(QualityText.describe(.good), "Good connection")
        XCTAssertEqual(QualityText.describe(.weak), "Weak connection")
        XCTAssertEqual(QualityText.describe(.poor), "Poor connection")
        XCTAssertEqual(QualityText.litBars(for: .good), QualityText.barCount)
        XCTAssertEqual(QualityText.litBars(for: .weak), 2)
        XCTAssertEqual(QualityText.litBars(for: .poor), 1)
    }

    func testTheStatsLinesAreTheWebPanelsWithTheRemoteSizeAndOurTarget() {
        XCTAssertEqual(QualityText.lines(for: makeStats(quality: .good)), [
            "round trip   41 ms",
            "loss         0.5 %",
            "received     2210 kbit/s",
            "frame rate   30 fps",
            "freezes      0",
            "remote size  720x1280",
            "target rate  2200 kbit/s",
        ])
    }

    func testAnUnmeasuredRoundTripIsAQuestionMark() {
        let measured = QualitySample(
            rttMs: nil, lossPercent: 0, receivedKbps: 0, fps: 0, freezes: 0, videoExpected: false)
        let lines = QualityText.lines(for: makeStats(quality: .good, measured: measured))
        XCTAssertEqual(lines.first, "round trip   ? ms")
        XCTAssertEqual(lines[1], "loss         0.0 %")
    }

    func testNumbersAreRoundedToTheirUnit() {
        let measured = QualitySample(
            rttMs: 249.5, lossPercent: 7.96, receivedKbps: 99.4, fps: 7.5, freezes: 3, videoExpected: true)
        let lines = QualityText.lines(for: makeStats(
            quality: .poor, measured: measured, remoteWidth: 0, remoteHeight: 0, videoTargetBitrateBps: 1_499))
        XCTAssertEqual(lines, [
            "round trip   250 ms",     // half away from zero, as Math.round
            "loss         8.0 %",      // one decimal, never a comma
            "received     99 kbit/s",
            "frame rate   8 fps",
            "freezes      3",
            "remote size  -",          // no picture decoded yet
            "target rate  1 kbit/s",
        ])
    }

    func testTheValuesStartInOneColumn() {
        for line in QualityText.lines(for: makeStats(quality: .weak)) {
            let column = line.index(line.startIndex, offsetBy: QualityText.valueColumn)
            XCTAssertEqual(line[line.index(before: column)], " ", line)
            XCTAssertNotEqual(line[column], " ", line)
        }
    }
}
