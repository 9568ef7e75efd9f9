//! Call statistics for the UI (a quality indicator, a debug overlay).

pub use videochat_core::call::{CallStats, ConnectionQuality, QualitySample};

/// A snapshot of a call's counters, sent about once a second while the call runs.
///
/// The core's own type, declared again here only so UniFFI can generate it (the compiler checks
/// the two agree).
#[uniffi::remote(Record)]
pub struct CallStats {
    /// Video frames encoded and sent.
    pub video_frames_sent: u64,
    /// Camera frames dropped before encoding (encoder busy, video off, not connected yet).
    pub video_frames_dropped: u64,
    /// Remote video frames decoded.
    pub video_frames_received: u64,
    /// Key frames we sent.
    pub key_frames_sent: u64,
    /// Key frames we asked the remote for because we could not decode.
    pub key_frame_requests_sent: u64,
    /// Opus packets sent.
    pub audio_packets_sent: u64,
    /// Opus packets received.
    pub audio_packets_received: u64,
    /// Opus packets that never arrived.
    pub audio_packets_lost: u64,
    /// Video packets that arrived in decodable frames.
    pub video_packets_received: u64,
    /// Video packets lost for good (not repaired in time), or discarded with the frame they broke.
    pub video_packets_lost: u64,
    /// Media payload received, audio and video, in bytes.
    pub media_bytes_received: u64,
    /// Remote pictures that stayed on screen over half a second while the remote camera was on.
    pub video_freezes: u64,
    /// 20 ms audio frames rebuilt because packets were missing (FEC or concealment).
    pub audio_frames_concealed: u64,
    /// The encoder's current target bitrate.
    pub video_target_bitrate_bps: u32,
    /// Width of the last decoded remote frame (0 before the first).
    pub remote_width: u32,
    /// Height of the last decoded remote frame (0 before the first).
    pub remote_height: u32,
    /// Offers we made (the first, and one per ICE restart or new peer).
    pub offers_created: u64,
    /// Answers we made.
    pub answers_created: u64,
    /// From start to the first `Connected`, in milliseconds (0 until then).
    pub connected_after_ms: u64,
    /// From start to the first decoded remote frame, in milliseconds (0 until then).
    pub first_frame_after_ms: u64,
    /// What a good / weak / poor indicator shows: the last second's verdict if worse, a better
    /// one once it held for three seconds; `None` while the call is not connected (hide it).
    pub quality: Option<ConnectionQuality>,
    /// The numbers behind `quality`, for a stats view (all zero while it is `None`).
    pub measured: QualitySample,
}

/// A three-step connection-quality indicator: three bars, two, or one.
#[uniffi::remote(Enum)]
pub enum ConnectionQuality {
    /// Nothing the other person would notice.
    Good,
    /// Noticeable: some lag, loss or a choppy picture.
    Weak,
    /// The call is breaking up.
    Poor,
}

/// What a call measured over the last second: the raw numbers of a stats view.
#[uniffi::remote(Record)]
pub struct QualitySample {
    /// Round-trip time of the media path in milliseconds; `None` until measured.
    pub rtt_ms: Option<f64>,
    /// Packets lost on the way, in percent (0-100).
    pub loss_percent: f64,
    /// Media received, in kilobits per second.
    pub received_kbps: f64,
    /// Remote video frames decoded per second.
    pub fps: f64,
    /// Pictures that stayed on screen for over half a second.
    pub freezes: u32,
    /// The remote camera is on: frames should come.
    pub video_expected: bool,
}

/// How the app's listener keeps up with a call's callbacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Record)]
pub struct ListenerStats {
    /// Remote frames not delivered because the listener was too slow to take them.
    pub video_frames_dropped: u64,
    /// Listener callbacks that threw (each was logged and skipped).
    pub failures: u64,
}
