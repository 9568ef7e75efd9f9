//! Call statistics for the UI (a quality indicator, a debug overlay).

use videochat_core::call as core_call;

use crate::dispatch::EventSink;

/// A snapshot of a call's counters, sent about once a second while the call runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Record)]
pub struct CallStats {
    /// Video frames encoded and sent.
    pub video_frames_sent: u64,
    /// Camera frames dropped before encoding (encoder busy, video off, not connected yet).
    pub video_frames_dropped: u64,
    /// Remote video frames decoded.
    pub video_frames_received: u64,
    /// Remote frames not delivered because the listener was too slow to take them.
    pub video_frames_dropped_for_listener: u64,
    /// Listener callbacks that threw (each was logged and skipped).
    pub listener_failures: u64,
    /// Key frames we sent.
    pub key_frames_sent: u64,
    /// Key frames we asked the remote for because we could not decode.
    pub key_frame_requests_sent: u64,
    /// Opus packets sent.
    pub audio_packets_sent: u64,
    /// Opus packets received.
    pub audio_packets_received: u64,
    /// 20 ms audio frames concealed because packets were missing.
    pub audio_frames_concealed: u64,
    /// The encoder's current target bitrate.
    pub video_target_bitrate_bps: u32,
    /// Size of the last decoded remote frame (0 before the first).
    pub remote_width: u32,
    /// See `remote_width`.
    pub remote_height: u32,
    /// Offers we made (the first, and one per ICE restart or new peer).
    pub offers_created: u64,
    /// Answers we made.
    pub answers_created: u64,
    /// From start to the first `Connected`, in milliseconds (0 until then).
    pub connected_after_ms: u64,
    /// From start to the first decoded remote frame, in milliseconds (0 until then).
    pub first_frame_after_ms: u64,
}

impl CallStats {
    /// The core's counters, plus what only the FFI layer knows.
    pub(crate) fn from_core(s: &core_call::CallStats, sink: &EventSink) -> Self {
        Self {
            video_frames_sent: s.video_frames_sent,
            video_frames_dropped: s.video_frames_dropped,
            video_frames_received: s.video_frames_received,
            video_frames_dropped_for_listener: sink.dropped_video(),
            listener_failures: sink.listener_failures(),
            key_frames_sent: s.key_frames_sent,
            key_frame_requests_sent: s.key_frame_requests_sent,
            audio_packets_sent: s.audio_packets_sent,
            audio_packets_received: s.audio_packets_received,
            audio_frames_concealed: s.audio_frames_concealed,
            video_target_bitrate_bps: s.video_target_bitrate_bps,
            remote_width: s.remote_width,
            remote_height: s.remote_height,
            offers_created: s.offers_created,
            answers_created: s.answers_created,
            connected_after_ms: s.connected_after_ms,
            first_frame_after_ms: s.first_frame_after_ms,
        }
    }
}
