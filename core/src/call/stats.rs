//! Counters a call keeps about itself (webrtc-rs's stats lack frame counts).

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::Instant;

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
    /// 20 ms audio frames concealed because packets were missing.
    pub audio_frames_concealed: u64,
    /// The encoder's current target bitrate.
    pub video_target_bitrate_bps: u32,
    /// Size of the last decoded remote frame (0 before the first).
    pub remote_width: u32,
    pub remote_height: u32,
    /// Offers we made (the first, and one per ICE restart or new peer).
    pub offers_created: u64,
    /// Answers we made.
    pub answers_created: u64,
    /// From start to first `Connected`, in milliseconds (0 until then).
    pub connected_after_ms: u64,
    /// From start to the first decoded remote frame, in milliseconds (0 until then).
    pub first_frame_after_ms: u64,
}

/// The live counters, shared by the call's threads.
#[derive(Debug)]
pub(crate) struct Counters {
    started: Instant,
    pub video_frames_sent: AtomicU64,
    pub video_frames_dropped: AtomicU64,
    pub video_frames_received: AtomicU64,
    pub key_frames_sent: AtomicU64,
    pub key_frame_requests_sent: AtomicU64,
    pub audio_packets_sent: AtomicU64,
    pub audio_packets_received: AtomicU64,
    pub audio_frames_concealed: AtomicU64,
    pub video_target_bitrate_bps: AtomicU32,
    pub offers_created: AtomicU64,
    pub answers_created: AtomicU64,
    /// Width in the high half, height in the low half: one atomic, never torn.
    remote_size: AtomicU64,
    connected_after_ms: AtomicU64,
    first_frame_after_ms: AtomicU64,
}

impl Counters {
    pub fn new(start_bitrate_bps: u32) -> Self {
        Self {
            started: Instant::now(),
            video_frames_sent: AtomicU64::new(0),
            video_frames_dropped: AtomicU64::new(0),
            video_frames_received: AtomicU64::new(0),
            key_frames_sent: AtomicU64::new(0),
            key_frame_requests_sent: AtomicU64::new(0),
            audio_packets_sent: AtomicU64::new(0),
            audio_packets_received: AtomicU64::new(0),
            audio_frames_concealed: AtomicU64::new(0),
            video_target_bitrate_bps: AtomicU32::new(start_bitrate_bps),
            offers_created: AtomicU64::new(0),
            answers_created: AtomicU64::new(0),
            remote_size: AtomicU64::new(0),
            connected_after_ms: AtomicU64::new(0),
            first_frame_after_ms: AtomicU64::new(0),
        }
    }

    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    fn elapsed_ms(&self) -> u64 {
        (self.started.elapsed().as_millis() as u64).max(1)
    }

    pub fn mark_connected(&self) {
        let _ = self
            .connected_after_ms
            .compare_exchange(0, self.elapsed_ms(), Relaxed, Relaxed);
    }

    pub fn record_remote_frame(&self, width: u32, height: u32) {
        Self::bump(&self.video_frames_received);
        self.remote_size
            .store(u64::from(width) << 32 | u64::from(height), Relaxed);
        let _ = self
            .first_frame_after_ms
            .compare_exchange(0, self.elapsed_ms(), Relaxed, Relaxed);
    }

    pub fn snapshot(&self) -> CallStats {
        let size = self.remote_size.load(Relaxed);
        CallStats {
            video_frames_sent: self.video_frames_sent.load(Relaxed),
            video_frames_dropped: self.video_frames_dropped.load(Relaxed),
            video_frames_received: self.video_frames_received.load(Relaxed),
            key_frames_sent: self.key_frames_sent.load(Relaxed),
            key_frame_requests_sent: self.key_frame_requests_sent.load(Relaxed),
            audio_packets_sent: self.audio_packets_sent.load(Relaxed),
            audio_packets_received: self.audio_packets_received.load(Relaxed),
            audio_frames_concealed: self.audio_frames_concealed.load(Relaxed),
            video_target_bitrate_bps: self.video_target_bitrate_bps.load(Relaxed),
            offers_created: self.offers_created.load(Relaxed),
            answers_created: self.answers_created.load(Relaxed),
            remote_width: (size >> 32) as u32,
            remote_height: size as u32,
            connected_after_ms: self.connected_after_ms.load(Relaxed),
            first_frame_after_ms: self.first_frame_after_ms.load(Relaxed),
        }
    }
}
