//! Raw video frame types: borrowed camera input and owned I420 pictures.
//!
//! Camera frames arrive from the UI as borrowed planes ([`VideoFrameRef`]) so the FFI layer can
//! hand over `&[u8]` without copying. Everything the core produces (upright frames for the
//! encoder, decoded remote frames) is an owned [`I420Frame`].

use thiserror::Error;

/// A frame the core cannot use: wrong sizes, strides or plane lengths.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    /// Width or height is zero, odd where the codec needs even, or too large.
    #[error("unsupported frame size {width}x{height}")]
    UnsupportedSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// A plane's stride is smaller than its row length.
    #[error("plane {plane}: stride {stride} is smaller than the row length {row}")]
    StrideTooSmall {
        /// Plane name ("y", "u", "v", "uv").
        plane: &'static str,
        /// The stride given.
        stride: usize,
        /// The minimum stride.
        row: usize,
    },
    /// A plane's buffer is too short for its stride and row count.
    #[error("plane {plane}: {len} bytes, needs at least {needed}")]
    PlaneTooShort {
        /// Plane name ("y", "u", "v", "uv").
        plane: &'static str,
        /// The buffer length given.
        len: usize,
        /// The minimum length.
        needed: usize,
    },
    /// A caller-provided output buffer has the wrong length.
    #[error("output buffer has {len} elements, needs {needed}")]
    OutputSize {
        /// The buffer length given.
        len: usize,
        /// The exact length needed.
        needed: usize,
    },
}

/// Largest side accepted; H.264 level 5.2 (and openh264) stop at 3840x2160.
pub const MAX_DIMENSION: u32 = 4096;

/// Clockwise rotation that makes a captured frame upright (the Android/WebRTC convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rotation {
    /// Already upright.
    #[default]
    Deg0,
    /// Rotate 90 degrees clockwise.
    Deg90,
    /// Rotate 180 degrees.
    Deg180,
    /// Rotate 270 degrees clockwise (90 counter-clockwise).
    Deg270,
}

impl Rotation {
    /// Parses 0, 90, 180 or 270; anything else is `None`.
    pub fn from_degrees(degrees: u32) -> Option<Self> {
        match degrees {
            0 => Some(Self::Deg0),
            90 => Some(Self::Deg90),
            180 => Some(Self::Deg180),
            270 => Some(Self::Deg270),
            _ => None,
        }
    }

    /// The rotation in degrees clockwise.
    pub fn degrees(self) -> u32 {
        match self {
            Self::Deg0 => 0,
            Self::Deg90 => 90,
            Self::Deg180 => 180,
            Self::Deg270 => 270,
        }
    }

    /// Whether applying this rotation swaps width and height.
    pub fn swaps_dimensions(self) -> bool {
        matches!(self, Self::Deg90 | Self::Deg270)
    }

    /// The size of a `width` x `height` picture after this rotation.
    pub fn rotated_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_dimensions() {
            (height, width)
        } else {
            (width, height)
        }
    }
}

/// One borrowed image plane: `data` holds rows of `stride` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The plane's bytes; the last row may stop right after its pixels.
    pub data: &'a [u8],
    /// Bytes from the start of one row to the start of the next.
    pub stride: usize,
}

impl<'a> Plane<'a> {
    /// A plane over `data` with rows `stride` bytes apart.
    pub fn new(data: &'a [u8], stride: usize) -> Self {
        Self { data, stride }
    }

    /// Checks that `rows` rows of `row_len` bytes fit.
    fn check(&self, name: &'static str, row_len: usize, rows: usize) -> Result<(), FrameError> {
        if self.stride < row_len {
            return Err(FrameError::StrideTooSmall {
                plane: name,
                stride: self.stride,
                row: row_len,
            });
        }
        let needed = if rows == 0 {
            0
        } else {
            (rows - 1) * self.stride + row_len
        };
        if self.data.len() < needed {
            return Err(FrameError::PlaneTooShort {
                plane: name,
                len: self.data.len(),
                needed,
            });
        }
        Ok(())
    }

    /// Row `y`, `len` bytes long. Callers have validated the plane with [`Plane::check`].
    #[inline]
    pub(crate) fn row(&self, y: usize, len: usize) -> &'a [u8] {
        &self.data[y * self.stride..y * self.stride + len]
    }
}

/// The pixel layouts cameras hand us.
#[derive(Debug, Clone, Copy)]
pub enum PixelPlanes<'a> {
    /// Planar 4:2:0: full-size Y, quarter-size U and V.
    I420 {
        /// Luma.
        y: Plane<'a>,
        /// Blue-difference chroma.
        u: Plane<'a>,
        /// Red-difference chroma.
        v: Plane<'a>,
    },
    /// Semi-planar 4:2:0: full-size Y, then interleaved U,V pairs (Android/iOS camera default).
    Nv12 {
        /// Luma.
        y: Plane<'a>,
        /// Interleaved chroma, U first.
        uv: Plane<'a>,
    },
    /// Android's `YUV_420_888` as Camera2 hands it over: full-size Y, and U and V planes
    /// whose samples are `chroma_pixel_stride` bytes apart (1: planar; 2: interleaved in
    /// either NV12 or NV21 order, the two planes overlapping in one buffer). Each chroma
    /// plane may end right after its last sample, as Camera2's buffers do.
    Yuv420 {
        /// Luma.
        y: Plane<'a>,
        /// Blue-difference chroma, samples `chroma_pixel_stride` apart.
        u: Plane<'a>,
        /// Red-difference chroma, samples `chroma_pixel_stride` apart.
        v: Plane<'a>,
        /// Bytes from one chroma sample to the next within a row (1 to 4).
        chroma_pixel_stride: usize,
    },
}

/// Chroma plane size for a 4:2:0 picture (odd sizes round up).
pub fn chroma_size(width: u32, height: u32) -> (usize, usize) {
    (width.div_ceil(2) as usize, height.div_ceil(2) as usize)
}

fn check_size(width: u32, height: u32) -> Result<(), FrameError> {
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(FrameError::UnsupportedSize { width, height });
    }
    Ok(())
}

/// A borrowed I420 picture (what the encoder and the pattern reader take).
#[derive(Debug, Clone, Copy)]
pub struct I420Ref<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Luma plane.
    pub y: Plane<'a>,
    /// U plane.
    pub u: Plane<'a>,
    /// V plane.
    pub v: Plane<'a>,
}

impl I420Ref<'_> {
    /// Checks the size and that every plane holds its rows.
    pub fn validate(&self) -> Result<(), FrameError> {
        check_size(self.width, self.height)?;
        let (cw, ch) = chroma_size(self.width, self.height);
        self.y
            .check("y", self.width as usize, self.height as usize)?;
        self.u.check("u", cw, ch)?;
        self.v.check("v", cw, ch)
    }
}

/// A camera frame handed in by the UI, borrowed for the duration of one call.
#[derive(Debug, Clone, Copy)]
pub struct VideoFrameRef<'a> {
    /// The pixel planes.
    pub planes: PixelPlanes<'a>,
    /// Width of the buffer as captured (before rotation).
    pub width: u32,
    /// Height of the buffer as captured (before rotation).
    pub height: u32,
    /// Clockwise rotation that makes the picture upright.
    pub rotation: Rotation,
    /// Capture time in microseconds (any monotonic epoch the caller keeps).
    pub timestamp_us: u64,
}

impl VideoFrameRef<'_> {
    /// Checks the size and that every plane holds its rows.
    pub fn validate(&self) -> Result<(), FrameError> {
        check_size(self.width, self.height)?;
        let (cw, ch) = chroma_size(self.width, self.height);
        match &self.planes {
            PixelPlanes::I420 { y, u, v } => I420Ref {
                width: self.width,
                height: self.height,
                y: *y,
                u: *u,
                v: *v,
            }
            .validate(),
            PixelPlanes::Nv12 { y, uv } => {
                y.check("y", self.width as usize, self.height as usize)?;
                uv.check("uv", cw * 2, ch)
            }
            PixelPlanes::Yuv420 {
                y,
                u,
                v,
                chroma_pixel_stride,
            } => {
                if !(1..=4).contains(chroma_pixel_stride) {
                    return Err(FrameError::StrideTooSmall {
                        plane: "chroma pixel",
                        stride: *chroma_pixel_stride,
                        row: 1,
                    });
                }
                y.check("y", self.width as usize, self.height as usize)?;
                let row_len = (cw - 1) * chroma_pixel_stride + 1;
                u.check("u", row_len, ch)?;
                v.check("v", row_len, ch)
            }
        }
    }
}

/// An owned I420 picture with tightly packed planes (stride = plane width).
///
/// Used for upright frames on their way to the encoder and for decoded remote frames.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct I420Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Luma, `width * height` bytes.
    pub y: Vec<u8>,
    /// U, `ceil(width/2) * ceil(height/2)` bytes.
    pub u: Vec<u8>,
    /// V, same size as U.
    pub v: Vec<u8>,
    /// Capture (or RTP-derived) time in microseconds.
    pub timestamp_us: u64,
}

impl I420Frame {
    /// A black frame (Y=16, U=V=128, video range).
    pub fn new(width: u32, height: u32) -> Self {
        let (cw, ch) = chroma_size(width, height);
        Self {
            width,
            height,
            y: vec![16; width as usize * height as usize],
            u: vec![128; cw * ch],
            v: vec![128; cw * ch],
            timestamp_us: 0,
        }
    }

    /// Resizes the planes for `width` x `height`, keeping the allocation when possible.
    pub fn resize(&mut self, width: u32, height: u32) {
        let (cw, ch) = chroma_size(width, height);
        self.width = width;
        self.height = height;
        self.y.resize(width as usize * height as usize, 16);
        self.u.resize(cw * ch, 128);
        self.v.resize(cw * ch, 128);
    }

    /// Stride of the chroma planes.
    pub fn chroma_stride(&self) -> usize {
        self.width.div_ceil(2) as usize
    }

    /// A borrowed view of this frame.
    pub fn view(&self) -> I420Ref<'_> {
        let cs = self.chroma_stride();
        I420Ref {
            width: self.width,
            height: self.height,
            y: Plane::new(&self.y, self.width as usize),
            u: Plane::new(&self.u, cs),
            v: Plane::new(&self.v, cs),
        }
    }

    /// Bytes needed for a 4-bytes-per-pixel copy of this frame.
    pub fn rgba_len(&self) -> usize {
        self.width as usize * self.height as usize * 4
    }

    /// Writes bytes R,G,B,A per pixel (Android `Bitmap.Config.ARGB_8888` memory order, WebGL RGBA).
    pub fn write_rgba(&self, out: &mut [u8]) -> Result<(), FrameError> {
        self.convert_rgb::<u8, 4>(out, |px, r, g, b| *px = [r, g, b, 255])
    }

    /// Converts every pixel (BT.601 video range, 8.8 fixed point), calling `put` with the `N`
    /// output elements of each pixel. Chroma terms are computed once per pixel pair.
    fn convert_rgb<T, const N: usize>(
        &self,
        out: &mut [T],
        put: impl Fn(&mut [T; N], u8, u8, u8),
    ) -> Result<(), FrameError> {
        self.view().validate()?;
        let (w, h) = (self.width as usize, self.height as usize);
        let needed = w * h * N;
        if out.len() != needed {
            return Err(FrameError::OutputSize {
                len: out.len(),
                needed,
            });
        }
        let cs = self.chroma_stride();
        let clamp = |x: i32| (x >> 8).clamp(0, 255) as u8;
        // Chroma upsampled to one sample per pixel, so the per-pixel loop is a straight zip the
        // compiler can vectorise.
        let (mut u_full, mut v_full) = (vec![0u8; w], vec![0u8; w]);
        for (row, out_row) in out.chunks_exact_mut(w * N).enumerate() {
            let y_row = &self.y[row * w..row * w + w];
            if row % 2 == 0 {
                let c = (row / 2) * cs;
                upsample_row(&self.u[c..c + cs], &mut u_full);
                upsample_row(&self.v[c..c + cs], &mut v_full);
            }
            // Exact chunks always convert to arrays; fixed sizes drop the bounds checks.
            let pixels = out_row
                .chunks_exact_mut(N)
                .filter_map(|px| <&mut [T; N]>::try_from(px).ok());
            for (px, ((&luma, &u), &v)) in pixels.zip(y_row.iter().zip(&u_full).zip(&v_full)) {
                let c = (i32::from(luma) - 16) * 298 + 128;
                let (d, e) = (i32::from(u) - 128, i32::from(v) - 128);
                put(
                    px,
                    clamp(c + 409 * e),
                    clamp(c - 100 * d - 208 * e),
                    clamp(c + 516 * d),
                );
            }
        }
        Ok(())
    }
}

/// Doubles each chroma sample across two pixels (`full` is one luma row wide).
fn upsample_row(half: &[u8], full: &mut [u8]) {
    for (pair, &sample) in full.chunks_mut(2).zip(half) {
        pair.fill(sample);
    }
}
