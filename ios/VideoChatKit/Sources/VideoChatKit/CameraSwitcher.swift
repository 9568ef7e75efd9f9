import VideoChatCore

extension CameraFacing {
    /// The other camera.
    public var toggled: CameraFacing {
        switch self {
        case .user: return .environment
        case .environment: return .user
        }
    }

    /// Whether the self-view of this camera is mirrored: only the user (front) camera's, as a
    /// mirror would show it. What is sent to the other person is never mirrored. (The core's
    /// rule, so Android, iOS and the core agree.)
    public var mirrorsSelfView: Bool {
        VideoChatCore.mirrorsSelfView(facing: self)
    }
}

/// The rules for the "switch camera" button: one switch at a time, and taps that come too soon
/// after the last accepted one are ignored, so a double tap does not switch twice (or flash the
/// other camera for a moment).
///
/// A value type without a clock of its own: the caller passes the time, so tests need no sleeps.
///
///     guard let target = switcher.begin(at: .now) else { return }  // ignored tap
///     let ok = await camera.switch(to: target)
///     switcher.finish(succeeded: ok)
public struct CameraSwitcher {
    /// Taps closer than this to the last accepted one are ignored: long enough to swallow a
    /// double tap, short enough not to feel ignored (the Android app uses the same).
    public static let defaultDebounce: Duration = .milliseconds(600)

    /// The camera in use (updated when a switch succeeds).
    public private(set) var facing: CameraFacing
    /// The camera a switch is under way to, if one is.
    public private(set) var pendingFacing: CameraFacing?

    private let debounce: Duration
    private var lastAccepted: ContinuousClock.Instant?

    /// Rules starting with `facing` in use.
    public init(facing: CameraFacing = .user, debounce: Duration = CameraSwitcher.defaultDebounce) {
        self.facing = facing
        self.debounce = debounce
    }

    /// Whether a switch is under way (the button shows as disabled).
    public var isSwitching: Bool {
        pendingFacing != nil
    }

    /// A tap at `now`: returns the camera to switch to, or `nil` if the tap is ignored (a switch
    /// is under way, or the last accepted tap was less than the debounce interval ago).
    public mutating func begin(at now: ContinuousClock.Instant) -> CameraFacing? {
        guard pendingFacing == nil else { return nil }
        if let last = lastAccepted, now - last < debounce {
            return nil
        }
        lastAccepted = now
        let target = facing.toggled
        pendingFacing = target
        return target
    }

    /// The switch begun last has finished. On success the target camera is in use; on failure
    /// the old one still is (the capture service put its input back).
    public mutating func finish(succeeded: Bool) {
        guard let target = pendingFacing else { return }
        if succeeded {
            facing = target
        }
        pendingFacing = nil
    }
}
