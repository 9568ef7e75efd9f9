//! Pixel conversions before encoding: NV12 to I420, and rotation to upright.
//!
//! Tight loops, no dependency: the work is a byte shuffle (no colour maths), and the tiled
//! rotation keeps both source and destination in cache (see `codec_bench` for the figures).

use super::frame::{
    FrameError, I420Frame, I420Ref, PixelPlanes, Plane, Rotation, VideoFrameRef, chroma_size,
};

/// Side of the square tiles the 90/270 rotation walks; 32x32 bytes of source and destination
/// together stay well inside L1.
const TILE: usize = 32;

/// Splits an NV12 picture into I420 planes in `out` (resized as needed).
pub fn nv12_to_i420(
    y: Plane<'_>,
    uv: Plane<'_>,
    width: u32,
    height: u32,
    out: &mut I420Frame,
) -> Result<(), FrameError> {
    let frame = VideoFrameRef {
        planes: PixelPlanes::Nv12 { y, uv },
        width,
        height,
        rotation: Rotation::Deg0,
        timestamp_us: 0,
    };
    frame.validate()?;
    out.resize(width, height);
    copy_plane(y, width as usize, height as usize, &mut out.y);
    let (cw, ch) = chroma_size(width, height);
    for row in 0..ch {
        let src = uv.row(row, cw * 2);
        let u_row = &mut out.u[row * cw..row * cw + cw];
        let v_row = &mut out.v[row * cw..row * cw + cw];
        for ((pair, u), v) in src
            .chunks_exact(2)
            .zip(u_row.iter_mut())
            .zip(v_row.iter_mut())
        {
            *u = pair[0];
            *v = pair[1];
        }
    }
    Ok(())
}

/// Gathers a `YUV_420_888` picture (chroma samples `chroma_pixel_stride` bytes apart) into
/// I420 planes in `out` (resized as needed). Handles planar, NV12 and NV21 layouts alike.
pub fn yuv420_to_i420(
    y: Plane<'_>,
    u: Plane<'_>,
    v: Plane<'_>,
    chroma_pixel_stride: usize,
    width: u32,
    height: u32,
    out: &mut I420Frame,
) -> Result<(), FrameError> {
    let frame = VideoFrameRef {
        planes: PixelPlanes::Yuv420 {
            y,
            u,
            v,
            chroma_pixel_stride,
        },
        width,
        height,
        rotation: Rotation::Deg0,
        timestamp_us: 0,
    };
    frame.validate()?;
    out.resize(width, height);
    copy_plane(y, width as usize, height as usize, &mut out.y);
    let (cw, ch) = chroma_size(width, height);
    let row_len = (cw - 1) * chroma_pixel_stride + 1;
    for (src, dst) in [(u, &mut out.u), (v, &mut out.v)] {
        for (row, dst_row) in dst.chunks_exact_mut(cw).take(ch).enumerate() {
            let samples = src.row(row, row_len).iter().step_by(chroma_pixel_stride);
            for (d, s) in dst_row.iter_mut().zip(samples) {
                *d = *s;
            }
        }
    }
    Ok(())
}

/// Rotates an I420 picture clockwise by `rotation` into `out` (resized to the rotated size).
pub fn rotate_i420(
    src: &I420Ref<'_>,
    rotation: Rotation,
    out: &mut I420Frame,
) -> Result<(), FrameError> {
    src.validate()?;
    let (w, h) = (src.width as usize, src.height as usize);
    let (rw, rh) = rotation.rotated_size(src.width, src.height);
    out.resize(rw, rh);
    let (cw, ch) = chroma_size(src.width, src.height);
    rotate_plane(src.y, w, h, &mut out.y, rotation);
    rotate_plane(src.u, cw, ch, &mut out.u, rotation);
    rotate_plane(src.v, cw, ch, &mut out.v, rotation);
    Ok(())
}

/// Copies `w` x `h` bytes of `src` into the tightly packed `dst`.
fn copy_plane(src: Plane<'_>, w: usize, h: usize, dst: &mut [u8]) {
    for (row, dst_row) in dst.chunks_exact_mut(w).take(h).enumerate() {
        dst_row.copy_from_slice(src.row(row, w));
    }
}

/// Rotates one validated `w` x `h` plane into the tightly packed `dst`.
fn rotate_plane(src: Plane<'_>, w: usize, h: usize, dst: &mut [u8], rotation: Rotation) {
    match rotation {
        Rotation::Deg0 => copy_plane(src, w, h, dst),
        Rotation::Deg180 => {
            for (row, dst_row) in dst.chunks_exact_mut(w).rev().take(h).enumerate() {
                for (d, s) in dst_row.iter_mut().zip(src.row(row, w).iter().rev()) {
                    *d = *s;
                }
            }
        }
        Rotation::Deg90 | Rotation::Deg270 => {
            // The destination is h wide and w tall; walk the source in tiles.
            for ty in (0..h).step_by(TILE) {
                let y_end = (ty + TILE).min(h);
                for tx in (0..w).step_by(TILE) {
                    let x_end = (tx + TILE).min(w);
                    for x in tx..x_end {
                        // Source column x becomes destination row x (90) or w-1-x (270).
                        let dst_row_index = if rotation == Rotation::Deg90 {
                            x
                        } else {
                            w - 1 - x
                        };
                        let dst_row = &mut dst[dst_row_index * h..dst_row_index * h + h];
                        for y in ty..y_end {
                            let value = src.data[y * src.stride + x];
                            // Source row y becomes destination column h-1-y (90) or y (270).
                            let col = if rotation == Rotation::Deg90 {
                                h - 1 - y
                            } else {
                                y
                            };
                            dst_row[col] = value;
                        }
                    }
                }
            }
        }
    }
}

/// Turns camera frames into upright I420, reusing its buffers from frame to frame.
#[derive(Debug, Default)]
pub struct UprightConverter {
    /// NV12 frames are split here before rotation.
    staging: I420Frame,
    /// The rotated result.
    output: I420Frame,
}

impl UprightConverter {
    /// A converter with empty buffers (they grow on the first frame).
    pub fn new() -> Self {
        Self::default()
    }

    /// The upright I420 picture for `frame`.
    ///
    /// An upright I420 frame is passed through without copying; anything else is converted
    /// into this converter's buffers, which the returned view borrows.
    pub fn convert<'s, 'a: 's>(
        &'s mut self,
        frame: &VideoFrameRef<'a>,
    ) -> Result<I420Ref<'s>, FrameError> {
        if let (PixelPlanes::I420 { y, u, v }, Rotation::Deg0) = (frame.planes, frame.rotation) {
            frame.validate()?;
            let (width, height) = (frame.width, frame.height);
            return Ok(I420Ref {
                width,
                height,
                y,
                u,
                v,
            });
        }
        upright_into(frame, &mut self.staging, &mut self.output)?;
        Ok(self.output.view())
    }
}

/// Writes the upright I420 picture of `frame` into `out`, in one pass where it can:
/// planar frames are rotated (or copied) straight across, semi-planar ones are split
/// straight into `out` when upright, or into `staging` first when they also need rotating.
pub fn upright_into(
    frame: &VideoFrameRef<'_>,
    staging: &mut I420Frame,
    out: &mut I420Frame,
) -> Result<(), FrameError> {
    let (width, height, rotation) = (frame.width, frame.height, frame.rotation);
    let target = if rotation == Rotation::Deg0 {
        &mut *out
    } else {
        &mut *staging
    };
    match frame.planes {
        PixelPlanes::I420 { y, u, v } => {
            let src = I420Ref {
                width,
                height,
                y,
                u,
                v,
            };
            return rotate_i420(&src, rotation, out);
        }
        PixelPlanes::Nv12 { y, uv } => nv12_to_i420(y, uv, width, height, target)?,
        PixelPlanes::Yuv420 {
            y,
            u,
            v,
            chroma_pixel_stride,
        } => yuv420_to_i420(y, u, v, chroma_pixel_stride, width, height, target)?,
    }
    if rotation != Rotation::Deg0 {
        rotate_i420(&staging.view(), rotation, out)?;
    }
    Ok(())
}
