//! What a call counts about itself (webrtc-rs's stats lack frame counts).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::sync::lock;

use super::quality::{ConnectionQuality, QualitySample};

/// A remote picture on screen this long before the next one is a freeze (as
/// the quality indicator counts them).
pub const FREEZE: Duration = Duration::from_millis(500);

/// A snapshot of a call's counters, and the connection quality measured from them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
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
    /// Opus packets that never arrived (gaps in their sequence numbers).
    pub audio_packets_lost: u64,
    /// Video packets that arrived in decodable frames.
    pub video_packets_received: u64,
    /// Video packets lost for good (not repaired in time), or discarded with
    /// the frame they broke.
    pub video_packets_lost: u64,
    /// Media payload received, audio and video, in bytes.
    pub media_bytes_received: u64,
    /// Remote pictures that stayed on screen over [`FREEZE`] while the remote
    /// camera was on.
    pub video_freezes: u64,
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
    /// What a connection-quality indicator shows: the last second's verdict
    /// if worse, a better one once it held for three seconds (`ShownQuality`);
    /// `None` while the call is not connected.
    pub quality: Option<ConnectionQuality>,
    /// The numbers behind `quality` (all zero while it is `None`).
    pub measured: QualitySample,
}

/// The live [`CallStats`] of a call, updated by its threads.
#[derive(Debug)]
pub(crate) struct Counters {
    started: Instant,
    stats: Mutex<CallStats>,
    /// When the last remote picture was decoded, for freezes; `None` after
    /// the remote camera turned on or off, or a new connection.
    last_remote_frame: Mutex<Option<Instant>>,
}

impl Counters {
    pub fn new(start_bitrate_bps: u32) -> Self {
        Self {
            started: Instant::now(),
            stats: Mutex::new(CallStats {
                video_target_bitrate_bps: start_bitrate_bps,
                ..CallStats::default()
            }),
            last_remote_frame: Mutex::new(None),
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

    /// A remote picture decoded `now`.
    pub fn record_remote_frame(&self, width: u32, height: u32, now: Instant) {
        let previous = lock(&self.last_remote_frame).replace(now);
        let froze = previous.is_some_and(|at| now.saturating_duration_since(at) > FREEZE);
        let elapsed = (now.saturating_duration_since(self.started).as_millis() as u64).max(1);
        self.update(|s| {
            s.video_frames_received += 1;
            s.video_freezes += u64::from(froze);
            (s.remote_width, s.remote_height) = (width, height);
            if s.first_frame_after_ms == 0 {
                s.first_frame_after_ms = elapsed;
            }
        });
    }

    /// The next remote picture starts a new run: the gap before it (camera
    /// off, a new connection) is no freeze.
    pub fn restart_freeze_clock(&self) {
        *lock(&self.last_remote_frame) = None;
    }

    pub fn snapshot(&self) -> CallStats {
        *lock(&self.stats)
    }

    fn elapsed_ms(&self) -> u64 {
        (self.started.elapsed().as_millis() as u64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn freezes_after(gaps_ms: &[u64], restart_before: Option<usize>) -> u64 {
        let counters = Counters::new(0);
        let mut at = Instant::now();
        counters.record_remote_frame(640, 480, at);
        for (i, gap) in gaps_ms.iter().enumerate() {
            if restart_before == Some(i) {
                counters.restart_freeze_clock();
            }
            at += Duration::from_millis(*gap);
            counters.record_remote_frame(640, 480, at);
        }
        counters.snapshot().video_freezes
    }

    #[test]
    fn a_picture_held_over_half_a_second_is_a_freeze() {
        assert_eq!(freezes_after(&[33, 33, 500, 33], None), 0);
        assert_eq!(freezes_after(&[33, 501, 33, 2000], None), 2);
    }

    #[test]
    fn the_gap_before_a_restarted_clock_is_no_freeze() {
        // The remote camera was off for three seconds.
        assert_eq!(freezes_after(&[33, 3000, 33], Some(1)), 0);
    }
}
