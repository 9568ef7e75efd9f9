import Foundation
import VideoChatCore
import XCTest
@testable import VideoChatKit

/// The call model driven the way the core drives it: callbacks on the bridge from another thread.
@MainActor
private final class Harness {
    let session = FakeSession()
    let media = FakeMedia()
    var listener: CallListener?
    var time = ContinuousClock.now
    let facing: CameraFacing
    let relayURL: String
    let cameraAllowed: Bool
    lazy var model = CallModel(
        config: CallConfig(relayUrl: relayURL, room: "kitchen", remoteVideoFormat: .i420),
        facing: facing, cameraAllowed: cameraAllowed, media: media, video: nil, audio: nil,
        makeSession: { [unowned self] _, listener in
            self.listener = listener
            return self.session
        },
        now: { [unowned self] in self.time })
    private var running: Task<Void, Never>?

    init(facing: CameraFacing = .user, relayURL: String = "wss://relay.example/ws", cameraAllowed: Bool = true) {
        self.facing = facing
        self.relayURL = relayURL
        self.cameraAllowed = cameraAllowed
    }

    /// Starts the call and waits until the media runs.
    func start() async throws {
        running = Task { await model.run() }
        let started = await eventually { self.media.startedFacing != nil }
        XCTAssertTrue(started, "the media never started")
    }

    /// The core reports `state` from its listener thread.
    func coreReports(_ state: CallState) {
        let listener = self.listener
        Thread { try? listener?.onStateChanged(state: state) }.start()
    }

    /// The core sends `stats` from its listener thread.
    func coreReports(stats: CallStats) {
        let listener = self.listener
        Thread { try? listener?.onStats(stats: stats) }.start()
    }

    func leave() async {
        running?.cancel()
        await running?.value
    }

    func finished() async {
        await running?.value
    }
}

final class CallModelTests: XCTestCase {
    @MainActor
    func testTheStatusLineFollowsTheCore() async throws {
        let harness = Harness()
        try await harness.start()
        XCTAssertEqual(harness.model.statusText, "Connecting to the relay")
        harness.coreReports(.waitingForPeer)
        let waiting = await eventually { harness.model.state == .waitingForPeer }
        XCTAssertTrue(waiting)
        XCTAssertEqual(harness.model.statusText, "Waiting for the other person")
        XCTAssertEqual(harness.model.detailText, "Share the room name so they can join.")
        await harness.leave()
    }

    @MainActor
    func testTheCallStartsWithTheConfiguredCameraRunning() async throws {
        let harness = Harness()
        try await harness.start()
        XCTAssertEqual(harness.media.startedFacing, .user)
        XCTAssertEqual(harness.media.cameraRunning.last, true)
        XCTAssertTrue(harness.model.mirrorsSelfView)
        await harness.leave()
    }

    @MainActor
    func testACallStartedOnTheRearCameraTellsTheCoreAndIsNotMirrored() async throws {
        let harness = Harness(facing: .environment)
        try await harness.start()
        XCTAssertEqual(harness.media.startedFacing, .environment)
        XCTAssertEqual(harness.session.facings, [.environment])
        XCTAssertFalse(harness.model.mirrorsSelfView)
        await harness.leave()
    }

    @MainActor
    func testSwitchingTellsTheCoreTheNewFacingAndUnmirrorsTheSelfView() async throws {
        let harness = Harness()
        try await harness.start()
        await harness.model.switchCamera()
        XCTAssertEqual(harness.model.facing, .environment)
        XCTAssertEqual(harness.session.facings, [.user, .environment])
        XCTAssertFalse(harness.model.mirrorsSelfView)
        await harness.leave()
    }

    @MainActor
    func testQuickSecondTapDoesNotSwitchBack() async throws {
        let harness = Harness()
        try await harness.start()
        await harness.model.switchCamera()
        harness.time += .milliseconds(100)
        await harness.model.switchCamera()
        XCTAssertEqual(harness.session.facings, [.user, .environment])
        harness.time += .seconds(1)
        await harness.model.switchCamera()
        XCTAssertEqual(harness.session.facings, [.user, .environment, .user])
        await harness.leave()
    }

    @MainActor
    func testTheSwitchButtonIsBusyWhileTheCameraChanges() async throws {
        let harness = Harness()
        try await harness.start()
        harness.media.holdSwitch = true
        let first = Task { await harness.model.switchCamera() }
        let busy = await eventually { harness.model.isSwitchingCamera }
        XCTAssertTrue(busy)
        harness.time += .seconds(5)
        await harness.model.switchCamera() // ignored: one switch at a time
        harness.media.releaseSwitch()
        await first.value
        XCTAssertFalse(harness.model.isSwitchingCamera)
        XCTAssertEqual(harness.session.facings, [.user, .environment])
        await harness.leave()
    }

    @MainActor
    func testAFailedSwitchKeepsTheCameraAndSaysSo() async throws {
        let harness = Harness()
        try await harness.start()
        harness.media.switchSucceeds = false
        await harness.model.switchCamera()
        XCTAssertEqual(harness.model.facing, .user)
        XCTAssertEqual(harness.session.facings, [.user])
        XCTAssertNotNil(harness.model.errorText)
        await harness.leave()
    }

    @MainActor
    func testMuteAndVideoOffReachTheCore() async throws {
        let harness = Harness()
        try await harness.start()
        harness.model.toggleMute()
        harness.model.toggleVideo()
        XCTAssertEqual(harness.session.muted, [true])
        XCTAssertEqual(harness.session.videoEnabled, [false])
        XCTAssertEqual(harness.media.cameraRunning.last, false)
        harness.model.toggleVideo()
        XCTAssertEqual(harness.media.cameraRunning.last, true)
        await harness.leave()
    }

    @MainActor
    func testBackgroundPausesTheCameraWithoutEndingTheCall() async throws {
        let harness = Harness()
        try await harness.start()
        harness.model.setInBackground(true)
        XCTAssertEqual(harness.media.cameraRunning.last, false)
        XCTAssertEqual(harness.session.hangUps, 0)
        harness.model.setInBackground(false)
        XCTAssertEqual(harness.media.cameraRunning.last, true)
        await harness.leave()
    }

    @MainActor
    func testComingBackWithVideoOffKeepsTheCameraOff() async throws {
        let harness = Harness()
        try await harness.start()
        harness.model.toggleVideo()
        harness.model.setInBackground(true)
        harness.model.setInBackground(false)
        XCTAssertEqual(harness.media.cameraRunning.last, false)
        await harness.leave()
    }

    @MainActor
    func testWhenThePeerLeavesTheDevicesAreFreedWithoutHangingUp() async throws {
        let harness = Harness()
        try await harness.start()
        harness.coreReports(.ended(reason: .peerLeft))
        await harness.finished()
        XCTAssertTrue(harness.model.isOver)
        XCTAssertEqual(harness.model.statusText, "Call ended")
        XCTAssertEqual(harness.model.detailText, "The other person left.")
        XCTAssertEqual(harness.media.stops, 1)
        XCTAssertEqual(harness.session.hangUps, 0)
    }

    @MainActor
    func testLeavingTheScreenHangsUpAndFreesEverything() async throws {
        let harness = Harness()
        try await harness.start()
        await harness.leave()
        XCTAssertEqual(harness.session.hangUps, 1)
        XCTAssertEqual(harness.media.stops, 1)
    }

    @MainActor
    func testAnErrorIsShownUntilTheCallConnects() async throws {
        let harness = Harness()
        try await harness.start()
        let listener = harness.listener
        Thread { try? listener?.onError(error: .InvalidFrame(reason: "odd stride")) }.start()
        let shown = await eventually { harness.model.errorText != nil }
        XCTAssertTrue(shown)
        XCTAssertEqual(harness.model.detailText, "The camera delivered a picture the call cannot use.")
        harness.coreReports(.connected)
        let cleared = await eventually { harness.model.errorText == nil }
        XCTAssertTrue(cleared)
        await harness.leave()
    }

    @MainActor
    func testThePeersMuteAndCameraOffShowOnTheRemoteTile() async throws {
        let harness = Harness()
        try await harness.start()
        harness.coreReports(.connected)
        let connected = await eventually { harness.model.state == .connected }
        XCTAssertTrue(connected)
        XCTAssertFalse(harness.model.showsRemoteMuted || harness.model.showsRemoteCameraOff)
        let listener = harness.listener
        Thread { try? listener?.onRemoteMediaChanged(state: MediaState(audio: false, video: false)) }.start()
        let told = await eventually { harness.model.remoteMedia == MediaState(audio: false, video: false) }
        XCTAssertTrue(told)
        XCTAssertTrue(harness.model.showsRemoteMuted && harness.model.showsRemoteCameraOff)
        harness.coreReports(.reconnecting)
        let reconnecting = await eventually { harness.model.state == .reconnecting }
        XCTAssertTrue(reconnecting)
        XCTAssertTrue(harness.model.dimsRemoteVideo)
        XCTAssertEqual(harness.model.statusText, "Reconnecting...")
        await harness.leave()
    }

    @MainActor
    func testTheQualityIndicatorShowsTheCoresVerdictInACallOnly() async throws {
        let harness = Harness()
        try await harness.start()
        harness.coreReports(.connected)
        let connected = await eventually { harness.model.state == .connected }
        XCTAssertTrue(connected)
        // Connected, but nothing measured yet: hidden.
        let unmeasured = makeStats(quality: nil)
        harness.coreReports(stats: unmeasured)
        let told = await eventually { harness.model.stats == unmeasured }
        XCTAssertTrue(told)
        XCTAssertNil(harness.model.connectionQuality)
        XCTAssertNil(harness.model.statsLines)
        harness.coreReports(stats: makeStats(quality: .poor))
        let poor = await eventually { harness.model.connectionQuality == .poor }
        XCTAssertTrue(poor)
        XCTAssertEqual(harness.model.statsLines?.first, "round trip   41 ms")
        // The last stats of an ended call still carry a verdict; it is not shown.
        harness.coreReports(.ended(reason: .peerLeft))
        await harness.finished()
        XCTAssertEqual(harness.model.stats?.quality, .poor)
        XCTAssertNil(harness.model.connectionQuality)
        XCTAssertNil(harness.model.statsLines)
    }

    @MainActor
    func testARefusedConfigIsExplainedAndNothingStarts() async {
        let media = FakeMedia()
        let model = CallModel(
            config: CallConfig(relayUrl: "nonsense", room: "kitchen", remoteVideoFormat: .i420),
            media: media, video: nil, audio: nil,
            makeSession: { _, _ in throw CallError.InvalidConfig(reason: "relay URL") })
        await model.run()
        XCTAssertTrue(model.isOver)
        XCTAssertEqual(model.statusText, "Call failed")
        XCTAssertEqual(model.detailText, "The relay address or room is not valid: relay URL.")
        XCTAssertNil(media.startedFacing)
    }

    @MainActor
    func testWithoutTheCameraTheCallIsAudioOnlyAndThePeerIsTold() async throws {
        let harness = Harness(cameraAllowed: false)
        try await harness.start()
        XCTAssertEqual(harness.session.videoEnabled, [false])
        XCTAssertEqual(harness.media.startedWithCamera, false)
        XCTAssertEqual(harness.media.cameraRunning.last, false)
        XCTAssertFalse(harness.model.isVideoEnabled)
        XCTAssertEqual(harness.model.detailText, PermissionStep.cameraRefusedText)
        harness.model.toggleVideo() // the button does nothing: there is no camera to turn on
        XCTAssertFalse(harness.model.isVideoEnabled)
        XCTAssertEqual(harness.session.videoEnabled, [false])
        await harness.leave()
    }

    @MainActor
    func testWithTheCameraTheCoreIsNotToldVideoIsOff() async throws {
        let harness = Harness()
        try await harness.start()
        XCTAssertEqual(harness.session.videoEnabled, [])
        XCTAssertEqual(harness.media.startedWithCamera, true)
        await harness.leave()
    }

    @MainActor
    func testAnUnreachableRelayOnThePrivateNetworkPointsToTheLocalNetworkSetting() async throws {
        let harness = Harness(relayURL: "ws://192.168.1.20:8080/ws")
        try await harness.start()
        harness.coreReports(.ended(reason: .signalingLost))
        await harness.finished()
        let detail = try XCTUnwrap(harness.model.detailText)
        XCTAssertTrue(detail.contains("192.168.1.20"), detail)
        XCTAssertTrue(detail.contains("Settings > Privacy & Security > Local Network"), detail)
    }

    @MainActor
    func testAnUnreachableRelayOnTheInternetKeepsTheGeneralMessage() async throws {
        let harness = Harness(relayURL: "wss://relay.example.org/ws")
        try await harness.start()
        harness.coreReports(.ended(reason: .signalingLost))
        await harness.finished()
        XCTAssertEqual(harness.model.detailText, "No network: the relay could not be reached.")
    }
}
