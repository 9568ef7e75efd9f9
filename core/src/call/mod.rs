//! A call: the one object an app holds.
//!
//! [`Call::start`] connects to the relay, joins the room and runs the
//! negotiation on the given tokio runtime; the app hands in camera frames and
//! microphone audio and hears back through its [`CallObserver`]:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use videochat_core::call::*;
//! # fn demo(observer: Arc<dyn CallObserver>, runtime: &tokio::runtime::Handle) -> Result<(), StartError> {
//! let call = Call::start(CallConfig::new("ws://127.0.0.1:8080/ws", "kitchen"), observer, runtime)?;
//! // on the camera thread, for each frame:  call.send_video(&frame)
//! // on the audio thread, every 20 ms:      call.send_audio(&pcm)
//! call.set_camera_facing(CameraFacing::Environment); // no renegotiation
//! call.hang_up();
//! # Ok(()) }
//! ```
//!
//! Inside, three things run: the driver task (signaling, negotiation, peer
//! connection, audio writes), the encoder thread (newest camera frame to
//! H.264), and the media-receive thread (decoding, observer callbacks). Nothing
//! the app calls blocks for long: `send_video` converts the frame to upright
//! I420 (its one copy) and returns; `send_audio` encodes 20 ms of Opus.

mod command;
mod config;
mod driver;
mod media_receive;
mod min_interval;
mod observer;
mod quality;
mod quality_meter;
mod sas;
mod security_check;
mod security_code;
mod stats;
mod video_send;
mod video_size;

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, watch};

use crate::media::{FrameError, OPUS_FRAME_SAMPLES, OpusEncoder, VideoFrameRef};
use crate::sync::lock;

pub use crate::media::AudioError;
pub use crate::negotiation::{CallFailure, CallState, EndReason};
pub use config::{CallConfig, ConfigError, StartError, VideoSettings};
pub use observer::CallObserver;
pub use quality::{ConnectionQuality, QualitySample, RECOVERY_SAMPLES, ShownQuality};
pub use sas::{NotVerified, SAS_TIMEOUT, SasExchange, SecurityCode};
pub use security_code::{Fingerprint, Fingerprints, Nonce, commitment, security_code};
pub use stats::{CallStats, FREEZE};
pub use videochat_protocol::MediaState;

use command::Command;
use driver::Driver;
use stats::Counters;
use video_send::{VideoControl, VideoSender};

/// Which camera feeds the call (the W3C `facingMode` words the web client uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CameraFacing {
    /// The front camera, facing the user. Its self-view is mirrored.
    #[default]
    User,
    /// The rear camera.
    Environment,
}

impl CameraFacing {
    /// Whether the local preview should be mirrored: only for the user camera,
    /// as a mirror would; what is sent is never mirrored.
    pub fn mirrors_self_view(self) -> bool {
        self == CameraFacing::User
    }
}

/// A running call. Dropping it hangs up.
pub struct Call {
    commands: mpsc::UnboundedSender<Command>,
    security_code: watch::Receiver<SecurityCode>,
    video: VideoSender,
    audio: Arc<Mutex<OpusEncoder>>,
    video_control: Arc<VideoControl>,
    counters: Arc<Counters>,
    media_live: AtomicBool,
    facing: AtomicU8,
    muted: AtomicBool,
    video_enabled: AtomicBool,
}

impl Call {
    /// Starts a call on `runtime`: connect to the relay, join the room, and
    /// negotiate with whoever is or comes there. Fails at once only for a bad
    /// configuration; everything later is reported as a [`CallState`].
    pub fn start(
        config: CallConfig,
        observer: Arc<dyn CallObserver>,
        runtime: &Handle,
    ) -> Result<Call, StartError> {
        let room = config.validate()?;
        let limits = config.bitrate_limits();
        let counters = Arc::new(Counters::new(limits.start_bps));
        let video_control = Arc::new(VideoControl::new(limits.start_bps));
        let audio = OpusEncoder::new(crate::media::opus::DEFAULT_OPUS_BITRATE_BPS)
            .map_err(StartError::Audio)?;
        let audio = Arc::new(Mutex::new(audio));
        let max_fps = config.video.max_fps;
        let (driver, handle) = Driver::new(
            config,
            room,
            observer,
            counters.clone(),
            video_control.clone(),
            audio.clone(),
        )
        .map_err(StartError::Thread)?;
        let video = VideoSender::spawn(
            handle.current_peer.clone(),
            runtime.clone(),
            video_control.clone(),
            counters.clone(),
            max_fps,
        )
        .map_err(StartError::Thread)?;
        runtime.spawn(driver.run());
        Ok(Call {
            commands: handle.commands,
            security_code: handle.security_code,
            video,
            audio,
            video_control,
            counters,
            media_live: AtomicBool::new(false),
            facing: AtomicU8::new(CameraFacing::User as u8),
            muted: AtomicBool::new(false),
            video_enabled: AtomicBool::new(true),
        })
    }

    /// Hands in one camera frame (any rotation, I420 or NV12). The frame is
    /// made upright and copied once; encoding happens on the encoder thread,
    /// which keeps only the newest frame when it falls behind.
    pub fn send_video(&self, frame: &VideoFrameRef<'_>) -> Result<(), FrameError> {
        frame.validate()?;
        self.media_is_live();
        if !self.video_enabled.load(Relaxed) {
            return Ok(());
        }
        self.video.submit(frame)
    }

    /// Hands in 20 ms of microphone audio: 960 samples, 48 kHz mono. While
    /// muted, silence is sent instead, so the remote's playout stays steady.
    pub fn send_audio(&self, pcm: &[i16]) -> Result<(), AudioError> {
        if pcm.len() != OPUS_FRAME_SAMPLES {
            return Err(AudioError::WrongChunkSize(pcm.len()));
        }
        self.media_is_live();
        let silence = [0i16; OPUS_FRAME_SAMPLES];
        let pcm = if self.muted.load(Relaxed) {
            &silence[..]
        } else {
            pcm
        };
        let packet = lock(&self.audio).encode(pcm)?;
        let _ = self.commands.send(Command::Audio(Bytes::from(packet)));
        Ok(())
    }

    /// Switches the camera the app captures from. No renegotiation: the next
    /// frame is sent as a key frame so the remote shows the new camera at once.
    pub fn set_camera_facing(&self, facing: CameraFacing) {
        if self.facing.swap(facing as u8, Relaxed) != facing as u8 {
            self.video_control.request_key_frame();
        }
    }

    /// The camera the app should capture from.
    pub fn camera_facing(&self) -> CameraFacing {
        match self.facing.load(Relaxed) {
            x if x == CameraFacing::Environment as u8 => CameraFacing::Environment,
            _ => CameraFacing::User,
        }
    }

    /// Mutes or unmutes the microphone; the peer is told.
    pub fn set_muted(&self, muted: bool) {
        self.muted.store(muted, Relaxed);
        self.tell_media_state();
    }

    pub fn is_muted(&self) -> bool {
        self.muted.load(Relaxed)
    }

    /// Turns our video on or off (off: no frames are sent, and the peer is
    /// told, so it shows an avatar). Turning it on starts with a key frame.
    pub fn set_video_enabled(&self, enabled: bool) {
        if !self.video_enabled.swap(enabled, Relaxed) && enabled {
            self.video_control.request_key_frame();
        }
        self.tell_media_state();
    }

    pub fn is_video_enabled(&self) -> bool {
        self.video_enabled.load(Relaxed)
    }

    /// Ends the call: the peer is told (`bye`) and everything is released.
    /// Safe to call more than once.
    pub fn hang_up(&self) {
        let _ = self.commands.send(Command::HangUp);
    }

    /// The code both people can read to each other to check that the call
    /// is private, or why there is none (docs/protocol.md, "Security code").
    pub fn security_code(&self) -> SecurityCode {
        self.security_code.borrow().clone()
    }

    /// The call's counters now.
    pub fn stats(&self) -> CallStats {
        self.counters.snapshot()
    }

    /// Our microphone and camera state as it is now.
    pub fn media_state(&self) -> MediaState {
        MediaState {
            audio: !self.muted.load(Relaxed),
            video: self.video_enabled.load(Relaxed),
        }
    }

    /// Both flags read after the change, so the last command the driver
    /// gets holds the latest state even when two threads toggle at once.
    fn tell_media_state(&self) {
        let _ = self.commands.send(Command::LocalMedia(self.media_state()));
    }

    fn media_is_live(&self) {
        if !self.media_live.swap(true, Relaxed) {
            let _ = self.commands.send(Command::MediaLive);
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.hang_up();
    }
}
