import VideoChatCore
import XCTest
@testable import VideoChatKit

/// The model against the real core library (no relay needed): what the Swift side relies on.
final class RealCoreTests: XCTestCase {
    func testTheNativeLibraryLoads() {
        XCTAssertFalse(coreVersion().isEmpty)
    }

    func testTheCoreAndTheKitAgreeOnMirroring() {
        XCTAssertTrue(mirrorsSelfView(facing: .user))
        XCTAssertFalse(mirrorsSelfView(facing: .environment))
    }

    @MainActor
    func testABadRelayAddressIsRefusedByTheCoreInWords() async {
        let media = FakeMedia()
        let model = CallModel(
            config: CallConfig(relayUrl: "relay.example", room: "kitchen", remoteVideoFormat: .i420),
            media: media, video: nil, audio: nil)
        await model.run()
        XCTAssertTrue(model.isOver)
        let text = model.errorText ?? ""
        XCTAssertTrue(text.hasPrefix("The relay address or room is not valid:"), text)
        XCTAssertTrue(text.contains("ws://"), text)
        XCTAssertNil(media.startedFacing)
    }

    @MainActor
    func testABadRoomNameIsRefusedByTheCore() async {
        let model = CallModel(
            config: CallConfig(relayUrl: "ws://127.0.0.1:9/ws", room: "two words", remoteVideoFormat: .i420),
            media: FakeMedia(), video: nil, audio: nil)
        await model.run()
        XCTAssertTrue(model.errorText?.contains("two words") == true, model.errorText ?? "")
    }
}
