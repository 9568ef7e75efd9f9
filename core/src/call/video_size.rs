//! The size the camera's picture is sent at, from the encoder's bitrate:
//! libwebrtc's "balanced" idea that a smaller picture at the full frame rate
//! looks better than a starved large one that drops frames.
//!
//! Sans-IO: the encoder thread hands in the time, the bitrate and the camera's
//! size, and gets the size to encode. Down is at once and as far as needed;
//! up is one step at a time, with a margin held for a while, because every
//! change costs a key frame.

use std::time::{Duration, Instant};

/// Bits per pixel and frame a size needs (libwebrtc's start limits for H.264
/// come to 0.05-0.07: 1.5 Mbit/s for 720p30, 800 kbit/s for 960x540).
const BITS_PER_PIXEL: f64 = 0.05;
/// A step up needs this much more than the larger size's need ...
const UP_MARGIN: f64 = 1.3;
/// ... for this long.
const UP_AFTER: Duration = Duration::from_secs(3);
/// The sizes, as fractions of the camera's sides.
const STEPS: [(u32, u32); 5] = [(1, 1), (3, 4), (1, 2), (3, 8), (1, 4)];
/// Never smaller than this on either side.
const MIN_SIDE: u32 = 16;

/// Chooses the sent size; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct VideoSize {
    step: usize,
    /// Since when the bitrate has carried the next larger size with margin.
    up_since: Option<Instant>,
}

impl VideoSize {
    /// The size to encode a `width` x `height` camera picture at, at
    /// `bitrate_bps` and `fps`.
    pub fn update(
        &mut self,
        now: Instant,
        bitrate_bps: u32,
        (width, height): (u32, u32),
        fps: f32,
    ) -> (u32, u32) {
        let bitrate = f64::from(bitrate_bps);
        let need = |step: usize| {
            let (w, h) = scaled(width, height, step);
            f64::from(w) * f64::from(h) * f64::from(fps) * BITS_PER_PIXEL
        };
        while self.step + 1 < STEPS.len() && bitrate < need(self.step) {
            self.step += 1;
            self.up_since = None;
        }
        if self.step > 0 && bitrate >= need(self.step - 1) * UP_MARGIN {
            let since = *self.up_since.get_or_insert(now);
            if now.saturating_duration_since(since) >= UP_AFTER {
                self.step -= 1;
                self.up_since = None;
            }
        } else {
            self.up_since = None;
        }
        scaled(width, height, self.step)
    }
}

/// The camera's size at `step`: even sides, at least `MIN_SIDE` (or the
/// camera's own side if smaller).
fn scaled(width: u32, height: u32, step: usize) -> (u32, u32) {
    let (num, den) = STEPS[step];
    let side = |s: u32| ((s * num / den) & !1).max(MIN_SIDE.min(s));
    (side(width), side(height))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VGA: (u32, u32) = (640, 480);

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn enough_bitrate_keeps_the_cameras_size() {
        let mut size = VideoSize::default();
        assert_eq!(size.update(Instant::now(), 1_000_000, VGA, 30.0), VGA);
    }

    #[test]
    fn a_short_bitrate_steps_down_at_once_as_far_as_needed() {
        let now = Instant::now();
        let mut size = VideoSize::default();
        // 640x480x30 needs 461 kbit/s, 480x360 259k, 320x240 115k.
        assert_eq!(size.update(now, 400_000, VGA, 30.0), (480, 360));
        assert_eq!(size.update(now, 120_000, VGA, 30.0), (320, 240));
        assert_eq!(size.update(now, 10_000, VGA, 30.0), (160, 120));
    }

    #[test]
    fn up_is_one_step_after_the_margin_held_three_seconds() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 100_000, VGA, 30.0), (240, 180));
        // 320x240 needs 115k; with the margin 150k. Held 2.9 s: not yet.
        assert_eq!(
            size.update(at(start, 100), 2_000_000, VGA, 30.0),
            (240, 180)
        );
        assert_eq!(
            size.update(at(start, 3_000), 2_000_000, VGA, 30.0),
            (240, 180)
        );
        assert_eq!(
            size.update(at(start, 3_100), 2_000_000, VGA, 30.0),
            (320, 240)
        );
        // The next step waits its own three seconds.
        assert_eq!(
            size.update(at(start, 3_200), 2_000_000, VGA, 30.0),
            (320, 240)
        );
        assert_eq!(
            size.update(at(start, 6_200), 2_000_000, VGA, 30.0),
            (480, 360)
        );
    }

    #[test]
    fn a_dip_restarts_the_wait_for_a_step_up() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 400_000, VGA, 30.0), (480, 360));
        // 640x480 with margin needs 599k.
        size.update(at(start, 0), 700_000, VGA, 30.0);
        size.update(at(start, 2_000), 500_000, VGA, 30.0);
        assert_eq!(
            size.update(at(start, 3_500), 700_000, VGA, 30.0),
            (480, 360)
        );
        assert_eq!(size.update(at(start, 6_500), 700_000, VGA, 30.0), VGA);
    }

    #[test]
    fn a_new_camera_size_is_scaled_at_the_current_step() {
        let mut size = VideoSize::default();
        let now = Instant::now();
        assert_eq!(size.update(now, 400_000, VGA, 30.0), (480, 360));
        // Portrait after a camera switch: same pixels, same need.
        assert_eq!(size.update(now, 400_000, (480, 640), 30.0), (360, 480));
    }

    #[test]
    fn tiny_pictures_stay_even_and_never_vanish() {
        let mut size = VideoSize::default();
        assert_eq!(size.update(Instant::now(), 0, (40, 30), 30.0), (16, 16));
        assert_eq!(size.update(Instant::now(), 0, (8, 8), 30.0), (8, 8));
        assert_eq!(
            size.update(Instant::now(), 0, (1920, 1080), 60.0),
            (480, 270)
        );
    }
}
