//! What the app and the media threads ask of the call's driver.

use bytes::Bytes;
use videochat_protocol::MediaState;

/// One request to the driver task, in the order sent.
#[derive(Debug)]
pub(crate) enum Command {
    /// The first camera frame or audio chunk arrived: our media is live.
    MediaLive,
    /// Our decoder cannot decode: ask the remote for a key frame (the driver
    /// throttles these).
    RequestKeyFrame,
    /// An encoded audio packet to send.
    Audio(Bytes),
    /// The user muted or unmuted, or turned the camera off or on.
    LocalMedia(MediaState),
    HangUp,
}
