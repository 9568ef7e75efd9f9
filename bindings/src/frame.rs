//! Decoded remote video handed to the UI: one buffer per frame, readable without a further copy.

use videochat_core::media::I420Frame;

use crate::error::CallError;

/// The pixel layout the UI wants remote video in (set in `CallConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FrameFormat {
    /// Planar 4:2:0, planes packed one after another: Y (`width` bytes a row), then U and V
    /// (`(width + 1) / 2` bytes a row). For GPU renderers (three textures, or a YUV shader).
    I420,
    /// 4 bytes a pixel, R,G,B,A in memory, `width * 4` bytes a row: Android
    /// `Bitmap.Config.ARGB_8888` (`copyPixelsFromBuffer`), WebGL/Metal `rgba8Unorm`.
    Rgba,
}

/// Where one plane lies in a `RemoteVideoFrame`'s buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct PlaneLayout {
    /// Byte offset of the plane's first row.
    pub offset: u64,
    /// Bytes from one row to the next.
    pub stride: u32,
    /// Number of rows.
    pub rows: u32,
}

/// One decoded remote picture, upright, owned by Rust and shared with the UI.
///
/// Reading it costs no copy: `data_address` with
/// `byte_len` describe the pixels in place (the Kotlin helper
/// `RemoteVideoFrame.pixels()` wraps them in a direct `ByteBuffer`, the Swift helper
/// `withPixels` in an `UnsafeRawBufferPointer`). The pixels stay valid until the frame is closed
/// (Kotlin `close()` / `use {}`, Swift: last reference released). `to_bytes`
/// is the simple, copying alternative (about a millisecond at 720p).
#[derive(Debug, uniffi::Object)]
pub struct RemoteVideoFrame {
    width: u32,
    height: u32,
    timestamp_us: i64,
    format: FrameFormat,
    data: Vec<u8>,
}

impl RemoteVideoFrame {
    /// Copies (I420) or converts (RGBA) a decoded frame: the one pass over the pixels that
    /// delivery costs.
    pub(crate) fn from_decoded(frame: &I420Frame, format: FrameFormat) -> Result<Self, CallError> {
        let data = match format {
            FrameFormat::I420 => {
                let mut data = Vec::with_capacity(frame.y.len() + frame.u.len() + frame.v.len());
                data.extend_from_slice(&frame.y);
                data.extend_from_slice(&frame.u);
                data.extend_from_slice(&frame.v);
                data
            }
            FrameFormat::Rgba => {
                let mut data = vec![0; frame.rgba_len()];
                frame
                    .write_rgba(&mut data)
                    .map_err(|e| CallError::Internal {
                        reason: e.to_string(),
                    })?;
                data
            }
        };
        Ok(Self {
            width: frame.width,
            height: frame.height,
            timestamp_us: i64::try_from(frame.timestamp_us).unwrap_or(i64::MAX),
            format,
            data,
        })
    }
}

#[uniffi::export]
impl RemoteVideoFrame {
    /// Width in pixels (upright).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels (upright).
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The sender's capture time in microseconds, on the sender's clock (for ordering and
    /// frame pacing, not for comparing with local time).
    pub fn timestamp_us(&self) -> i64 {
        self.timestamp_us
    }

    /// The layout of the pixels.
    pub fn format(&self) -> FrameFormat {
        self.format
    }

    /// Where each plane lies in the buffer: Y, U, V for I420; one plane for RGBA.
    pub fn planes(&self) -> Vec<PlaneLayout> {
        let (w, h) = (self.width, self.height);
        match self.format {
            FrameFormat::Rgba => vec![PlaneLayout {
                offset: 0,
                stride: w * 4,
                rows: h,
            }],
            FrameFormat::I420 => {
                let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
                let y_len = u64::from(w) * u64::from(h);
                let c_len = u64::from(cw) * u64::from(ch);
                vec![
                    PlaneLayout {
                        offset: 0,
                        stride: w,
                        rows: h,
                    },
                    PlaneLayout {
                        offset: y_len,
                        stride: cw,
                        rows: ch,
                    },
                    PlaneLayout {
                        offset: y_len + c_len,
                        stride: cw,
                        rows: ch,
                    },
                ]
            }
        }
    }

    /// Length of the pixel buffer in bytes.
    pub fn byte_len(&self) -> u64 {
        self.data.len() as u64
    }

    /// Address of the first pixel byte, valid until this frame is closed. For zero-copy reads
    /// through a native pointer (JNA `Pointer`, Swift `UnsafeRawPointer`); the bytes are
    /// read-only.
    pub fn data_address(&self) -> u64 {
        self.data.as_ptr() as u64
    }

    /// A copy of the pixels (`ByteArray` / `Data`). Simple but copies twice at the boundary;
    /// prefer the zero-copy view for every-frame rendering.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.data.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gray_frame(width: u32, height: u32) -> I420Frame {
        let mut frame = I420Frame::new(width, height);
        frame.y.fill(235); // video-range white
        frame.timestamp_us = 42;
        frame
    }

    #[test]
    fn i420_frames_pack_planes_back_to_back() {
        let frame = RemoteVideoFrame::from_decoded(&gray_frame(6, 4), FrameFormat::I420)
            .expect("valid frame");
        let planes = frame.planes();
        assert_eq!(frame.byte_len(), 6 * 4 + 2 * (3 * 2));
        assert_eq!(planes[1].offset, 24);
        assert_eq!(planes[2].offset, 30);
        assert_eq!(planes[1].stride, 3);
        assert_eq!(frame.timestamp_us(), 42);
    }

    #[test]
    fn rgba_frames_convert_video_range_white_to_opaque_white() {
        let frame = RemoteVideoFrame::from_decoded(&gray_frame(4, 2), FrameFormat::Rgba)
            .expect("valid frame");
        assert_eq!(frame.byte_len(), 4 * 2 * 4);
        assert_eq!(frame.planes()[0].stride, 16);
        assert!(
            frame
                .to_bytes()
                .chunks_exact(4)
                .all(|px| px == [255, 255, 255, 255])
        );
    }

    #[test]
    fn data_address_points_at_the_pixels() {
        let frame = RemoteVideoFrame::from_decoded(&gray_frame(2, 2), FrameFormat::I420)
            .expect("valid frame");
        assert_eq!(frame.data_address(), frame.data.as_ptr() as u64);
        assert_ne!(frame.data_address(), 0);
    }
}
