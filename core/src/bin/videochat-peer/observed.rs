//! What the desktop peer sees of the remote: frames read back from the test
//! pattern's stamps (order, capture-to-decode latency), sizes, audio, state,
//! and the role the relay gave it.

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex};

use videochat_core::call::{CallObserver, CallState, CallStats, MediaState};
use videochat_core::media::{I420Frame, read_stamp};

use crate::progress;

/// Microseconds since the UNIX epoch: the clock both peers on one machine share.
pub fn unix_us() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// A picture that stays for longer than this is a freeze to a person.
pub const FREEZE_US: u64 = 500_000;
/// The steady-state figures leave out this much after the first frame: the
/// time congestion control takes to find the link.
pub const STEADY_AFTER_US: u64 = 5_000_000;

/// Frames decoded in the steady state (from `STEADY_AFTER_US` after the first).
#[derive(Debug, Default)]
pub struct Steady {
    pub from_us: Option<u64>,
    pub frames: u64,
    pub latencies_us: Vec<u64>,
    pub freezes: u64,
    pub max_frame_gap_us: u64,
    pub last_frame_at_us: Option<u64>,
}

impl Steady {
    fn record(&mut self, now: u64, gap: Option<u64>, latency: Option<u64>) {
        let from = *self.from_us.get_or_insert(now + STEADY_AFTER_US);
        if now < from {
            return;
        }
        self.frames += 1;
        self.last_frame_at_us = Some(now);
        // A gap that straddles the start counts only from the start.
        if let Some(gap) = gap.map(|gap| gap.min(now - from)) {
            self.max_frame_gap_us = self.max_frame_gap_us.max(gap);
            self.freezes += u64::from(gap > FREEZE_US);
        }
        self.latencies_us.extend(latency);
    }

    /// Frames per second over the window (until the last frame or `end_us`).
    pub fn fps(&self, end_us: u64) -> Option<f64> {
        let from = self.from_us?;
        let seconds = end_us.saturating_sub(from) as f64 / 1e6;
        (seconds > 0.5).then(|| self.frames as f64 / seconds)
    }
}

#[derive(Debug, Default)]
pub struct Observed {
    pub state: Option<CallState>,
    /// Set (and announced) on the first state inside the room.
    pub role: Option<&'static str>,
    /// When the relay placed us in the room, when the call first said
    /// connected, and when the first remote picture was decoded (unix µs): the
    /// steps of join to first frame.
    pub joined_at_us: Option<u64>,
    pub connected_at_us: Option<u64>,
    pub first_frame_at_us: Option<u64>,
    pub frames: u64,
    pub audio_chunks: u64,
    /// Capture-to-decode latency of stamped frames, in microseconds.
    pub latencies_us: Vec<u64>,
    pub last_frame_number: Option<u64>,
    pub frames_out_of_order: u64,
    /// When the last remote frame was decoded, and the longest wait between
    /// two (a frozen picture), in microseconds.
    pub last_frame_at_us: Option<u64>,
    pub max_frame_gap_us: u64,
    /// Waits between two frames longer than `FREEZE_US`.
    pub freezes: u64,
    /// Every call state, in order.
    pub states: Vec<String>,
    /// Every change of the remote's microphone and camera state, in order.
    pub remote_media: Vec<MediaState>,
    /// Each distinct decoded size, in order, with when it first appeared.
    pub sizes: Vec<((u32, u32), u64)>,
    pub ended_at_unix_ms: Option<u64>,
    pub stats: CallStats,
    pub steady: Steady,
    /// Seconds of the call by quality verdict ("good", "weak", "poor").
    pub quality_seconds: BTreeMap<&'static str, u64>,
    /// The largest round trip measured, in milliseconds.
    pub rtt_ms_max: Option<f64>,
}

/// The observer the call reports to; the main thread waits on it.
#[derive(Default)]
pub struct Recorder {
    observed: Mutex<Observed>,
    changed: Condvar,
}

impl Recorder {
    /// Waits up to `timeout` for a change, then returns the current state.
    pub fn wait<T>(&self, timeout: std::time::Duration, read: impl FnOnce(&Observed) -> T) -> T {
        let guard = self.lock();
        let (guard, _) = self
            .changed
            .wait_timeout(guard, timeout)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        read(&guard)
    }

    pub fn read<T>(&self, read: impl FnOnce(&Observed) -> T) -> T {
        read(&self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Observed> {
        videochat_core::sync::lock(&self.observed)
    }

    fn update(&self, change: impl FnOnce(&mut Observed)) {
        change(&mut self.lock());
        self.changed.notify_all();
    }
}

impl CallObserver for Recorder {
    fn on_state_changed(&self, state: CallState) {
        self.update(|o| {
            // Here, not in the main loop: a poll could miss the brief
            // `WaitingForPeer` of an initiator whose peer was quick.
            if o.role.is_none()
                && let Some(role) = progress::role_on_entering(&state)
            {
                o.role = Some(role);
                o.joined_at_us = Some(unix_us());
                progress::joined(role);
            }
            if state == CallState::Connected && o.connected_at_us.is_none() {
                o.connected_at_us = Some(unix_us());
            }
            if state.is_terminal() {
                o.ended_at_unix_ms = Some(unix_us() / 1000);
            }
            progress::state(&state);
            o.states.push(format!("{state:?}"));
            o.state = Some(state);
        });
    }

    fn on_remote_video_frame(&self, frame: &I420Frame) {
        let now = unix_us();
        let stamp = read_stamp(&frame.view());
        self.update(|o| {
            o.frames += 1;
            o.first_frame_at_us.get_or_insert(now);
            let gap = o.last_frame_at_us.map(|last| now.saturating_sub(last));
            if let Some(gap) = gap {
                o.max_frame_gap_us = o.max_frame_gap_us.max(gap);
                o.freezes += u64::from(gap > FREEZE_US);
            }
            o.last_frame_at_us = Some(now);
            let latency = stamp.map(|stamp| now.saturating_sub(stamp.timestamp_us));
            o.steady.record(now, gap, latency);
            let size = (frame.width, frame.height);
            if o.sizes.last().map(|(s, _)| *s) != Some(size) {
                o.sizes.push((size, now / 1000));
            }
            if let Some(stamp) = stamp {
                if o.last_frame_number
                    .is_some_and(|last| stamp.frame_number <= last)
                {
                    o.frames_out_of_order += 1;
                }
                o.last_frame_number = Some(stamp.frame_number);
                o.latencies_us.extend(latency);
            }
        });
    }

    fn on_remote_audio(&self, _pcm: &[i16]) {
        self.update(|o| o.audio_chunks += 1);
    }

    fn on_remote_media_changed(&self, state: MediaState) {
        progress::remote_media(state);
        self.update(|o| o.remote_media.push(state));
    }

    fn on_stats(&self, stats: &CallStats) {
        self.update(|o| {
            if stats.quality != o.stats.quality {
                progress::quality(stats.quality, &stats.measured);
            }
            if let Some(quality) = stats.quality {
                *o.quality_seconds.entry(quality.name()).or_default() += 1;
            }
            if let Some(rtt) = stats.measured.rtt_ms {
                o.rtt_ms_max = Some(o.rtt_ms_max.map_or(rtt, |max| max.max(rtt)));
            }
            o.stats = *stats;
        });
    }
}

/// The `p`th percentile (0-100) of `values`, or `None` when empty.
pub fn percentile(values: &[u64], p: usize) -> Option<u64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let last = sorted.len().checked_sub(1)?;
    sorted.get(last * p / 100).copied()
}
