import Foundation
import VideoChatCore

/// How the device is held: the four cases of `UIDeviceOrientation` that say which way is up.
/// (Face up, face down and unknown say nothing; keep the last of these then.)
public enum DeviceOrientation: Sendable, CaseIterable {
    /// Upright, home indicator at the bottom.
    case portrait
    /// Upside down.
    case portraitUpsideDown
    /// Turned so its top points left (`UIDeviceOrientation.landscapeLeft`).
    case landscapeLeft
    /// Turned so its top points right.
    case landscapeRight
}

/// The clockwise rotation, in degrees, that makes a captured picture upright.
public enum FrameRotation: UInt32, Sendable, CaseIterable {
    case upright = 0
    case clockwise90 = 90
    case clockwise180 = 180
    case clockwise270 = 270

    /// Whether width and height trade places.
    public var swapsSides: Bool {
        self == .clockwise90 || self == .clockwise270
    }

    /// The right angle nearest to `degrees` (any angle, negative or past a full turn, as a
    /// rotation coordinator or a sensor reports it); halfway cases round away from zero. A
    /// non-finite angle gives `nil`.
    public static func nearest(toDegrees degrees: Double) -> FrameRotation? {
        guard degrees.isFinite else { return nil }
        let quarterTurns = Int((degrees / 90).rounded(.toNearestOrAwayFromZero).truncatingRemainder(dividingBy: 4))
        return FrameRotation(rawValue: UInt32((quarterTurns + 4) % 4 * 90))
    }
}

extension DeviceOrientation {
    /// How far the device is turned from upright, clockwise as its user sees the screen.
    var turnDegrees: Double {
        switch self {
        case .portrait: return 0
        case .landscapeLeft: return 90
        case .portraitUpsideDown: return 180
        case .landscapeRight: return 270
        }
    }

    /// How the device is held, from the gravity vector Core Motion reports in the device's own
    /// axes (x to the right of the screen, y to its top, z out of it; in g). This works with the
    /// orientation lock on, unlike `UIDevice.orientation`.
    ///
    /// `nil` while the phone lies nearly flat (gravity mostly along z) or the reading says
    /// nothing. Near a diagonal the `previous` orientation is kept until the device is turned
    /// clearly past it (`hysteresisDegrees` beyond the 45° line), so a phone held at an angle
    /// does not flip the sent picture back and forth.
    public static func fromGravity(
        x: Double, y: Double, z: Double,
        previous: DeviceOrientation?,
        hysteresisDegrees: Double = 10
    ) -> DeviceOrientation? {
        guard x.isFinite, y.isFinite, z.isFinite else { return nil }
        let inPlane = (x * x + y * y).squareRoot()
        // Flat on a table (less than ~25° from horizontal): the screen's "up" is meaningless.
        guard inPlane >= 0.4, inPlane >= abs(z) * 0.45 else { return nil }
        // Upright: gravity points to the bottom of the screen (y = -1). The top turned to the
        // left (landscapeLeft) puts gravity along -x.
        var angle = atan2(-x, -y) * 180 / .pi
        if angle < 0 {
            angle += 360
        }
        if let previous {
            var distance = abs(angle - previous.turnDegrees).truncatingRemainder(dividingBy: 360)
            if distance > 180 {
                distance = 360 - distance
            }
            if distance <= 45 + hysteresisDegrees {
                return previous
            }
        }
        switch FrameRotation.nearest(toDegrees: angle) {
        case .upright?: return .portrait
        case .clockwise90?: return .landscapeLeft
        case .clockwise180?: return .portraitUpsideDown
        case .clockwise270?: return .landscapeRight
        case nil: return nil
        }
    }
}

/// Rotation, size and mirroring rules for captured and remote pictures.
public enum FrameGeometry {
    /// The rotation of a frame from `AVCaptureVideoDataOutput` left in the sensor's own
    /// orientation (no `videoRotationAngle` set, which would cost a rotation pass before the
    /// core's): both cameras' sensors lie in landscape, and the front one's picture is the back
    /// one's turned half way in landscape. The same table as WebRTC's iOS capturer.
    public static func captureRotation(device: DeviceOrientation, facing: CameraFacing) -> FrameRotation {
        switch device {
        case .portrait:
            return .clockwise90
        case .portraitUpsideDown:
            return .clockwise270
        case .landscapeLeft:
            return facing == .user ? .clockwise180 : .upright
        case .landscapeRight:
            return facing == .user ? .upright : .clockwise180
        }
    }

    /// The size a `width` x `height` buffer has once turned by `rotation`.
    public static func uprightSize(width: Int, height: Int, rotation: FrameRotation) -> CGSize {
        rotation.swapsSides
            ? CGSize(width: height, height: width)
            : CGSize(width: width, height: height)
    }

    /// The largest size with `content`'s aspect ratio that fits in `bounds` (letterboxed, never
    /// cropped or stretched). Zero for an empty content or bounds.
    public static func aspectFit(_ content: CGSize, in bounds: CGSize) -> CGSize {
        guard content.width > 0, content.height > 0, bounds.width > 0, bounds.height > 0 else {
            return .zero
        }
        let scale = min(bounds.width / content.width, bounds.height / content.height)
        return CGSize(width: content.width * scale, height: content.height * scale)
    }

    /// The self-view's size in the corner: the picture's aspect ratio, its longer side `longSide`.
    public static func selfViewSize(picture: CGSize, longSide: CGFloat) -> CGSize {
        aspectFit(picture, in: CGSize(width: longSide, height: longSide))
    }
}
