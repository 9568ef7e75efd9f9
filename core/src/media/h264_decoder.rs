//! H.264 decoder over openh264: Annex-B access units in, tightly packed I420 out.
//!
//! After any failure the decoder waits for an IDR and says so ([`DecodeError::NeedsKeyFrame`]),
//! so the receiver knows to send a PLI instead of showing a smeared picture.

use openh264::OpenH264API;
use openh264::decoder::{Decoder, DecoderConfig};
use openh264::formats::YUVSource;
use thiserror::Error;

use super::frame::I420Frame;

/// NAL unit type of an IDR slice.
const NAL_IDR: u8 = 5;

/// Why an access unit produced no picture. Every case means "send a PLI".
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The stream lost its reference (start of stream, loss or an earlier error): only an
    /// IDR can be decoded now.
    #[error("waiting for a key frame")]
    NeedsKeyFrame,
    /// The bytes hold no Annex-B NAL unit.
    #[error("not an Annex-B access unit")]
    NotAnnexB,
    /// openh264 rejected the data.
    #[error("corrupt H.264 data: {0}")]
    Corrupt(String),
    /// openh264 could not be created.
    #[error("openh264 decoder init failed: {0}")]
    Init(String),
}

impl DecodeError {
    /// Whether the sender should be asked for a key frame (PLI). True for every error today.
    pub fn needs_key_frame(&self) -> bool {
        !matches!(self, Self::Init(_))
    }
}

/// H.264 decoder producing owned I420 frames.
pub struct H264Decoder {
    inner: Decoder,
    /// Set at start and after any error; cleared by the first decoded IDR.
    awaiting_key_frame: bool,
}

impl H264Decoder {
    /// A decoder that waits for its first key frame.
    pub fn new() -> Result<Self, DecodeError> {
        let inner = Decoder::with_api_config(OpenH264API::from_source(), DecoderConfig::new())
            .map_err(|e| DecodeError::Init(e.to_string()))?;
        Ok(Self {
            inner,
            awaiting_key_frame: true,
        })
    }

    /// Whether only a key frame can be decoded right now.
    pub fn awaiting_key_frame(&self) -> bool {
        self.awaiting_key_frame
    }

    /// Decodes one access unit into a new frame; `Ok(None)` when it held no picture (e.g. only
    /// parameter sets). `timestamp_us` is carried into the frame unchanged.
    pub fn decode(
        &mut self,
        access_unit: &[u8],
        timestamp_us: u64,
    ) -> Result<Option<I420Frame>, DecodeError> {
        let mut frame = I420Frame::default();
        Ok(self
            .decode_into(access_unit, timestamp_us, &mut frame)?
            .then_some(frame))
    }

    /// Decodes one access unit into `out`, reusing its buffers; returns whether a picture was
    /// written.
    pub fn decode_into(
        &mut self,
        access_unit: &[u8],
        timestamp_us: u64,
        out: &mut I420Frame,
    ) -> Result<bool, DecodeError> {
        let mut types = nal_types(access_unit).peekable();
        if types.peek().is_none() {
            self.awaiting_key_frame = true;
            return Err(DecodeError::NotAnnexB);
        }
        if self.awaiting_key_frame && !types.any(|t| t == NAL_IDR) {
            return Err(DecodeError::NeedsKeyFrame);
        }
        let picture = match self.inner.decode(access_unit) {
            Ok(Some(picture)) => picture,
            Ok(None) => return Ok(false),
            Err(error) => {
                self.awaiting_key_frame = true;
                return Err(DecodeError::Corrupt(error.to_string()));
            }
        };
        let (width, height) = picture.dimensions();
        let strides = picture.strides();
        let (Ok(w), Ok(h)) = (u32::try_from(width), u32::try_from(height)) else {
            self.awaiting_key_frame = true;
            return Err(DecodeError::Corrupt(format!(
                "picture size {width}x{height}"
            )));
        };
        out.resize(w, h);
        out.timestamp_us = timestamp_us;
        let cw = out.chroma_stride();
        let ch = height.div_ceil(2);
        // openh264's planes are padded (stride > width): copy the visible rows only.
        let copied = copy_rows(picture.y(), strides.0, width, height, &mut out.y)
            && copy_rows(picture.u(), strides.1, cw, ch, &mut out.u)
            && copy_rows(picture.v(), strides.2, cw, ch, &mut out.v);
        if !copied {
            self.awaiting_key_frame = true;
            return Err(DecodeError::Corrupt(
                "decoded planes shorter than their size".into(),
            ));
        }
        self.awaiting_key_frame = false;
        Ok(true)
    }
}

/// Copies `rows` rows of `width` bytes from a strided plane; false if the source is short.
fn copy_rows(src: &[u8], stride: usize, width: usize, rows: usize, dst: &mut [u8]) -> bool {
    for (row, dst_row) in dst.chunks_exact_mut(width).take(rows).enumerate() {
        let Some(src_row) = src.get(row * stride..row * stride + width) else {
            return false;
        };
        dst_row.copy_from_slice(src_row);
    }
    true
}

/// The NAL unit types in an Annex-B buffer, in order (3- or 4-byte start codes).
pub fn nal_types(access_unit: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos + 3 < access_unit.len() {
            let at = pos;
            pos += 1;
            if access_unit[at] == 0 && access_unit[at + 1] == 0 && access_unit[at + 2] == 1 {
                pos = at + 3;
                return Some(access_unit[at + 3] & 0x1f);
            }
        }
        None
    })
}

/// Whether an Annex-B access unit contains an IDR slice (a key frame).
pub fn is_key_frame(access_unit: &[u8]) -> bool {
    nal_types(access_unit).any(|t| t == NAL_IDR)
}
