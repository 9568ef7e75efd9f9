//! The synthetic camera's block code and the synthetic microphone's tone.

use videochat_core::media::test_pattern::stamp_fits;
use videochat_core::media::{
    OPUS_FRAME_SAMPLES, PatternStamp, TestPattern, ToneGenerator, read_stamp,
};

#[test]
fn stamp_reads_back_from_the_raw_pattern_at_landscape_portrait_and_small_sizes() {
    for (w, h) in [(1280, 720), (720, 1280), (320, 240), (160, 96)] {
        let mut pattern = TestPattern::new(w, h);
        let stamp = PatternStamp {
            frame_number: 0x0123_4567_89ab_cdef,
            timestamp_us: u64::MAX - 7,
        };
        let frame = pattern.render(stamp);
        assert_eq!(frame.timestamp_us, stamp.timestamp_us);
        assert_eq!(read_stamp(&frame.view()), Some(stamp), "at {w}x{h}");
    }
}

#[test]
fn consecutive_pattern_frames_differ_outside_the_code() {
    let mut pattern = TestPattern::new(320, 240);
    let first = pattern
        .render(PatternStamp {
            frame_number: 1,
            timestamp_us: 0,
        })
        .clone();
    let second = pattern.render(PatternStamp {
        frame_number: 2,
        timestamp_us: 0,
    });
    // The bottom half holds no code: any change there is the picture moving.
    assert_ne!(first.y[320 * 120..], second.y[320 * 120..]);
}

#[test]
fn frames_too_small_for_the_code_read_as_none() {
    assert!(!stamp_fits(120, 80));
    let mut pattern = TestPattern::new(120, 80);
    let frame = pattern.render(PatternStamp {
        frame_number: 3,
        timestamp_us: 4,
    });
    assert_eq!(read_stamp(&frame.view()), None);
}

#[test]
fn a_damaged_code_reads_as_none_thanks_to_the_checksum() {
    let mut pattern = TestPattern::new(320, 240);
    let mut frame = pattern
        .render(PatternStamp {
            frame_number: 42,
            timestamp_us: 1_700_000_000_000_000,
        })
        .clone();
    // Invert the data block at code row 3, column 5 (8-pixel blocks at this size).
    for y in 24..32 {
        for x in 40..48 {
            frame.y[y * 320 + x] = 251 - frame.y[y * 320 + x];
        }
    }
    assert_eq!(read_stamp(&frame.view()), None);
}

#[test]
fn tone_has_the_requested_pitch_and_continues_across_chunks() {
    let mut tone = ToneGenerator::new(440.0, 8000);
    let samples: Vec<i16> = (0..50).flat_map(|_| tone.next_chunk()).collect();
    assert_eq!(samples.len(), 50 * OPUS_FRAME_SAMPLES);
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    let seconds = samples.len() as f64 / 48_000.0;
    let frequency = crossings as f64 / 2.0 / seconds;
    assert!((frequency - 440.0).abs() < 2.0, "measured {frequency} Hz");
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    assert!((7990..=8000).contains(&peak), "peak {peak}");
    // No jump at a chunk boundary: the largest step anywhere is the sine's slope.
    let max_step = samples
        .windows(2)
        .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
        .max()
        .unwrap_or(0);
    assert!(max_step <= 470, "largest step {max_step}");
}
