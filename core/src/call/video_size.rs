//! The size the camera's picture is sent at, from the encoder's bitrate:
//! libwebrtc's "balanced" idea that a smaller picture at the full frame rate
//! looks better than a starved large one that drops frames.
//!
//! What a size needs is a model (`BITS_PER_PIXEL`), unless the encoder shows
//! that this picture costs less: a still or simple scene that leaves most of
//! its budget unused keeps its size (and regains it) however low the rate,
//! as libwebrtc's quality scaler keeps a picture whose QP stays low. Without
//! that a call starting low, or after a deep back-off, would send a simple
//! scene small for good: the send rate grows only with what is sent.
//!
//! Sans-IO: the encoder thread hands in the time, the bitrate, the camera's
//! size and what became of each frame, and gets the size to encode. Down is
//! at once and as far as needed; up waits until the next size has been
//! carried with a margin for a while, then goes as far as the rate carries
//! with that margin, in one change: every change costs a key frame, and a
//! 720p call starting low took two changes and 6 s to reach its size.

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
/// What the encoder's frames cost is measured over this long ...
const COST_WINDOW: Duration = Duration::from_secs(1);
/// ... and counts only if it skipped at most this share of them (a starved
/// encoder's output says what it was allowed, not what the picture costs).
const MAX_SKIPPED: f64 = 0.2;
/// A measured cost is taken as this much more, for a scene that livens up.
const COST_MARGIN: f64 = 1.5;

/// What became of a frame encoded at the size `VideoSize::update` chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoded {
    /// Rate control skipped it.
    Skipped,
    /// A key frame: its size says nothing of what the picture costs per frame.
    KeyFrame,
    /// A delta frame of this many bytes.
    DeltaFrame { bytes: usize },
}

/// Chooses the sent size; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct VideoSize {
    step: usize,
    /// Since when the bitrate has carried the next larger size with margin.
    up_since: Option<Instant>,
    /// The size last chosen, which `encoded` reports on.
    chosen: (u32, u32),
    /// The encoder's delta frames' bits per pixel in the last full window,
    /// unless it was starved.
    measured_bits_per_pixel: Option<f64>,
    window: CostWindow,
}

/// The frames of the current measuring window.
#[derive(Debug, Default)]
struct CostWindow {
    start: Option<Instant>,
    frames: u32,
    skipped: u32,
    delta_frames: u32,
    delta_bits_per_pixel: f64,
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
        let bits_per_pixel = self
            .measured_bits_per_pixel
            .map_or(BITS_PER_PIXEL, |measured| {
                (measured * COST_MARGIN).min(BITS_PER_PIXEL)
            });
        let need = |step: usize| {
            let (w, h) = scaled(width, height, step);
            f64::from(w) * f64::from(h) * f64::from(fps) * bits_per_pixel
        };
        while self.step + 1 < STEPS.len() && bitrate < need(self.step) {
            self.step += 1;
            self.up_since = None;
        }
        let carried = |step: usize| bitrate >= need(step) * UP_MARGIN;
        if self.step > 0 && carried(self.step - 1) {
            let since = *self.up_since.get_or_insert(now);
            if now.saturating_duration_since(since) >= UP_AFTER {
                while self.step > 0 && carried(self.step - 1) {
                    self.step -= 1;
                }
                self.up_since = None;
            }
        } else {
            self.up_since = None;
        }
        self.chosen = scaled(width, height, self.step);
        self.chosen
    }

    /// Tells what became of the frame encoded at the size last chosen.
    pub fn encoded(&mut self, now: Instant, frame: Encoded) {
        let window = &mut self.window;
        let start = *window.start.get_or_insert(now);
        window.frames += 1;
        match frame {
            Encoded::Skipped => window.skipped += 1,
            Encoded::KeyFrame => {}
            Encoded::DeltaFrame { bytes } => {
                let pixels = f64::from(self.chosen.0) * f64::from(self.chosen.1);
                window.delta_frames += 1;
                window.delta_bits_per_pixel += bytes as f64 * 8.0 / pixels.max(1.0);
            }
        }
        if now.saturating_duration_since(start) >= COST_WINDOW {
            let window = std::mem::take(&mut self.window);
            let starved = f64::from(window.skipped) > f64::from(window.frames) * MAX_SKIPPED;
            self.measured_bits_per_pixel = (!starved && window.delta_frames > 0)
                .then(|| window.delta_bits_per_pixel / f64::from(window.delta_frames));
        }
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

    /// Reports a measuring window of frames (31, 34 ms apart, from
    /// `from_ms`), each as `each(i)` makes it.
    fn encode_a_second(
        size: &mut VideoSize,
        start: Instant,
        from_ms: u64,
        each: impl Fn(u64) -> Encoded,
    ) {
        for i in 0..31 {
            size.encoded(at(start, from_ms + i * 34), each(i));
        }
    }

    /// A delta frame of `bits_per_pixel` at 640x480.
    fn vga_delta(bits_per_pixel: f64) -> Encoded {
        let bytes = (bits_per_pixel * 640.0 * 480.0 / 8.0) as usize;
        Encoded::DeltaFrame { bytes }
    }

    #[test]
    fn a_simple_picture_that_leaves_its_budget_unused_keeps_its_size() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 2_000_000, VGA, 30.0), VGA);
        // 0.013 bits a pixel (500-byte frames): with the margin 180 kbit/s.
        encode_a_second(&mut size, start, 0, |_| vga_delta(0.013));
        // The model alone wants 461k for 640x480 (see the next tests).
        assert_eq!(size.update(at(start, 1_100), 400_000, VGA, 30.0), VGA);
        assert_eq!(size.update(at(start, 1_200), 190_000, VGA, 30.0), VGA);
        // Below even what it costs: down.
        assert_eq!(
            size.update(at(start, 1_300), 150_000, VGA, 30.0),
            (480, 360)
        );
    }

    #[test]
    fn a_simple_picture_sent_small_regains_its_size_at_a_low_rate() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 300_000, VGA, 30.0), (480, 360));
        // 480x360 frames of 0.013 bits a pixel: 640x480 would need 180k, 234k with the margin.
        let bytes = (0.013 * 480.0 * 360.0 / 8.0) as usize;
        encode_a_second(&mut size, start, 0, |_| Encoded::DeltaFrame { bytes });
        assert_eq!(
            size.update(at(start, 1_100), 300_000, VGA, 30.0),
            (480, 360)
        );
        assert_eq!(
            size.update(at(start, 4_000), 300_000, VGA, 30.0),
            (480, 360)
        );
        assert_eq!(size.update(at(start, 4_100), 300_000, VGA, 30.0), VGA);
    }

    #[test]
    fn a_picture_that_fills_its_budget_follows_the_model() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 2_000_000, VGA, 30.0), VGA);
        // 400 kbit/s filled at 640x480: 0.043 bits a pixel.
        encode_a_second(&mut size, start, 0, |_| vga_delta(0.043));
        assert_eq!(
            size.update(at(start, 1_100), 400_000, VGA, 30.0),
            (480, 360)
        );
    }

    #[test]
    fn a_starved_encoder_says_nothing_of_what_the_picture_costs() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 2_000_000, VGA, 30.0), VGA);
        // Small frames, but every other one skipped by rate control.
        encode_a_second(&mut size, start, 0, |i| {
            if i % 2 == 0 {
                Encoded::Skipped
            } else {
                vga_delta(0.013)
            }
        });
        assert_eq!(
            size.update(at(start, 1_100), 400_000, VGA, 30.0),
            (480, 360)
        );
    }

    #[test]
    fn key_frames_do_not_count_as_what_a_picture_costs() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 2_000_000, VGA, 30.0), VGA);
        encode_a_second(&mut size, start, 0, |i| {
            if i == 0 {
                Encoded::KeyFrame
            } else {
                vga_delta(0.013)
            }
        });
        assert_eq!(size.update(at(start, 1_100), 400_000, VGA, 30.0), VGA);
        // A window of key frames alone (each frame a new size, say) measures nothing.
        encode_a_second(&mut size, start, 1_200, |_| Encoded::KeyFrame);
        assert_eq!(
            size.update(at(start, 2_300), 400_000, VGA, 30.0),
            (480, 360)
        );
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
    fn up_is_after_the_margin_held_three_seconds_and_as_far_as_the_rate_carries() {
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
        // 2 Mbit/s carries 640x480 (599k with the margin): there in one change.
        assert_eq!(size.update(at(start, 3_100), 2_000_000, VGA, 30.0), VGA);
    }

    #[test]
    fn up_stops_at_the_largest_size_the_rate_carries() {
        let start = Instant::now();
        let mut size = VideoSize::default();
        assert_eq!(size.update(start, 100_000, VGA, 30.0), (240, 180));
        // 200k carries 320x240 (150k with the margin), not 480x360 (337k).
        size.update(at(start, 100), 200_000, VGA, 30.0);
        assert_eq!(
            size.update(at(start, 3_100), 200_000, VGA, 30.0),
            (320, 240)
        );
        // The next size waits its own three seconds.
        size.update(at(start, 3_200), 400_000, VGA, 30.0);
        assert_eq!(
            size.update(at(start, 6_100), 400_000, VGA, 30.0),
            (320, 240)
        );
        assert_eq!(
            size.update(at(start, 6_200), 400_000, VGA, 30.0),
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
