//! H.264 Constrained Baseline encoder over openh264 (built from source).
//!
//! The crate's defaults (quality rate control, 0 fps) make the output size drift with the
//! picture; here rate control is in bitrate mode with the frame rate set, so the bitrate
//! controller's target is what goes on the wire.

use std::os::raw::c_void;

use bytes::Bytes;
use openh264::encoder::{
    BitRate, Complexity, Encoder, EncoderConfig, FrameRate, FrameType, Profile, RateControlMode,
    UsageType,
};
use openh264::formats::YUVSlices;
use openh264::{OpenH264API, Timestamp};
use openh264_sys2::{
    ENCODER_OPTION, ENCODER_OPTION_BITRATE, ENCODER_OPTION_MAX_BITRATE, SBitrateInfo,
    SPATIAL_LAYER_0, SPATIAL_LAYER_ALL,
};
use thiserror::Error;

use super::convert::{UprightConverter, rotate_i420};
use super::frame::{FrameError, I420Frame, I420Ref, Rotation, VideoFrameRef};

/// Lowest target accepted; below this openh264 cannot hold a picture together.
pub const MIN_VIDEO_BITRATE_BPS: u32 = 30_000;
/// Highest target accepted (well under level 3.1's 14 Mbps cap for 720p30).
pub const MAX_VIDEO_BITRATE_BPS: u32 = 8_000_000;

/// The encoder's peak-rate cap as a multiple of the target: headroom for key frames without
/// letting rate control coast far above the target.
const MAX_BITRATE_FACTOR: u32 = 2;

/// Why a frame could not be encoded.
#[derive(Debug, Error)]
pub enum EncodeError {
    /// The frame itself is unusable (size, strides, odd dimensions).
    #[error("bad frame: {0}")]
    Frame(#[from] FrameError),
    /// openh264 refused to initialise, reconfigure or encode.
    #[error("openh264: {0}")]
    Codec(String),
}

/// Settings for [`H264Encoder`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct H264EncoderConfig {
    /// Initial target bitrate in bits per second.
    pub bitrate_bps: u32,
    /// Frame rate the rate control plans for.
    pub frame_rate: f32,
    /// Let rate control drop a frame rather than overshoot (what libwebrtc does for cameras).
    pub frame_dropping: bool,
    /// Encoder threads; 0 lets openh264 choose. One, as libwebrtc uses: a second thread
    /// splits the picture into slices and costs more CPU in all than it saves in latency.
    pub threads: u16,
    /// How hard openh264 searches for a cheap encoding of each macroblock.
    pub effort: EncoderEffort,
}

/// openh264's complexity mode: more effort, fewer bits for the same picture, more CPU.
///
/// `codec_bench` compares them: on a 720p clip at 1.5 Mbit/s `Low` costs about 14% fewer
/// instructions than `Medium` for 0.1 dB less PSNR, but its rate control skips more frames
/// after a key frame at tight rates, so `Medium` stays the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncoderEffort {
    /// openh264's own default and libwebrtc's.
    Low,
    Medium,
    High,
}

impl Default for H264EncoderConfig {
    fn default() -> Self {
        Self {
            bitrate_bps: 1_000_000,
            frame_rate: 30.0,
            frame_dropping: true,
            threads: 1,
            effort: EncoderEffort::Medium,
        }
    }
}

/// One encoded access unit in Annex-B form (start codes included), ready for the RTP packetizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedFrame {
    /// NAL units with `00 00 00 01` start codes; a key frame starts with SPS and PPS.
    pub data: Bytes,
    /// True for an IDR picture (decodable on its own).
    pub key_frame: bool,
    /// Encoded width.
    pub width: u32,
    /// Encoded height.
    pub height: u32,
    /// Capture time of the source frame in microseconds.
    pub timestamp_us: u64,
}

/// H.264 encoder: Constrained Baseline, bitrate rate control, key frames on request and on
/// every size change.
pub struct H264Encoder {
    converter: UprightConverter,
    core: EncoderCore,
}

impl H264Encoder {
    /// An encoder; openh264 itself is created on the first frame, when the size is known.
    pub fn new(config: H264EncoderConfig) -> Self {
        let mut config = config;
        config.bitrate_bps = config
            .bitrate_bps
            .clamp(MIN_VIDEO_BITRATE_BPS, MAX_VIDEO_BITRATE_BPS);
        Self {
            converter: UprightConverter::new(),
            core: EncoderCore {
                config,
                encoder: None,
                size: None,
                key_frame_pending: false,
                staging: I420Frame::default(),
            },
        }
    }

    /// The current target bitrate.
    pub fn bitrate_bps(&self) -> u32 {
        self.core.config.bitrate_bps
    }

    /// The size of the last picture encoded (none yet: `None`).
    pub fn size(&self) -> Option<(u32, u32)> {
        self.core.size
    }

    /// Changes the target bitrate (clamped to the supported range) without a key frame.
    pub fn set_bitrate(&mut self, bps: u32) -> Result<(), EncodeError> {
        self.core
            .set_bitrate(bps.clamp(MIN_VIDEO_BITRATE_BPS, MAX_VIDEO_BITRATE_BPS))
    }

    /// Makes the next encoded frame an IDR (on PLI/FIR from the remote).
    pub fn request_key_frame(&mut self) {
        self.core.key_frame_pending = true;
    }

    /// Rotates/converts a camera frame to upright I420 and encodes it.
    ///
    /// `Ok(None)` means rate control dropped the frame.
    pub fn encode_frame(
        &mut self,
        frame: &VideoFrameRef<'_>,
    ) -> Result<Option<EncodedFrame>, EncodeError> {
        let upright = self.converter.convert(frame)?;
        self.core.encode(&upright, frame.timestamp_us)
    }

    /// Encodes an upright I420 picture. A new size re-creates the encoder and starts with an IDR.
    ///
    /// `Ok(None)` means rate control dropped the frame.
    pub fn encode(
        &mut self,
        picture: &I420Ref<'_>,
        timestamp_us: u64,
    ) -> Result<Option<EncodedFrame>, EncodeError> {
        self.core.encode(picture, timestamp_us)
    }
}

/// Everything but the converter, so a converted view and the encoder can be borrowed together.
struct EncoderCore {
    config: H264EncoderConfig,
    /// Present once the first frame of the current size has been encoded (openh264 is initialised).
    encoder: Option<Encoder>,
    size: Option<(u32, u32)>,
    key_frame_pending: bool,
    /// Used only when the caller's planes end short of a full last stride.
    staging: I420Frame,
}

impl EncoderCore {
    fn openh264_config(&self) -> EncoderConfig {
        EncoderConfig::new()
            .usage_type(UsageType::CameraVideoRealTime)
            .profile(Profile::Baseline)
            .rate_control_mode(RateControlMode::Bitrate)
            .bitrate(BitRate::from_bps(self.config.bitrate_bps))
            .max_frame_rate(FrameRate::from_hz(self.config.frame_rate))
            .skip_frames(self.config.frame_dropping)
            // Its scene-change detection reads the jump over frames that rate
            // control skipped as a cut: a key frame every second or two on a
            // slow link, each a burst that fills its queue. A real cut (a
            // camera switch) asks for a key frame.
            .scene_change_detect(false)
            .num_threads(self.config.threads)
            .complexity(match self.config.effort {
                EncoderEffort::Low => Complexity::Low,
                EncoderEffort::Medium => Complexity::Medium,
                EncoderEffort::High => Complexity::High,
            })
    }

    fn encode(
        &mut self,
        picture: &I420Ref<'_>,
        timestamp_us: u64,
    ) -> Result<Option<EncodedFrame>, EncodeError> {
        picture.validate()?;
        let (width, height) = (picture.width, picture.height);
        if width % 2 != 0 || height % 2 != 0 || width < 16 || height < 16 {
            return Err(FrameError::UnsupportedSize { width, height }.into());
        }
        let fresh = self.size != Some((width, height)) || self.encoder.is_none();
        if fresh {
            // A new encoder (rather than openh264's in-place reinit) so the current bitrate,
            // not the one from the first configuration, applies; its first frame is an IDR.
            let api = OpenH264API::from_source();
            let encoder = Encoder::with_api_config(api, self.openh264_config()).map_err(codec)?;
            self.encoder = Some(encoder);
            self.size = Some((width, height));
            self.key_frame_pending = false;
        }
        let Some(encoder) = self.encoder.as_mut() else {
            return Err(EncodeError::Codec("encoder missing after creation".into()));
        };
        if self.key_frame_pending {
            encoder.force_intra_frame();
        }
        let timestamp = Timestamp::from_millis(timestamp_us / 1000);
        let source = match exact_slices(picture) {
            Some(slices) => slices,
            None => {
                rotate_i420(picture, Rotation::Deg0, &mut self.staging)?;
                let view = self.staging.view();
                exact_slices(&view).ok_or_else(|| {
                    EncodeError::Codec("staging copy has wrong plane sizes".into())
                })?
            }
        };
        let bitstream = encoder.encode_at(&source, timestamp).map_err(codec)?;
        let frame_type = bitstream.frame_type();
        let data = bitstream.to_vec();
        if fresh {
            // openh264 initialises inside the first encode; only now can the peak cap be raised.
            apply_bitrate(encoder, self.config.bitrate_bps, self.config.bitrate_bps)?;
        }
        if data.is_empty() || matches!(frame_type, FrameType::Skip | FrameType::Invalid) {
            return Ok(None);
        }
        let key_frame = frame_type == FrameType::IDR;
        if key_frame {
            self.key_frame_pending = false;
        }
        Ok(Some(EncodedFrame {
            data: Bytes::from(data),
            key_frame,
            width,
            height,
            timestamp_us,
        }))
    }

    fn set_bitrate(&mut self, bps: u32) -> Result<(), EncodeError> {
        let old = self.config.bitrate_bps;
        self.config.bitrate_bps = bps;
        match self.encoder.as_mut() {
            Some(encoder) => apply_bitrate(encoder, old, bps),
            None => Ok(()),
        }
    }
}

/// Sets target and peak on a running encoder. openh264 rejects a peak below the target, so the
/// order depends on the direction of the change.
fn apply_bitrate(encoder: &mut Encoder, old_bps: u32, new_bps: u32) -> Result<(), EncodeError> {
    let max = new_bps.saturating_mul(MAX_BITRATE_FACTOR);
    if new_bps >= old_bps {
        set_rate_option(encoder, ENCODER_OPTION_MAX_BITRATE, SPATIAL_LAYER_0, max)?;
        set_rate_option(encoder, ENCODER_OPTION_BITRATE, SPATIAL_LAYER_ALL, new_bps)
    } else {
        set_rate_option(encoder, ENCODER_OPTION_BITRATE, SPATIAL_LAYER_ALL, new_bps)?;
        set_rate_option(encoder, ENCODER_OPTION_MAX_BITRATE, SPATIAL_LAYER_0, max)
    }
}

fn set_rate_option(
    encoder: &mut Encoder,
    option: ENCODER_OPTION,
    layer: i32,
    bps: u32,
) -> Result<(), EncodeError> {
    let mut info = SBitrateInfo {
        iLayer: layer,
        iBitrate: i32::try_from(bps).unwrap_or(i32::MAX),
    };
    // SAFETY: the encoder is initialised (it has encoded a frame) and `info` is a valid
    // SBitrateInfo that outlives the call; openh264 only reads it for these options.
    let rc = unsafe {
        encoder
            .raw_api()
            .set_option(option, (&raw mut info).cast::<c_void>())
    };
    if rc != 0 {
        return Err(EncodeError::Codec(format!(
            "set_option({option}) to {bps} bps failed with {rc}"
        )));
    }
    Ok(())
}

/// Slices of exactly `rows * stride` bytes per plane, as openh264's `YUVSlices` demands, or
/// `None` when a plane ends right after its last pixel.
fn exact_slices<'a>(p: &I420Ref<'a>) -> Option<YUVSlices<'a>> {
    let (w, h) = (p.width as usize, p.height as usize);
    let y = p.y.data.get(..h * p.y.stride)?;
    let u = p.u.data.get(..(h / 2) * p.u.stride)?;
    let v = p.v.data.get(..(h / 2) * p.v.stride)?;
    Some(YUVSlices::new(
        (y, u, v),
        (w, h),
        (p.y.stride, p.u.stride, p.v.stride),
    ))
}

fn codec(error: openh264::Error) -> EncodeError {
    EncodeError::Codec(error.to_string())
}
