//! The send side of video: camera frames become upright I420 on the caller's
//! thread (the one copy), then an encoder thread turns the newest of them into
//! H.264 and writes it to the current peer connection.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, OnceLock};
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
use super::video_size::{Encoded, VideoSize};

/// Buffers kept for reuse between the caller and the encoder thread.
const SPARE_BUFFERS: usize = 3;
/// What audio takes of the send rate: Opus and its packet headers, 50 a second.
const AUDIO_SHARE_BPS: u32 = 50_000;
/// Of the rest, what the encoder may fill: the remainder carries video's
/// packet headers and retransmissions.
const VIDEO_SHARE: f64 = 0.9;
/// Below this an encoder makes nothing worth sending.
const MIN_VIDEO_BPS: u32 = 50_000;
/// A frame held for the connection is sent when it comes up only if it is at
/// most this old (about two frames at 30 fps): an older one shows a moment
/// long gone (the camera stopped meanwhile).
const HELD_FRAME_MAX_AGE: Duration = Duration::from_millis(70);

/// What the encoder thread waits for.
pub(crate) enum EncoderInput {
    /// An upright camera frame.
    Frame(I420Frame),
    /// The connection came up: encode the held frame, if fresh.
    Connected,
}

/// The newest frame that came while there was no connection, and when: the
/// first key frame is made of it as soon as the connection is up. Owned by
/// the encoder thread alone, so it is never sent after a newer frame.
#[derive(Default)]
struct HeldFrame(Option<(Instant, I420Frame)>);

impl HeldFrame {
    /// Keeps `frame`, taken `now`; returns the one it replaces.
    fn hold(&mut self, frame: I420Frame, now: Instant) -> Option<I420Frame> {
        self.0.replace((now, frame)).map(|(_, older)| older)
    }

    /// The held frame if it is still fresh `now`, else `Err` with the stale one.
    fn take_fresh(&mut self, now: Instant) -> Option<Result<I420Frame, I420Frame>> {
        let (at, frame) = self.0.take()?;
        Some(if now.saturating_duration_since(at) <= HELD_FRAME_MAX_AGE {
            Ok(frame)
        } else {
            Err(frame)
        })
    }

    /// Forgets the held frame (a newer one is being sent); returns it.
    fn discard(&mut self) -> Option<I420Frame> {
        self.0.take().map(|(_, frame)| frame)
    }
}

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
    /// The encoder thread's input, to tell it the connection is up.
    encoder_input: OnceLock<SyncSender<EncoderInput>>,
}

impl VideoControl {
    pub fn new(send_rate_bps: u32) -> Self {
        Self {
            key_frame: AtomicBool::new(true),
            bitrate_bps: AtomicU32::new(video_bitrate(send_rate_bps)),
            encoder_input: OnceLock::new(),
        }
    }

    /// The connection is up: the encoder sends the frame it holds now,
    /// instead of waiting for the next capture.
    pub fn connected(&self) {
        if let Some(input) = self.encoder_input.get() {
            // Full: a frame is waiting, which serves as well.
            let _ = input.try_send(EncoderInput::Connected);
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
    frames: SyncSender<EncoderInput>,
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
        let _ = control.encoder_input.set(frames.clone());
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
        match self.frames.try_send(EncoderInput::Frame(upright)) {
            Ok(()) => {}
            Err(TrySendError::Full(input)) | Err(TrySendError::Disconnected(input)) => {
                self.counters.update(|s| s.video_frames_dropped += 1);
                if let EncoderInput::Frame(frame) = input {
                    recycle(&self.spare, frame);
                }
            }
        }
        Ok(())
    }
}

struct EncoderThread {
    frames: Receiver<EncoderInput>,
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
        let mut held = HeldFrame::default();
        while let Ok(input) = self.frames.recv() {
            let now = Instant::now();
            let frame = match input {
                EncoderInput::Frame(frame) => frame,
                EncoderInput::Connected => match held.take_fresh(now) {
                    Some(Ok(frame)) => frame,
                    Some(Err(stale)) => {
                        self.drop_frame(stale);
                        continue;
                    }
                    None => continue,
                },
            };
            let peer = self.peer.borrow().clone();
            let Some(peer) = peer.filter(|p| p.state() == ConnectionState::Connected) else {
                // Nobody to send to: the first frame after connecting must be
                // a key frame, made of this one if it is still fresh then.
                self.control.request_key_frame();
                if let Some(older) = held.hold(frame, now) {
                    self.drop_frame(older);
                }
                continue;
            };
            if let Some(older) = held.discard() {
                self.drop_frame(older);
            }
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
            if encoder.size() != Some((width, height)) {
                tracing::debug!(width, height, target, "picture size");
            }
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
                Ok(Some(encoded)) => {
                    size.encoded(
                        now,
                        if encoded.key_frame {
                            Encoded::KeyFrame
                        } else {
                            Encoded::DeltaFrame {
                                bytes: encoded.data.len(),
                            }
                        },
                    );
                    encoded
                }
                Ok(None) => {
                    // Rate control skipped this frame.
                    size.encoded(now, Encoded::Skipped);
                    continue;
                }
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
            let bytes = encoded.data.len();
            let encoded_at = Instant::now();
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
            if key_frame {
                tracing::debug!(
                    bytes,
                    encode_us = encoded_at.duration_since(now).as_micros() as u64,
                    write_us = encoded_at.elapsed().as_micros() as u64,
                    "key frame sent"
                );
            }
        }
    }
}

impl EncoderThread {
    /// A frame that will not be sent: counted, and its buffer kept for reuse.
    fn drop_frame(&self, frame: I420Frame) {
        self.counters.update(|s| s.video_frames_dropped += 1);
        recycle(&self.spare, frame);
    }
}

fn recycle(spare: &Mutex<Vec<I420Frame>>, frame: I420Frame) {
    let mut spare = lock(spare);
    if spare.len() < SPARE_BUFFERS {
        spare.push(frame);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(timestamp_us: u64) -> I420Frame {
        I420Frame {
            timestamp_us,
            ..I420Frame::default()
        }
    }

    #[test]
    fn the_newest_frame_is_held_and_sent_once_while_fresh() {
        let mut held = HeldFrame::default();
        let start = Instant::now();
        assert!(held.hold(frame(1), start).is_none());
        let replaced = held.hold(frame(2), start + Duration::from_millis(33));
        assert_eq!(replaced.map(|f| f.timestamp_us), Some(1));
        let taken = held.take_fresh(start + Duration::from_millis(50));
        assert_eq!(taken.map(|f| f.map(|f| f.timestamp_us)), Some(Ok(2)));
        assert!(
            held.take_fresh(start).is_none(),
            "a frame is handed over once"
        );
    }

    #[test]
    fn a_stale_held_frame_is_not_sent() {
        let mut held = HeldFrame::default();
        let start = Instant::now();
        held.hold(frame(1), start);
        let late = start + HELD_FRAME_MAX_AGE + Duration::from_millis(1);
        assert!(matches!(held.take_fresh(late), Some(Err(_))));
    }

    #[test]
    fn a_newer_frame_sent_first_discards_the_held_one() {
        let mut held = HeldFrame::default();
        held.hold(frame(1), Instant::now());
        assert_eq!(held.discard().map(|f| f.timestamp_us), Some(1));
        assert!(held.take_fresh(Instant::now()).is_none());
    }

    #[test]
    fn connected_reaches_the_encoder_input_and_never_blocks() {
        let control = VideoControl::new(1_000_000);
        control.connected(); // no encoder yet: nothing to tell
        let (input, encoder) = sync_channel(1);
        control.encoder_input.set(input).expect("set once");
        control.connected();
        control.connected(); // full: dropped, not blocking
        assert!(matches!(encoder.try_recv(), Ok(EncoderInput::Connected)));
        assert!(encoder.try_recv().is_err());
    }
}
