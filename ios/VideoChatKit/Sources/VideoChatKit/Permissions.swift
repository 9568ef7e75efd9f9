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
public enum PermissionStep: Equatable, Sendable {
    /// Both allowed: join.
    case join
    /// Ask the system for these (its prompt shows the Info.plist usage strings).
    case ask([MediaDevice])
    /// Refused: explain why the call needs them, with a button to Settings.
    case explainRefusal([MediaDevice])

    /// The next step. A refusal wins over asking: a person who said no is not asked for the other
    /// device first and then told the call cannot happen anyway.
    public static func next(camera: PermissionStatus, microphone: PermissionStatus) -> PermissionStep {
        let statuses: [(MediaDevice, PermissionStatus)] = [(.camera, camera), (.microphone, microphone)]
        let refused = statuses.filter { $0.1 == .denied || $0.1 == .restricted }.map(\.0)
        if !refused.isEmpty {
            return .explainRefusal(refused)
        }
        let unasked = statuses.filter { $0.1 == .notDetermined }.map(\.0)
        return unasked.isEmpty ? .join : .ask(unasked)
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
}
