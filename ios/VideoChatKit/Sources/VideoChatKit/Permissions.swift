/// What the system says about one permission (`AVAuthorizationStatus`, without AVFoundation).
public enum PermissionStatus: Sendable {
    /// Never asked.
    case notDetermined
    /// Allowed.
    case granted
    /// Refused by the person; only Settings can change it now.
    case denied
    /// Blocked by a device policy (parental controls, management).
    case restricted
}

/// The devices a call needs.
public enum MediaDevice: Sendable {
    case camera
    case microphone
}

/// What the start screen does before joining, given the camera's and microphone's permissions.
///
/// The microphone is what a call cannot do without; the camera is not: with the camera refused
/// the call goes on as an audio-only call (our video off, and the other side told so).
public enum PermissionStep: Equatable, Sendable {
    /// Join; with the camera only if it is allowed.
    case join(withCamera: Bool)
    /// Ask the system for these (its prompt shows the Info.plist usage strings).
    case ask([MediaDevice])
    /// Refused: explain why the call needs them, with a button to Settings.
    case explainRefusal([MediaDevice])

    /// The next step. A refused microphone wins over asking: a person who said no to it is not
    /// asked for the camera first and then told the call cannot happen anyway. A refused camera
    /// only turns the camera off.
    public static func next(camera: PermissionStatus, microphone: PermissionStatus) -> PermissionStep {
        if microphone.isRefused {
            return .explainRefusal(camera.isRefused ? [.camera, .microphone] : [.microphone])
        }
        let statuses: [(MediaDevice, PermissionStatus)] = [(.camera, camera), (.microphone, microphone)]
        let unasked = statuses.filter { $0.1 == .notDetermined }.map(\.0)
        return unasked.isEmpty ? .join(withCamera: camera == .granted) : .ask(unasked)
    }

    /// The explanation shown for a refusal.
    public static func refusalText(_ devices: [MediaDevice]) -> String {
        let names: String
        switch (devices.contains(.camera), devices.contains(.microphone)) {
        case (true, true): names = "camera and microphone"
        case (true, false): names = "camera"
        default: names = "microphone"
        }
        return "A video call needs the \(names). Allow access in Settings, then try again."
    }

    /// The line under an audio-only call's status: why the other person does not see us.
    public static let cameraRefusedText = "Audio only: the camera is not allowed for this app (Settings)."
}

extension PermissionStatus {
    /// Denied by the person or blocked by a policy: asking again shows nothing.
    var isRefused: Bool { self == .denied || self == .restricted }
}
