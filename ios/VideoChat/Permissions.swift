import AVFoundation
import VideoChatKit

/// Camera and microphone permissions, as the kit's `PermissionStep` sees them.
enum Permissions {
    /// Asks for whatever has never been asked, then says what to do next.
    static func prepareForCall() async -> PermissionStep {
        var step = current()
        if case .ask(let devices) = step {
            for device in devices {
                _ = await AVCaptureDevice.requestAccess(for: mediaType(device))
            }
            step = current()
        }
        return step
    }

    /// The step for the permissions as they stand.
    static func current() -> PermissionStep {
        PermissionStep.next(camera: status(.camera), microphone: status(.microphone))
    }

    private static func status(_ device: MediaDevice) -> PermissionStatus {
        switch AVCaptureDevice.authorizationStatus(for: mediaType(device)) {
        case .authorized: return .granted
        case .denied: return .denied
        case .restricted: return .restricted
        case .notDetermined: return .notDetermined
        @unknown default: return .denied
        }
    }

    private static func mediaType(_ device: MediaDevice) -> AVMediaType {
        device == .camera ? .video : .audio
    }
}
