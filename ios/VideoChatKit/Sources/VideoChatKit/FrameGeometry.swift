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
