//! The send side of video: camera frames become upright I420 on the caller's
//! thread (the one copy), then an encoder thread turns the newest of them into
//! H.264 and writes it to the current peer connection.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;
use tokio::sync::watch;

use crate::media::{
    FrameError, H264Encoder, H264EncoderConfig, I420Frame, Scaler, VideoFrameRef, upright_into,
};
use crate::negotiation::ConnectionState;
use crate::peer::Peer;
use crate::sync::lock;

use super::min_interval::{KEY_FRAME_INTERVAL, MinInterval};
use super::stats::Counters;
use super::video_size::VideoSize;

/// Buffers kept for reuse between the caller and the encoder thread.
const SPARE_BUFFERS: usize = 3;
/// What audio takes of the send rate: Opus and its packet headers, 50 a second.
const AUDIO_SHARE_BPS: u32 = 50_000;
/// Of the rest, what the encoder may fill: the remainder carries video's
/// packet headers and retransmissions.
const VIDEO_SHARE: f64 = 0.9;
/// Below this an encoder makes nothing worth sending.
const MIN_VIDEO_BPS: u32 = 50_000;

/// The encoder's bitrate when congestion control allows `send_rate_bps` in all.
pub(crate) fn video_bitrate(send_rate_bps: u32) -> u32 {
    let video = f64::from(send_rate_bps.saturating_sub(AUDIO_SHARE_BPS)) * VIDEO_SHARE;
    // In range: at most send_rate_bps.
    (video as u32).max(MIN_VIDEO_BPS)
}

/// What the driver tells the encoder thread, read once per frame.
#[derive(Debug)]
pub(crate) struct VideoControl {
    key_frame: AtomicBool,
    bitrate_bps: AtomicU32,
}

impl VideoControl {
    pub fn new(send_rate_bps: u32) -> Self {
        Self {
            key_frame: AtomicBool::new(true),
            bitrate_bps: AtomicU32::new(video_bitrate(send_rate_bps)),
        }
    }

    /// A key frame goes out as soon as the minimum spacing of key frames
    /// allows (PLI, new camera, new peer): a burst of requests costs one.
    pub fn request_key_frame(&self) {
        self.key_frame.store(true, Relaxed);
    }

    /// Congestion control's target for everything we send.
    pub fn set_send_rate(&self, bps: u32) {
        self.bitrate_bps.store(video_bitrate(bps), Relaxed);
    }
}

/// The caller's handle on the encoder thread.
pub(crate) struct VideoSender {
    frames: SyncSender<I420Frame>,
    spare: Arc<Mutex<Vec<I420Frame>>>,
    /// NV12 frames that also need rotating are split here first.
    staging: Mutex<I420Frame>,
    counters: Arc<Counters>,
    min_interval_us: u64,
    last_accepted_us: AtomicU64,
}

impl VideoSender {
    /// Starts the encoder thread; it ends when this sender is dropped.
    pub fn spawn(
        peer: watch::Receiver<Option<Arc<Peer>>>,
        runtime: Handle,
        control: Arc<VideoControl>,
        counters: Arc<Counters>,
        max_fps: u32,
    ) -> std::io::Result<Self> {
        // One slot: when the encoder is busy the newest frame waits and older
        // ones are dropped, so latency never builds up behind a slow encoder.
        let (frames, rx) = sync_channel(1);
        let spare = Arc::new(Mutex::new(Vec::with_capacity(SPARE_BUFFERS)));
        let encoder = EncoderThread {
            frames: rx,
            spare: spare.clone(),
            peer,
            runtime,
            control,
            counters: counters.clone(),
            frame_rate: max_fps as f32,
        };
        std::thread::Builder::new()
            .name("videochat-encoder".into())
            .spawn(move || encoder.run())?;
        Ok(Self {
            frames,
            spare,
            staging: Mutex::new(I420Frame::default()),
            counters,
            // 10% slack so a camera running at exactly max_fps is not thinned.
            min_interval_us: 900_000 / u64::from(max_fps.max(1)),
            last_accepted_us: AtomicU64::new(0),
        })
    }

    /// Converts `frame` (validated by the caller) to upright I420 and queues it for encoding.
    pub fn submit(&self, frame: &VideoFrameRef<'_>) -> Result<(), FrameError> {
        let last = self.last_accepted_us.load(Relaxed);
        if last != 0 && frame.timestamp_us.saturating_sub(last) < self.min_interval_us {
            self.counters.update(|s| s.video_frames_dropped += 1);
            return Ok(());
        }
        self.last_accepted_us
            .store(frame.timestamp_us.max(1), Relaxed);
        let mut upright = lock(&self.spare).pop().unwrap_or_default();
        upright_into(frame, &mut lock(&self.staging), &mut upright)?;
        upright.timestamp_us = frame.timestamp_us;
        match self.frames.try_send(upright) {
            Ok(()) => {}
            Err(TrySendError::Full(frame)) | Err(TrySendError::Disconnected(frame)) => {
                self.counters.update(|s| s.video_frames_dropped += 1);
                recycle(&self.spare, frame);
            }
        }
        Ok(())
    }
}

struct EncoderThread {
    frames: Receiver<I420Frame>,
    spare: Arc<Mutex<Vec<I420Frame>>>,
    peer: watch::Receiver<Option<Arc<Peer>>>,
    runtime: Handle,
    control: Arc<VideoControl>,
    counters: Arc<Counters>,
    frame_rate: f32,
}

impl EncoderThread {
    fn run(self) {
        let bitrate_bps = self.control.bitrate_bps.load(Relaxed);
        let mut encoder = H264Encoder::new(H264EncoderConfig {
            bitrate_bps,
            frame_rate: self.frame_rate,
            frame_dropping: true,
            ..H264EncoderConfig::default()
        });
        let default_duration = Duration::from_secs_f32(1.0 / self.frame_rate);
        let mut last_timestamp_us: Option<u64> = None;
        let mut key_frames = MinInterval::new(KEY_FRAME_INTERVAL);
        let mut size = VideoSize::default();
        let mut scaler = Scaler::default();
        let mut scaled = I420Frame::default();
        while let Ok(frame) = self.frames.recv() {
            let peer = self.peer.borrow().clone();
            let Some(peer) = peer.filter(|p| p.state() == ConnectionState::Connected) else {
                // Nobody to send to: the first frame after connecting must be a key frame.
                self.control.request_key_frame();
                self.counters.update(|s| s.video_frames_dropped += 1);
                recycle(&self.spare, frame);
                continue;
            };
            let now = Instant::now();
            if key_frames.is_open(now) && self.control.key_frame.swap(false, Relaxed) {
                encoder.request_key_frame();
            }
            let target = self.control.bitrate_bps.load(Relaxed);
            if target != encoder.bitrate_bps() {
                if let Err(e) = encoder.set_bitrate(target) {
                    tracing::warn!(error = %e, "cannot set the video bitrate");
                }
                self.counters
                    .update(|s| s.video_target_bitrate_bps = target);
            }
            let camera_size = (frame.width, frame.height);
            let (width, height) = size.update(now, target, camera_size, self.frame_rate);
            let picture = if (width, height) == camera_size {
                &frame
            } else if let Err(e) = scaler.scale(&frame, &mut scaled, width, height) {
                tracing::warn!(error = %e, "cannot scale the picture down");
                &frame
            } else {
                &scaled
            };
            let encoded = encoder.encode(&picture.view(), frame.timestamp_us);
            let timestamp_us = frame.timestamp_us;
            recycle(&self.spare, frame);
            let encoded = match encoded {
                Ok(Some(encoded)) => encoded,
                Ok(None) => continue, // rate control skipped this frame
                Err(e) => {
                    tracing::warn!(error = %e, "video encoding failed");
                    continue;
                }
            };
            if encoded.key_frame {
                // Requested or not (the first frame, a new size): spacing counts from here.
                key_frames.record(now);
            }
            // The RTP clock advances by the capture interval, so the remote
            // plays frames at the pace they were taken.
            let duration = last_timestamp_us
                .map(|last| Duration::from_micros(timestamp_us.saturating_sub(last)))
                .filter(|d| !d.is_zero() && *d < Duration::from_millis(500))
                .unwrap_or(default_duration);
            last_timestamp_us = Some(timestamp_us);
            let key_frame = encoded.key_frame;
            match self
                .runtime
                .block_on(peer.write_video(encoded.data, duration))
            {
                Ok(()) => self.counters.update(|s| {
                    s.video_frames_sent += 1;
                    s.key_frames_sent += u64::from(key_frame);
                }),
                Err(e) => tracing::debug!("video write failed: {e}"),
            }
        }
    }
}

fn recycle(spare: &Mutex<Vec<I420Frame>>, frame: I420Frame) {
    let mut spare = lock(spare);
    if spare.len() < SPARE_BUFFERS {
        spare.push(frame);
    }
}
