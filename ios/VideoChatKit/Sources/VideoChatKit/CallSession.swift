import Foundation
import VideoChatCore

/// The controls of a running call, as the call model and the capture services use them.
///
/// The core's `Call` conforms as it is (the requirements are its generated methods, names and
/// labels included); tests and previews use fakes. Every method returns quickly and may be
/// called from any thread.
public protocol CallSession: AnyObject, Sendable {
    /// Tells the core which camera feeds the call; the next frame goes out as a key frame.
    func setCameraFacing(facing: CameraFacing)
    /// Sends silence instead of the microphone while `muted`.
    func setMuted(muted: Bool)
    /// Stops or resumes sending video.
    func setVideoEnabled(enabled: Bool)
    /// Ends the call; the last state (`ended(hungUp)`) follows. Safe to call twice.
    func hangUp()
    /// Hands in one NV12 camera frame as captured, with the clockwise `rotationDegrees` (0, 90,
    /// 180 or 270) that makes it upright. The planes are read in place, not copied at the boundary.
    func sendVideoNv12(
        y: Data, uv: Data, strideY: UInt32, strideUv: UInt32,
        width: UInt32, height: UInt32, rotationDegrees: UInt32, timestampUs: Int64
    ) throws
    /// Hands in 20 ms of microphone audio: 960 samples, 48 kHz mono, 16-bit little-endian.
    func sendAudio(pcm: Data) throws
}

extension Call: CallSession {}

/// The phone's camera and microphone as the call model drives them. The app's capture and audio
/// services implement it; tests use a fake.
@MainActor
public protocol LocalMedia: AnyObject {
    /// Starts the microphone and speaker, and the camera (`facing`) if `withCamera`, sending to
    /// `session`. Throws what could not be started; the call goes on without it.
    func start(sendingTo session: any CallSession, facing: CameraFacing, withCamera: Bool) async throws
    /// Swaps the camera while frames keep flowing. Returns `false` if the other camera could
    /// not be opened (the old one is then still in use).
    func switchCamera(to facing: CameraFacing) async -> Bool
    /// Runs or pauses the camera (video turned off, or the app in the background).
    func setCameraRunning(_ running: Bool)
    /// Stops everything and lets go of the session. Safe to call twice.
    func stop()
}
