//! The numbers behind the quality indicator: a [`QualitySample`] from two
//! readings of the call's counters (what the web client does with two
//! `getStats` reports). Sans-IO: the driver reads, this subtracts.

use std::time::Instant;

use super::quality::QualitySample;
use super::stats::CallStats;

/// Turns successive [`CallStats`] readings into samples of the time between them.
#[derive(Debug, Default)]
pub(crate) struct QualityMeter {
    last: Option<(Instant, CallStats)>,
}

impl QualityMeter {
    /// The sample since the previous reading; `None` for the first one.
    pub fn measure(
        &mut self,
        now: Instant,
        stats: &CallStats,
        rtt_ms: Option<f64>,
        video_expected: bool,
    ) -> Option<QualitySample> {
        let (then, before) = self.last.replace((now, *stats))?;
        let seconds = now.saturating_duration_since(then).as_secs_f64().max(0.001);
        let delta = |count: fn(&CallStats) -> u64| count(stats).saturating_sub(count(&before));
        let received = delta(|s| s.audio_packets_received + s.video_packets_received);
        let lost = delta(|s| s.audio_packets_lost + s.video_packets_lost);
        let loss_percent = match received + lost {
            0 => 0.0,
            all => 100.0 * lost as f64 / all as f64,
        };
        Some(QualitySample {
            rtt_ms,
            loss_percent,
            received_kbps: delta(|s| s.media_bytes_received) as f64 * 8.0 / seconds / 1000.0,
            fps: delta(|s| s.video_frames_received) as f64 / seconds,
            freezes: u32::try_from(delta(|s| s.video_freezes)).unwrap_or(u32::MAX),
            video_expected,
        })
    }

    /// Out of a call: the next reading starts afresh.
    pub fn reset(&mut self) {
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn reading(frames: u64, bytes: u64, received: u64, lost: u64, freezes: u64) -> CallStats {
        CallStats {
            video_frames_received: frames,
            media_bytes_received: bytes,
            video_packets_received: received,
            audio_packets_received: 50 * frames / 30,
            video_packets_lost: lost,
            video_freezes: freezes,
            ..CallStats::default()
        }
    }

    #[test]
    fn a_sample_is_the_difference_between_two_readings_per_second() {
        let mut meter = QualityMeter::default();
        let start = Instant::now();
        assert_eq!(
            meter.measure(start, &reading(0, 0, 0, 0, 0), None, true),
            None
        );
        let sample = meter
            .measure(
                start + Duration::from_secs(2),
                &reading(60, 250_000, 150, 0, 1),
                Some(42.0),
                true,
            )
            .expect("a second reading gives a sample");
        assert_eq!(sample.rtt_ms, Some(42.0));
        assert_eq!(sample.fps, 30.0);
        assert_eq!(sample.received_kbps, 1000.0);
        assert_eq!(sample.loss_percent, 0.0);
        assert_eq!(sample.freezes, 1);
        assert!(sample.video_expected);
    }

    #[test]
    fn loss_counts_audio_and_video_packets_together() {
        let mut meter = QualityMeter::default();
        let start = Instant::now();
        meter.measure(start, &reading(0, 0, 0, 0, 0), None, true);
        // 30 frames: 150 video + 50 audio packets arrived, 50 video lost.
        let sample = meter
            .measure(
                start + Duration::from_secs(1),
                &reading(30, 1000, 150, 50, 0),
                None,
                true,
            )
            .expect("sample");
        assert_eq!(sample.loss_percent, 20.0);
    }

    #[test]
    fn after_a_reset_the_next_reading_starts_afresh() {
        let mut meter = QualityMeter::default();
        let start = Instant::now();
        meter.measure(start, &reading(0, 0, 0, 0, 0), None, true);
        meter.reset();
        let later = start + Duration::from_secs(9);
        assert_eq!(
            meter.measure(later, &reading(270, 1, 1, 0, 5), None, true),
            None
        );
        let sample = meter
            .measure(
                later + Duration::from_secs(1),
                &reading(300, 1, 1, 0, 5),
                None,
                true,
            )
            .expect("sample");
        assert_eq!((sample.fps, sample.freezes), (30.0, 0));
    }

    #[test]
    fn counters_that_went_back_read_as_nothing_new() {
        let mut meter = QualityMeter::default();
        let start = Instant::now();
        meter.measure(start, &reading(90, 9000, 90, 9, 2), None, false);
        let sample = meter
            .measure(
                start + Duration::from_secs(1),
                &reading(0, 0, 0, 0, 0),
                None,
                false,
            )
            .expect("sample");
        assert_eq!(
            (
                sample.fps,
                sample.received_kbps,
                sample.loss_percent,
                sample.freezes
            ),
            (0.0, 0.0, 0.0, 0)
        );
    }
}
