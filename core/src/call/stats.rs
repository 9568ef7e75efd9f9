//! What a call counts about itself (webrtc-rs's stats lack frame counts).

use std::sync::Mutex;
use std::time::Instant;

use crate::sync::lock;

/// A snapshot of a call's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Video frames encoded and handed to the network.
    pub video_frames_sent: u64,
    /// Camera frames dropped before encoding (encoder busy, video off, not connected).
    pub video_frames_dropped: u64,
    /// Remote video frames decoded.
    pub video_frames_received: u64,
    /// Key frames we sent.
    pub key_frames_sent: u64,
    /// Key frames we asked the remote for (PLI) because we could not decode.
    pub key_frame_requests_sent: u64,
    /// Opus packets sent.
    pub audio_packets_sent: u64,
    /// Opus packets received.
    pub audio_packets_received: u64,
    /// 20 ms audio frames rebuilt because packets were missing (from the next
    /// packet's in-band FEC, or concealed).
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
}

/// The live [`CallStats`] of a call, updated by its threads.
#[derive(Debug)]
pub(crate) struct Counters {
    started: Instant,
    stats: Mutex<CallStats>,
}

impl Counters {
    pub fn new(start_bitrate_bps: u32) -> Self {
        Self {
            started: Instant::now(),
            stats: Mutex::new(CallStats {
                video_target_bitrate_bps: start_bitrate_bps,
                ..CallStats::default()
            }),
        }
    }

    /// Changes the counters (a few additions under an uncontended lock).
    pub fn update(&self, change: impl FnOnce(&mut CallStats)) {
        change(&mut lock(&self.stats));
    }

    pub fn mark_connected(&self) {
        let elapsed = self.elapsed_ms();
        self.update(|s| {
            if s.connected_after_ms == 0 {
                s.connected_after_ms = elapsed;
            }
        });
    }

    pub fn record_remote_frame(&self, width: u32, height: u32) {
        let elapsed = self.elapsed_ms();
        self.update(|s| {
            s.video_frames_received += 1;
            (s.remote_width, s.remote_height) = (width, height);
            if s.first_frame_after_ms == 0 {
                s.first_frame_after_ms = elapsed;
            }
        });
    }

    pub fn snapshot(&self) -> CallStats {
        *lock(&self.stats)
    }

    fn elapsed_ms(&self) -> u64 {
        (self.started.elapsed().as_millis() as u64).max(1)
    }
}
