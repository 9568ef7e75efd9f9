//! Media without WebRTC: raw frames, pixel conversion, H.264 and Opus codecs, and the desktop
//! peer's cameras (a synthetic pattern or a Y4M clip, both stamped) and microphone.
//!
//! The send path for video is camera frame ([`VideoFrameRef`], I420 or NV12, any rotation) ->
//! [`H264Encoder::encode_frame`] (rotates to upright, encodes) -> [`EncodedFrame`] (Annex-B
//! access unit). The receive path is access unit -> [`H264Decoder::decode`] -> [`I420Frame`]
//! (with [`I420Frame::write_rgba`] for simple renderers); a [`DecodeError`] means "send a PLI".
//! Audio is 20 ms of 48 kHz mono `i16` -> [`OpusEncoder`] -> packet -> [`OpusDecoder`], where
//! `decode(None)` conceals a lost packet.
//!
//! On x86 the build fails unless `nasm` is installed (core/build.rs): without it openh264
//! silently builds without its assembly and runs 2.5-3x slower.

pub mod convert;
pub mod frame;
pub mod h264_decoder;
pub mod h264_encoder;
pub mod opus;
pub mod scale;
pub mod test_pattern;
pub mod tone;
pub mod y4m;

pub use convert::{UprightConverter, nv12_to_i420, rotate_i420, upright_into, yuv420_to_i420};
pub use frame::{FrameError, I420Frame, I420Ref, PixelPlanes, Plane, Rotation, VideoFrameRef};
pub use h264_decoder::{DecodeError, H264Decoder, is_key_frame, nal_types};
pub use h264_encoder::{EncodeError, EncodedFrame, EncoderEffort, H264Encoder, H264EncoderConfig};
pub use opus::{AudioError, OPUS_FRAME_SAMPLES, OPUS_SAMPLE_RATE, OpusDecoder, OpusEncoder};
pub use scale::Scaler;
pub use test_pattern::{PatternStamp, TestPattern, read_stamp, write_stamp};
pub use tone::ToneGenerator;
pub use y4m::Y4mClip;
