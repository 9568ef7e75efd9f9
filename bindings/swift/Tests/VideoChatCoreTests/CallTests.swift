import Foundation
import XCTest
@testable import VideoChatCore

/// Mirrors bindings/kotlin/.../CallTest.kt: two calls through a real relay, real codecs, loopback.
final class CallTests: XCTestCase {
    private static var relay: Relay!

    override class func setUp() {
        super.setUp()
        initLogging(level: .error)
        relay = try? Relay()
    }

    override class func tearDown() {
        relay = nil
        super.tearDown()
    }

    private func config(_ room: String, _ format: FrameFormat = .rgba) throws -> CallConfig {
        let relay = try XCTUnwrap(Self.relay, "relay did not start (build it: cargo build -p videochat-server)")
        return CallConfig(relayUrl: relay.wsUrl, room: room, iceServers: [], remoteVideoFormat: format, includeLoopback: true)
    }

    private func newRoom() -> String { "sw-" + UUID().uuidString.prefix(8) }

    struct Side { let call: Call; let listener: RecordingListener; let camera: SyntheticCamera }

    private func withTwoCalls(aliceListener: RecordingListener = RecordingListener(),
                              bobListener: RecordingListener = RecordingListener(),
                              _ body: (Side, Side) throws -> Void) throws {
        let room = newRoom()
        let aliceCall = try Call(config: config(room, .rgba), listener: aliceListener)
        let bobCall = try Call(config: config(room, .i420), listener: bobListener)
        let alice = Side(call: aliceCall, listener: aliceListener, camera: SyntheticCamera(call: aliceCall, width: 320, height: 240))
        let bob = Side(call: bobCall, listener: bobListener, camera: SyntheticCamera(call: bobCall, width: 240, height: 320))
        defer {
            alice.camera.stop()
            bob.camera.stop()
        }
        try body(alice, bob)
        XCTAssertEqual(aliceListener.problems + bobListener.problems, [])
    }

    func testTwoCallsMeetThroughTheRelayAndExchangeVideoAndAudio() throws {
        try withTwoCalls { alice, bob in
            eventually("both connected") {
                alice.listener.hasState { $0 == .connected } && bob.listener.hasState { $0 == .connected }
            }
            eventually("30 video frames and 30 audio chunks each way") {
                [alice, bob].allSatisfy { $0.listener.videoFrames >= 30 && $0.listener.audioChunks >= 30 }
            }
            XCTAssertEqual(alice.listener.remoteSizes, [[240, 320]])
            XCTAssertEqual(bob.listener.remoteSizes, [[320, 240]])
            let stats = alice.call.stats()
            XCTAssertGreaterThan(stats.videoFramesSent, 0)
            XCTAssertGreaterThan(stats.audioPacketsSent, 0)
            eventually("stats arrive through the listener") { alice.listener.lastStats != nil }
            eventually("both sides finish the security-code exchange") {
                [alice, bob].allSatisfy {
                    if case .ready = $0.call.securityCode() { return true } else { return false }
                }
            }
            guard case let .ready(code) = alice.call.securityCode() else {
                return XCTFail("no security code: \(alice.call.securityCode())")
            }
            XCTAssertEqual(code.count, 7)
            XCTAssertEqual(bob.call.securityCode(), .ready(code: code))
        }
    }

    func testACameraSwitchWithANewSizeReachesTheOtherSideWithoutRenegotiation() throws {
        try withTwoCalls { alice, bob in
            eventually("Bob decodes Alice's user camera") { bob.listener.videoFrames >= 10 }
            XCTAssertEqual(alice.call.cameraFacing(), .user)
            let before = alice.call.stats()
            alice.call.setCameraFacing(facing: .environment)
            alice.camera.resize(width: 640, height: 480)
            XCTAssertEqual(alice.call.cameraFacing(), .environment)
            XCTAssertTrue(mirrorsSelfView(facing: .user))
            XCTAssertFalse(mirrorsSelfView(facing: .environment))
            eventually("Bob sees 640x480") { bob.listener.remoteSizes.last == [640, 480] }
            XCTAssertEqual(bob.listener.remoteSizes, [[320, 240], [640, 480]])
            let after = alice.call.stats()
            XCTAssertEqual(before.offersCreated + before.answersCreated, after.offersCreated + after.answersCreated)
        }
    }

    func testHangingUpEndsTheOtherSideWithPeerLeft() throws {
        try withTwoCalls { alice, bob in
            eventually("both connected") {
                alice.listener.hasState { $0 == .connected } && bob.listener.hasState { $0 == .connected }
            }
            alice.call.hangUp()
            eventually("Bob's call ends with peerLeft") { bob.listener.states.last == .ended(reason: .peerLeft) }
            eventually("Alice's call ends with hungUp") { alice.listener.states.last == .ended(reason: .hungUp) }
            XCTAssertThrowsError(try alice.call.sendAudio(pcm: Data(count: 1920))) { error in
                XCTAssertEqual(error as? CallError, .CallEnded)
            }
            alice.call.hangUp()
        }
    }

    func testAListenerThatThrowsOnEveryCallbackDoesNotTakeTheCallDown() throws {
        try withTwoCalls(bobListener: RecordingListener(throwEverywhere: true)) { alice, bob in
            eventually("Bob keeps receiving") { bob.listener.videoFrames >= 20 && bob.listener.audioChunks >= 20 }
            eventually("the failures are counted") { bob.call.listenerStats().failures >= 40 }
            alice.call.hangUp()
            eventually("Bob still hears that Alice left") { bob.listener.states.last == .ended(reason: .peerLeft) }
        }
    }

    func testBadConfigsAreRefusedWithTypedErrors() throws {
        var bad = try config("room")
        bad.relayUrl = "http://x"
        XCTAssertThrowsError(try Call(config: bad, listener: RecordingListener())) { error in
            guard case .InvalidConfig = error as? CallError else { return XCTFail("got \(error)") }
        }
        XCTAssertThrowsError(try Call(config: config(""), listener: RecordingListener())) { error in
            guard case .InvalidConfig = error as? CallError else { return XCTFail("got \(error)") }
        }
    }

    func testFramesWithWrongSizesOrRotationsAreRefused() throws {
        let call = try Call(config: config(newRoom()), listener: RecordingListener())
        let p = I420Planes(width: 64, height: 48, frame: 0)
        XCTAssertThrowsError(try call.sendVideoI420(y: p.y, u: p.u, v: p.v, strideY: 64, strideU: 32, strideV: 32, width: 64, height: 480, rotationDegrees: 0, timestampUs: 0))
        XCTAssertThrowsError(try call.sendVideoI420(y: p.y, u: p.u, v: p.v, strideY: 64, strideU: 32, strideV: 32, width: 64, height: 48, rotationDegrees: 45, timestampUs: 0))
        XCTAssertThrowsError(try call.sendAudio(pcm: Data(count: 100)))
        XCTAssertNoThrow(try call.sendVideoI420(y: p.y, u: p.u, v: p.v, strideY: 64, strideU: 32, strideV: 32, width: 64, height: 48, rotationDegrees: 90, timestampUs: 0))
    }

    func testReleasingACallStopsItsCallbacks() throws {
        let listener = RecordingListener()
        var call: Call? = try Call(config: config(newRoom()), listener: listener)
        eventually("the call reaches the relay") { listener.hasState { $0 == .waitingForPeer } }
        XCTAssertNotNil(call)
        call = nil // Swift's deterministic free: the last reference frees the call
        let statesAtRelease = listener.states.count
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(listener.states.count, statesAtRelease)
    }
}

/// The remote-frame path without a network.
final class FrameDeliveryTests: XCTestCase {
    final class Keeper: CallListener, @unchecked Sendable {
        var frames: [RemoteVideoFrame] = []
        var fail = false
        func onStateChanged(state: CallState) throws {}
        func onRemoteVideoFrame(frame: RemoteVideoFrame) throws {
            if fail { throw RecordingListener.Boom() }
            frames.append(frame)
        }
        func onRemoteAudio(pcm: Data) throws {}
        func onError(error: CallError) throws {}
        func onStats(stats: CallStats) throws {}
    }

    func testRemoteFramesCanBeReadInPlace() throws {
        let keeper = Keeper()
        let report = try measureFrameDelivery(listener: keeper, width: 6, height: 4, format: .i420, count: 3)
        XCTAssertEqual(report.frames, 3)
        let frame = try XCTUnwrap(keeper.frames.last)
        XCTAssertEqual(frame.planes().map(\.offset), [0, 24, 30])
        let inPlace = frame.withPixels { Data($0) }
        XCTAssertEqual(inPlace, frame.toBytes())
    }

    func testAListenerThatThrowsIsCountedNotFatal() throws {
        let keeper = Keeper()
        keeper.fail = true
        let report = try measureFrameDelivery(listener: keeper, width: 16, height: 16, format: .rgba, count: 5)
        XCTAssertEqual(report.listenerFailures, 5)
    }

    func testCameraPlanesCrossAsData() {
        let p = I420Planes(width: 1280, height: 720, frame: 0)
        XCTAssertEqual(measureFrameHandoff(y: p.y, u: p.u, v: p.v), UInt64(1280 * 720 * 3 / 2))
    }

    func testTheLibraryReportsItsVersion() {
        XCTAssertFalse(coreVersion().isEmpty)
        XCTAssertEqual(defaultIceServers().first?.urls, ["stun:stun.l.google.com:19302"])
    }
}
