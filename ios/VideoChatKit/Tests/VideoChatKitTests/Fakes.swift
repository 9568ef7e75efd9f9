import Foundation
import VideoChatCore
@testable import VideoChatKit

/// A call session that records what it was told.
final class FakeSession: CallSession, @unchecked Sendable {
    private let lock = NSLock()
    private var _facings: [CameraFacing] = []
    private var _muted: [Bool] = []
    private var _videoEnabled: [Bool] = []
    private var _hangUps = 0

    var facings: [CameraFacing] { lock.locked { _facings } }
    var muted: [Bool] { lock.locked { _muted } }
    var videoEnabled: [Bool] { lock.locked { _videoEnabled } }
    var hangUps: Int { lock.locked { _hangUps } }

    func setCameraFacing(facing: CameraFacing) { lock.locked { _facings.append(facing) } }
    func setMuted(muted: Bool) { lock.locked { _muted.append(muted) } }
    func setVideoEnabled(enabled: Bool) { lock.locked { _videoEnabled.append(enabled) } }
    func hangUp() { lock.locked { _hangUps += 1 } }
    func sendVideoNv12(
        y: Data, uv: Data, strideY: UInt32, strideUv: UInt32,
        width: UInt32, height: UInt32, rotationDegrees: UInt32, timestampUs: Int64
    ) throws {}
    func sendAudio(pcm: Data) throws {}
}

/// Local media that records what the model asked and switches cameras when told to.
@MainActor
final class FakeMedia: LocalMedia {
    var startedFacing: CameraFacing?
    var startedWithCamera: Bool?
    var startError: Error?
    var switchSucceeds = true
    /// While set, a switch waits until `releaseSwitch()` is called.
    var holdSwitch = false
    var cameraRunning: [Bool] = []
    var stops = 0
    private var pendingSwitch: CheckedContinuation<Void, Never>?

    func start(sendingTo session: any CallSession, facing: CameraFacing, withCamera: Bool) async throws {
        if let startError { throw startError }
        startedFacing = facing
        startedWithCamera = withCamera
    }

    func switchCamera(to facing: CameraFacing) async -> Bool {
        if holdSwitch {
            await withCheckedContinuation { pendingSwitch = $0 }
        }
        return switchSucceeds
    }

    func releaseSwitch() {
        pendingSwitch?.resume()
        pendingSwitch = nil
    }

    func setCameraRunning(_ running: Bool) { cameraRunning.append(running) }
    func stop() { stops += 1 }
}

/// A stats record as the core sends it; only what the indicator and the stats view read is set.
func makeStats(
    quality: ConnectionQuality?,
    measured: QualitySample = QualitySample(
        rttMs: 41.2, lossPercent: 0.46, receivedKbps: 2_210.4, fps: 29.6, freezes: 0, videoExpected: true),
    remoteWidth: UInt32 = 720,
    remoteHeight: UInt32 = 1_280,
    videoTargetBitrateBps: UInt32 = 2_200_000
) -> CallStats {
    CallStats(
        videoFramesSent: 0, videoFramesDropped: 0, videoFramesReceived: 0, keyFramesSent: 0,
        keyFrameRequestsSent: 0, audioPacketsSent: 0, audioPacketsReceived: 0, audioPacketsLost: 0,
        videoPacketsReceived: 0, videoPacketsLost: 0, mediaBytesReceived: 0, videoFreezes: 0,
        audioFramesConcealed: 0, videoTargetBitrateBps: videoTargetBitrateBps,
        remoteWidth: remoteWidth, remoteHeight: remoteHeight, offersCreated: 0, answersCreated: 0,
        connectedAfterMs: 0, firstFrameAfterMs: 0, quality: quality, measured: measured)
}

/// Waits (without blocking the main actor) until `condition` holds, or fails after two seconds.
@MainActor
func eventually(_ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(2)
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return true
}

extension NSLock {
    /// Runs `body` holding the lock (a local helper: `withLock` is missing from older Foundations).
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
