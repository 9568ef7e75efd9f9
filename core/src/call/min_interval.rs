//! Spacing of key frames and key-frame requests.

use std::time::{Duration, Instant};

/// libwebrtc's spacing of key frames and of requests for them: a key frame
/// takes about a round trip to arrive, and asking again sooner only adds load.
pub(crate) const KEY_FRAME_INTERVAL: Duration = Duration::from_millis(300);

/// Lets something happen at most once per `interval`.
#[derive(Debug)]
pub(crate) struct MinInterval {
    interval: Duration,
    last: Option<Instant>,
}

impl MinInterval {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            last: None,
        }
    }

    /// Whether it may happen at `now`.
    pub fn is_open(&self, now: Instant) -> bool {
        self.last
            .is_none_or(|last| now.saturating_duration_since(last) >= self.interval)
    }

    /// It happened at `now` (whether asked for or not).
    pub fn record(&mut self, now: Instant) {
        self.last = Some(now);
    }

    /// Records and returns true if it may happen at `now`.
    pub fn try_pass(&mut self, now: Instant) -> bool {
        let open = self.is_open(now);
        if open {
            self.record(now);
        }
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_once_per_interval() {
        let start = Instant::now();
        let mut gate = MinInterval::new(KEY_FRAME_INTERVAL);
        assert!(gate.try_pass(start));
        assert!(!gate.try_pass(start + Duration::from_millis(299)));
        assert!(gate.try_pass(start + Duration::from_millis(300)));
        assert!(!gate.is_open(start + Duration::from_millis(599)));
    }

    #[test]
    fn a_recorded_event_closes_the_gate_too() {
        let start = Instant::now();
        let mut gate = MinInterval::new(KEY_FRAME_INTERVAL);
        gate.record(start);
        assert!(!gate.is_open(start + Duration::from_millis(100)));
        assert!(gate.is_open(start + KEY_FRAME_INTERVAL));
    }
}
