import Foundation
import VideoChatCore
import XCTest
@testable import VideoChatKit

private final class AudioRecorder: RemoteAudioSink, @unchecked Sendable {
    private let lock = NSLock()
    private var _chunks: [Data] = []
    var chunks: [Data] { lock.locked { _chunks } }
    func play(_ pcm: Data) { lock.locked { _chunks.append(pcm) } }
}

final class CoreBridgeTests: XCTestCase {
    func testEventsArriveInOrderAndTheStreamEndsWithTheCall() async throws {
        let bridge = CoreBridge(video: nil, audio: nil)
        // The core calls from its own thread; so does this test.
        let core = Thread {
            try? bridge.onStateChanged(state: .waitingForPeer)
            try? bridge.onError(error: .Internal(reason: "test"))
            try? bridge.onStateChanged(state: .ended(reason: .peerLeft))
            try? bridge.onStateChanged(state: .connected) // after the end: never seen
        }
        core.start()
        var received: [String] = []
        for await event in bridge.events {
            received.append("\(event)")
        }
        XCTAssertEqual(received.count, 3)
        XCTAssertTrue(received[0].contains("waitingForPeer"), received[0])
        XCTAssertTrue(received[1].contains("Internal"), received[1])
        XCTAssertTrue(received[2].contains("peerLeft"), received[2])
    }

    func testRemoteAudioGoesStraightToTheSink() throws {
        let recorder = AudioRecorder()
        let bridge = CoreBridge(video: nil, audio: recorder)
        try bridge.onRemoteAudio(pcm: Data(repeating: 7, count: 1_920))
        XCTAssertEqual(recorder.chunks.map(\.count), [1_920])
    }
}
