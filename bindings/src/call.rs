//! The exported call object: a skin over `videochat_core::call::Call`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use videochat_core::call as core_call;
use videochat_core::media::{OPUS_FRAME_SAMPLES, PixelPlanes, Plane, Rotation, VideoFrameRef};

use crate::dispatch::Dispatcher;
use crate::error::CallError;
use crate::listener::CallListener;
use crate::observer::QueueingObserver;
use crate::runtime;
use crate::security::SecurityCode;
use crate::stats::{CallStats, ListenerStats};
use crate::types::{CallConfig, CameraFacing};

/// Bytes in one 20 ms chunk of 48 kHz mono s16le audio.
const AUDIO_CHUNK_BYTES: usize = OPUS_FRAME_SAMPLES * 2;

/// One call. Creating it connects to the relay and joins the room; closing it (Kotlin
/// `close()` / `use {}`, Swift: releasing it) hangs up and frees everything, and no callback
/// starts after `close()` returns. Closing twice is harmless.
///
/// Every method returns quickly and may be called from any thread: frames are copied once
/// (made upright) and encoded on the core's encoder thread.
#[derive(uniffi::Object)]
pub struct Call {
    // Field order is drop order: hang up first, then stop the listener's thread.
    core: core_call::Call,
    ended: Arc<AtomicBool>,
    dispatcher: Dispatcher,
}

#[uniffi::export]
impl Call {
    /// Starts a call: connect to `config.relayUrl`, join `config.room` and call whoever is or
    /// comes there. Throws `InvalidConfig` at once for a bad config; everything later (room
    /// full, peer left, network lost) arrives as a state on `listener`.
    #[uniffi::constructor]
    pub fn new(
        config: CallConfig,
        listener: Arc<dyn CallListener>,
    ) -> Result<Arc<Self>, CallError> {
        guarded(|| {
            let format = config.remote_video_format;
            let runtime = runtime::handle()?;
            let dispatcher = Dispatcher::start(listener)?;
            let ended = Arc::new(AtomicBool::new(false));
            let observer = QueueingObserver {
                sink: dispatcher.sink(),
                format,
                ended: ended.clone(),
            };
            let core = core_call::Call::start(config.into(), Arc::new(observer), &runtime)?;
            Ok(Arc::new(Self {
                core,
                ended,
                dispatcher,
            }))
        })
    }

    /// Hands in one I420 camera frame without copying it across the boundary (Kotlin: direct
    /// `ByteBuffer`s, position 0; Swift: `Data`). `rotationDegrees` (0, 90, 180, 270,
    /// clockwise) makes it upright; `timestampUs` is the capture time on any monotonic clock.
    #[allow(clippy::too_many_arguments)] // one argument per plane property, as cameras give them
    pub fn send_video_i420(
        &self,
        y: &[u8],
        u: &[u8],
        v: &[u8],
        stride_y: u32,
        stride_u: u32,
        stride_v: u32,
        width: u32,
        height: u32,
        rotation_degrees: u32,
        timestamp_us: i64,
    ) -> Result<(), CallError> {
        let planes = PixelPlanes::I420 {
            y: Plane::new(y, stride_y as usize),
            u: Plane::new(u, stride_u as usize),
            v: Plane::new(v, stride_v as usize),
        };
        self.send_video(planes, width, height, rotation_degrees, timestamp_us)
    }

    /// Hands in one NV12 camera frame (Y plane, then interleaved U,V), as iOS and most Android
    /// cameras deliver it. Otherwise like `sendVideoI420`.
    #[allow(clippy::too_many_arguments)] // as above
    pub fn send_video_nv12(
        &self,
        y: &[u8],
        uv: &[u8],
        stride_y: u32,
        stride_uv: u32,
        width: u32,
        height: u32,
        rotation_degrees: u32,
        timestamp_us: i64,
    ) -> Result<(), CallError> {
        let planes = PixelPlanes::Nv12 {
            y: Plane::new(y, stride_y as usize),
            uv: Plane::new(uv, stride_uv as usize),
        };
        self.send_video(planes, width, height, rotation_degrees, timestamp_us)
    }

    /// Hands in one Android `YUV_420_888` frame exactly as Camera2's `Image.planes` give it:
    /// the three plane buffers with their row strides, and the chroma planes' pixel stride
    /// (1 for planar, 2 for interleaved in NV12 or NV21 order). No copy on the way in,
    /// whatever the device's layout. Otherwise like `sendVideoI420`.
    #[allow(clippy::too_many_arguments)] // as above
    pub fn send_video_yuv420(
        &self,
        y: &[u8],
        u: &[u8],
        v: &[u8],
        stride_y: u32,
        stride_uv: u32,
        pixel_stride_uv: u32,
        width: u32,
        height: u32,
        rotation_degrees: u32,
        timestamp_us: i64,
    ) -> Result<(), CallError> {
        let planes = PixelPlanes::Yuv420 {
            y: Plane::new(y, stride_y as usize),
            u: Plane::new(u, stride_uv as usize),
            v: Plane::new(v, stride_uv as usize),
            chroma_pixel_stride: pixel_stride_uv as usize,
        };
        self.send_video(planes, width, height, rotation_degrees, timestamp_us)
    }

    /// Hands in 20 ms of microphone audio: 1920 bytes, 960 samples of 48 kHz mono signed
    /// 16-bit little-endian (a direct `ByteBuffer` filled by `AudioRecord.read`).
    pub fn send_audio(&self, pcm: &[u8]) -> Result<(), CallError> {
        guarded(|| {
            self.check_live()?;
            if pcm.len() != AUDIO_CHUNK_BYTES {
                return Err(CallError::InvalidFrame {
                    reason: format!(
                        "audio chunk of {} bytes, expected {AUDIO_CHUNK_BYTES}",
                        pcm.len()
                    ),
                });
            }
            let mut samples = [0i16; OPUS_FRAME_SAMPLES];
            for (sample, bytes) in samples.iter_mut().zip(pcm.chunks_exact(2)) {
                *sample = i16::from_le_bytes([bytes[0], bytes[1]]);
            }
            Ok(self.core.send_audio(&samples)?)
        })
    }

    /// Tells the call which camera now feeds it; send the new camera's frames (any size or
    /// rotation) right after. No renegotiation: the next frame goes out as a key frame.
    pub fn set_camera_facing(&self, facing: CameraFacing) {
        self.core.set_camera_facing(facing);
    }

    /// The camera the app should capture from (mirror the self-view only for `User`).
    pub fn camera_facing(&self) -> CameraFacing {
        self.core.camera_facing()
    }

    /// Mutes the microphone (silence is sent, so the remote's playout stays steady).
    pub fn set_muted(&self, muted: bool) {
        self.core.set_muted(muted);
    }

    /// Whether the microphone is muted.
    pub fn is_muted(&self) -> bool {
        self.core.is_muted()
    }

    /// Turns our video off (frames are ignored; the remote keeps the last picture) or on.
    pub fn set_video_enabled(&self, enabled: bool) {
        self.core.set_video_enabled(enabled);
    }

    /// Whether our video is on.
    pub fn is_video_enabled(&self) -> bool {
        self.core.is_video_enabled()
    }

    /// Ends the call: the other side is told at once (its call ends with `PeerLeft`) and an
    /// `Ended(HungUp)` state follows. Safe to call more than once. Still `close()` the call.
    pub fn hang_up(&self) {
        self.ended.store(true, Ordering::Relaxed);
        self.core.hang_up();
    }

    /// The code both people read to each other (equal codes: no one sits in the middle), or
    /// why there is none. Settles within about 5 s of connecting; a new peer starts it afresh.
    pub fn security_code(&self) -> SecurityCode {
        self.core.security_code().into()
    }

    /// The call's counters now (the listener also gets them about once a second).
    pub fn stats(&self) -> CallStats {
        self.core.stats()
    }

    /// How the listener keeps up: frames it was too slow to take, callbacks that threw.
    pub fn listener_stats(&self) -> ListenerStats {
        let sink = self.dispatcher.sink();
        ListenerStats {
            video_frames_dropped: sink.dropped_video(),
            failures: sink.listener_failures(),
        }
    }
}

impl Call {
    fn send_video(
        &self,
        planes: PixelPlanes<'_>,
        width: u32,
        height: u32,
        rotation_degrees: u32,
        timestamp_us: i64,
    ) -> Result<(), CallError> {
        guarded(|| {
            self.check_live()?;
            let rotation = Rotation::from_degrees(rotation_degrees).ok_or_else(|| {
                CallError::InvalidFrame {
                    reason: format!("rotation {rotation_degrees} is not 0, 90, 180 or 270"),
                }
            })?;
            let timestamp_us =
                u64::try_from(timestamp_us).map_err(|_| CallError::InvalidFrame {
                    reason: format!("negative timestamp {timestamp_us}"),
                })?;
            let frame = VideoFrameRef {
                planes,
                width,
                height,
                rotation,
                timestamp_us,
            };
            Ok(self.core.send_video(&frame)?)
        })
    }

    fn check_live(&self) -> Result<(), CallError> {
        if self.ended.load(Ordering::Relaxed) {
            Err(CallError::CallEnded)
        } else {
            Ok(())
        }
    }
}

/// Runs `body`, turning a panic into `CallError::Internal` so the UI gets a typed error.
fn guarded<T>(body: impl FnOnce() -> Result<T, CallError>) -> Result<T, CallError> {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_owned());
        Err(CallError::Internal { reason })
    })
}
