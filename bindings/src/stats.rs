//! Call statistics for the UI (a quality indicator, a debug overlay).

/// A snapshot of the call's media, sent about once a second while connected.
#[derive(Debug, Clone, Copy, PartialEq, Default, uniffi::Record)]
pub struct CallStats {
    /// Video frames encoded and sent since the call started.
    pub video_frames_sent: u64,
    /// Remote video frames decoded since the call started.
    pub video_frames_received: u64,
    /// Audio packets received since the call started.
    pub audio_packets_received: u64,
    /// The encoder's current target bitrate.
    pub video_bitrate_kbps: u32,
    /// Round-trip time to the other peer, when known.
    pub rtt_ms: Option<u32>,
    /// Packets the other side reports lost, 0-100, over the last report interval.
    pub packet_loss_percent: f32,
    /// Remote frames dropped because the listener was too slow to take them.
    pub frames_dropped_for_listener: u64,
}
