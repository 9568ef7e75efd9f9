import CoreMotion
import UIKit
import VideoChatCore
import VideoChatKit

/// The phone's camera, microphone and speaker for one call, as the call model drives them:
/// `CaptureService` for video, `AudioService` for sound, and (below iOS 17) Core Motion's idea of
/// how the phone is held, which tells the capture which way frames must turn.
@MainActor
final class CallMedia: LocalMedia {
    let capture = CaptureService()
    let audio = AudioService()
    private let held = HeldOrientation()

    func start(sendingTo session: any CallSession, facing: CameraFacing, withCamera: Bool) async throws {
        // Each device on its own: a call without a camera (or without sound) still goes on.
        var failure: Error?
        do {
            try audio.start(sendingTo: session)
        } catch {
            failure = error
        }
        if withCamera {
            followHowThePhoneIsHeld()
            do {
                try await capture.start(sendingTo: session, facing: facing)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure {
            throw failure
        }
    }

    func switchCamera(to facing: CameraFacing) async -> Bool {
        await capture.switchCamera(to: facing)
    }

    func setCameraRunning(_ running: Bool) {
        capture.setRunning(running)
    }

    func stop() {
        held.stop()
        capture.stop()
        audio.stop()
    }

    /// On iOS 17 and later the capture's rotation coordinator knows how the phone is held; before
    /// that, gravity tells it (`UIDevice.orientation` stays portrait with the orientation lock on,
    /// and a phone held sideways would send a sideways picture).
    private func followHowThePhoneIsHeld() {
        if #available(iOS 17.0, *) {
            return
        }
        held.start { [capture] orientation in
            capture.setDeviceOrientation(orientation)
        }
    }
}

/// How the phone is held, from Core Motion's gravity vector, five times a second.
final class HeldOrientation {
    private let motion = CMMotionManager()
    /// Serial: the handler reads and writes `current`.
    private let queue: OperationQueue = {
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "videochat.held-orientation"
        return queue
    }()
    private var current: DeviceOrientation?

    /// Calls `changed` (on a background queue) whenever the phone is turned to another of the
    /// four orientations. Lying flat keeps the last one. Does nothing without motion hardware
    /// (the simulator) or when already started.
    func start(_ changed: @escaping (DeviceOrientation) -> Void) {
        guard motion.isDeviceMotionAvailable, !motion.isDeviceMotionActive else { return }
        motion.deviceMotionUpdateInterval = 0.2
        motion.startDeviceMotionUpdates(to: queue) { [weak self] data, _ in
            guard let self, let gravity = data?.gravity,
                  let held = DeviceOrientation.fromGravity(x: gravity.x, y: gravity.y, z: gravity.z, previous: self.current),
                  held != self.current
            else { return }
            self.current = held
            changed(held)
        }
    }

    func stop() {
        motion.stopDeviceMotionUpdates()
    }
}
