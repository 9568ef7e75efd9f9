//! Scaling an I420 picture down, plane by plane, with `fast_image_resize`'s
//! SIMD bilinear filter: the send side's smaller picture when the bitrate
//! cannot carry the camera's.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

use super::frame::{FrameError, I420Frame, chroma_size};

/// Scales pictures, keeping the resizer's buffers between frames.
pub struct Scaler {
    resizer: Resizer,
    options: ResizeOptions,
}

impl Default for Scaler {
    fn default() -> Self {
        Self {
            resizer: Resizer::new(),
            options: ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear)),
        }
    }
}

impl Scaler {
    /// Writes `src` scaled to `width` x `height` (even, at least 2x2) into
    /// `dst`, with `src`'s timestamp.
    pub fn scale(
        &mut self,
        src: &I420Frame,
        dst: &mut I420Frame,
        width: u32,
        height: u32,
    ) -> Result<(), FrameError> {
        let unsupported = FrameError::UnsupportedSize { width, height };
        if width < 2 || height < 2 || !width.is_multiple_of(2) || !height.is_multiple_of(2) {
            return Err(unsupported);
        }
        src.view().validate()?;
        dst.resize(width, height);
        dst.timestamp_us = src.timestamp_us;
        let (scw, sch) = chroma_size(src.width, src.height);
        let (dcw, dch) = chroma_size(width, height);
        let planes = [
            (&src.y, (src.width, src.height), &mut dst.y, (width, height)),
            (
                &src.u,
                (scw as u32, sch as u32),
                &mut dst.u,
                (dcw as u32, dch as u32),
            ),
            (
                &src.v,
                (scw as u32, sch as u32),
                &mut dst.v,
                (dcw as u32, dch as u32),
            ),
        ];
        for (from, (fw, fh), to, (tw, th)) in planes {
            // U8 images need no alignment, and the sizes match the planes:
            // neither can fail, but an error is reported rather than assumed away.
            let from =
                ImageRef::new(fw, fh, from, PixelType::U8).map_err(|_| unsupported.clone())?;
            let mut to =
                Image::from_slice_u8(tw, th, to, PixelType::U8).map_err(|_| unsupported.clone())?;
            self.resizer
                .resize(&from, &mut to, &self.options)
                .map_err(|_| unsupported.clone())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::{PatternStamp, TestPattern, read_stamp};

    #[test]
    fn a_flat_picture_stays_flat_at_any_size() {
        let mut src = I420Frame::new(640, 480);
        src.y.fill(100);
        src.u.fill(60);
        src.timestamp_us = 42;
        let mut dst = I420Frame::default();
        let mut scaler = Scaler::default();
        for (w, h) in [(480, 360), (320, 240), (160, 120)] {
            scaler.scale(&src, &mut dst, w, h).expect("scaled");
            assert_eq!((dst.width, dst.height, dst.timestamp_us), (w, h, 42));
            assert_eq!(dst.y.len(), (w * h) as usize);
            assert!(dst.y.iter().all(|&p| p == 100));
            assert!(dst.u.iter().all(|&p| p == 60));
            assert!(dst.v.iter().all(|&p| p == 128));
        }
    }

    #[test]
    fn the_test_patterns_stamp_survives_every_step_down() {
        let stamp = PatternStamp {
            frame_number: 77,
            timestamp_us: 1_234_567,
        };
        for (w, h) in [(1280, 720), (640, 480)] {
            let src = TestPattern::new(w, h).render(stamp).clone();
            for (num, den) in [(3, 4), (1, 2), (3, 8), (1, 4)] {
                let (sw, sh) = (w * num / den / 2 * 2, h * num / den / 2 * 2);
                let mut dst = I420Frame::default();
                Scaler::default()
                    .scale(&src, &mut dst, sw, sh)
                    .expect("scaled");
                assert_eq!(
                    read_stamp(&dst.view()),
                    Some(stamp),
                    "{w}x{h} at {num}/{den}"
                );
            }
        }
    }

    #[test]
    fn odd_or_empty_sizes_are_refused() {
        let src = I420Frame::new(64, 64);
        let mut dst = I420Frame::default();
        let mut scaler = Scaler::default();
        for (w, h) in [(33, 32), (32, 0), (0, 0)] {
            assert!(scaler.scale(&src, &mut dst, w, h).is_err(), "{w}x{h}");
        }
    }
}
