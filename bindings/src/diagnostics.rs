//! Measurements of the boundary itself, for the binding tests and benchmarks; compiled only
//! with the `bench` feature, so they are not part of the API the apps ship.
//!
//! They use the same paths a call uses (borrowed `&[u8]` arguments in, frame objects handed
//! to a listener from a long-lived Rust thread out) without a network or codecs, so the cost
//! of crossing can be told apart from the cost of encoding and decoding.

use std::sync::Arc;
use std::thread;
use std::time::Instant;

use videochat_core::media::I420Frame;

use crate::error::CallError;
use crate::frame::{FrameFormat, RemoteVideoFrame};
use crate::listener::CallListener;

/// Takes three planes the way `Call.sendVideoI420` does and returns their total length,
/// reading the first and last byte of each (so the planes are really reachable). Measures
/// the cost of handing a camera frame to the core.
#[uniffi::export]
pub fn measure_frame_handoff(y: &[u8], u: &[u8], v: &[u8]) -> u64 {
    // Reading an end of each plane proves it is reachable; black_box keeps the reads.
    for plane in [y, u, v] {
        std::hint::black_box((plane.first(), plane.last()));
    }
    (y.len() + u.len() + v.len()) as u64
}

/// Timings of handing remote frames to a listener.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct DeliveryReport {
    /// Frames handed to the listener.
    pub frames: u32,
    /// Callbacks that threw.
    pub listener_failures: u32,
    /// Median time to build one frame (copy or RGBA conversion), microseconds.
    pub prepare_us_p50: f64,
    /// Median time of one `onRemoteVideoFrame` call, including the listener's own work.
    pub deliver_us_p50: f64,
    /// 95th percentile of the same.
    pub deliver_us_p95: f64,
}

/// Hands `count` synthetic `width` x `height` frames in `format` to `listener`, one after the
/// other, from one long-lived thread (as a call does), and times the two steps. Blocks until
/// done; call it off the UI thread.
#[uniffi::export]
pub fn measure_frame_delivery(
    listener: Arc<dyn CallListener>,
    width: u32,
    height: u32,
    format: FrameFormat,
    count: u32,
) -> Result<DeliveryReport, CallError> {
    if width == 0 || height == 0 || width > 4096 || height > 4096 || count == 0 {
        return Err(CallError::InvalidFrame {
            reason: format!("{width}x{height} x{count}"),
        });
    }
    let worker = thread::Builder::new()
        .name("videochat-listener".to_owned())
        .spawn(move || deliver_synthetic(listener.as_ref(), width, height, format, count))
        .map_err(|e| CallError::Internal {
            reason: e.to_string(),
        })?;
    worker.join().map_err(|_| CallError::Internal {
        reason: "delivery thread panicked".to_owned(),
    })?
}

fn deliver_synthetic(
    listener: &dyn CallListener,
    width: u32,
    height: u32,
    format: FrameFormat,
    count: u32,
) -> Result<DeliveryReport, CallError> {
    let mut source = I420Frame::new(width, height);
    let (mut prepare, mut deliver) = (Vec::new(), Vec::new());
    let mut failures = 0;
    for i in 0..count {
        source.y.fill((i % 220) as u8 + 16);
        source.timestamp_us = u64::from(i) * 33_333;
        let started = Instant::now();
        let frame = Arc::new(RemoteVideoFrame::from_decoded(&source, format)?);
        let built = Instant::now();
        if listener.on_remote_video_frame(frame).is_err() {
            failures += 1;
        }
        prepare.push(built.duration_since(started).as_secs_f64() * 1e6);
        deliver.push(built.elapsed().as_secs_f64() * 1e6);
    }
    Ok(DeliveryReport {
        frames: count,
        listener_failures: failures,
        prepare_us_p50: percentile(&mut prepare, 0.5),
        deliver_us_p50: percentile(&mut deliver, 0.5),
        deliver_us_p95: percentile(&mut deliver, 0.95),
    })
}

fn percentile(samples: &mut [f64], q: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    let index = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[index.min(samples.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handoff_returns_the_total_length() {
        assert_eq!(measure_frame_handoff(&[1; 16], &[2; 4], &[3; 4]), 24);
        assert_eq!(measure_frame_handoff(&[], &[], &[]), 0);
    }

    #[test]
    fn percentile_picks_the_nearest_rank() {
        let mut samples = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&mut samples, 0.5), 3.0);
        assert_eq!(percentile(&mut samples, 1.0), 5.0);
    }
}
