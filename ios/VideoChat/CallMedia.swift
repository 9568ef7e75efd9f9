import UIKit
import VideoChatCore
import VideoChatKit

/// The phone's camera, microphone and speaker for one call, as the call model drives them:
/// `CaptureService` for video, `AudioService` for sound, and the device orientation that tells
/// the capture which way frames must turn.
@MainActor
final class CallMedia: LocalMedia {
    let capture = CaptureService()
    let audio = AudioService()
    private var orientationObserver: NSObjectProtocol?

    func start(sendingTo session: any CallSession, facing: CameraFacing) async throws {
        followDeviceOrientation()
        // Each device on its own: a call without a camera (or without sound) still goes on.
        var failure: Error?
        do {
            try audio.start(sendingTo: session)
        } catch {
            failure = error
        }
        do {
            try await capture.start(sendingTo: session, facing: facing)
        } catch {
            failure = failure ?? error
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
        if let orientationObserver {
            NotificationCenter.default.removeObserver(orientationObserver)
            UIDevice.current.endGeneratingDeviceOrientationNotifications()
        }
        orientationObserver = nil
        capture.stop()
        audio.stop()
    }

    /// Keeps the capture's idea of "up" current. Face up, face down and unknown keep the last.
    private func followDeviceOrientation() {
        guard orientationObserver == nil else { return }
        let device = UIDevice.current
        device.beginGeneratingDeviceOrientationNotifications()
        update(from: device.orientation)
        orientationObserver = NotificationCenter.default.addObserver(
            forName: UIDevice.orientationDidChangeNotification, object: nil, queue: .main
        ) { [weak self] _ in
            Task { @MainActor in
                self?.update(from: UIDevice.current.orientation)
            }
        }
    }

    private func update(from orientation: UIDeviceOrientation) {
        let mapped: DeviceOrientation
        switch orientation {
        case .portrait: mapped = .portrait
        case .portraitUpsideDown: mapped = .portraitUpsideDown
        case .landscapeLeft: mapped = .landscapeLeft
        case .landscapeRight: mapped = .landscapeRight
        default: return
        }
        capture.setDeviceOrientation(mapped)
    }
}
