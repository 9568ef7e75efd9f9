import VideoChatCore
import XCTest
@testable import VideoChatKit

final class StatusTextTests: XCTestCase {
    private let endReasons: [EndReason] = [.hungUp, .peerLeft, .roomFull, .iceFailed, .signalingLost, .peerUnresponsive]
    private let failures: [CallFailure] = [.badRoom, .malformedMessage(kind: "offer"), .incompatiblePeer, .internal]

    func testEachStateTheIssueNamesIsSaidInWords() {
        XCTAssertEqual(StatusText.describe(.waitingForPeer), "Waiting for the other person")
        XCTAssertEqual(StatusText.describe(.negotiating), "Connecting")
        XCTAssertEqual(StatusText.describe(.reconnecting), "Reconnecting...")
        XCTAssertEqual(StatusText.detail(.ended(reason: .roomFull)), "This room is full: two people are already in it.")
        XCTAssertEqual(StatusText.detail(.ended(reason: .peerLeft)), "The other person left.")
        XCTAssertEqual(StatusText.detail(.ended(reason: .signalingLost)), "No network: the relay could not be reached.")
    }

    func testEveryEndReasonAndFailureHasItsOwnSentence() {
        let sentences = endReasons.map { StatusText.detail(.ended(reason: $0)) }
            + failures.map { StatusText.detail(.failed(failure: $0)) }
        XCTAssertEqual(Set(sentences.compactMap { $0 }).count, endReasons.count + failures.count)
    }

    func testErrorsAreSaidInWordsAndAFailureAsItsFailure() {
        XCTAssertEqual(
            StatusText.describe(CallError.InvalidConfig(reason: "bad url")),
            "The relay address or room is not valid: bad url.")
        XCTAssertEqual(StatusText.describe(CallError.Failed(failure: .badRoom)), StatusText.describe(CallFailure.badRoom))
    }

    func testOnlyEndedAndFailedAreTerminal() {
        XCTAssertTrue(StatusText.isTerminal(.ended(reason: .hungUp)))
        XCTAssertTrue(StatusText.isTerminal(.failed(failure: .badRoom)))
        for state: CallState in [.connecting, .waitingForPeer, .negotiating, .connected, .reconnecting] {
            XCTAssertFalse(StatusText.isTerminal(state), "\(state)")
        }
    }
}
