//! The desktop peer's camera: a moving picture that carries its frame number and capture time.
//!
//! The top-left corner holds a block code: one sync row of alternating white/black blocks, then
//! 144 bits (frame number u64, capture time u64 in µs, CRC-16) as black/white luma blocks, 16
//! per row. Blocks are 16x16 pixels (8x8 when the short side is under 360) and aligned to the
//! codec's macroblocks, so each is a flat DC level that survives heavy quantisation; the reader
//! samples the centre of each block, away from deblocking at the edges.

use super::frame::{I420Frame, I420Ref, chroma_size};

/// Blocks per code row.
const CODE_COLUMNS: usize = 16;
/// Data rows: (64 + 64 + 16) bits / 16 per row.
const DATA_ROWS: usize = 9;
/// Sync row plus data rows.
const CODE_ROWS: usize = DATA_ROWS + 1;
/// Luma of a 1 bit and a 0 bit (video range white and black).
const WHITE: u8 = 235;
const BLACK: u8 = 16;
/// Decision level between black and white.
const THRESHOLD: u32 = (WHITE as u32 + BLACK as u32) / 2;

/// Period of the luma wave in pixels.
const LUMA_PERIOD: usize = 256;
/// Period of the chroma ramps.
const CHROMA_PERIOD: usize = 64;

/// What a pattern frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PatternStamp {
    /// Sequence number of the frame at the sender.
    pub frame_number: u64,
    /// Capture time in microseconds (the sender's epoch, e.g. since the UNIX epoch).
    pub timestamp_us: u64,
}

/// Side of one code block for a picture of this size.
fn block_size(width: u32, height: u32) -> usize {
    if width.min(height) >= 360 { 16 } else { 8 }
}

/// Whether a `width` x `height` picture is large enough to carry the code (at least 128x80).
pub fn stamp_fits(width: u32, height: u32) -> bool {
    let block = block_size(width, height);
    width as usize >= CODE_COLUMNS * block && height as usize >= CODE_ROWS * block
}

/// Renders pattern frames of one size, reusing the frame buffer.
#[derive(Debug, Clone)]
pub struct TestPattern {
    frame: I420Frame,
}

impl TestPattern {
    /// A pattern source of `width` x `height` (even sizes, as the encoder requires).
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            frame: I420Frame::new(width, height),
        }
    }

    /// Changes the size (a "camera switch").
    pub fn set_size(&mut self, width: u32, height: u32) {
        self.frame.resize(width, height);
    }

    /// The current size.
    pub fn size(&self) -> (u32, u32) {
        (self.frame.width, self.frame.height)
    }

    /// Draws the picture for `stamp` (a gradient and bars that move with the frame number) and
    /// writes the stamp into it when the size allows; `timestamp_us` is also set on the frame.
    pub fn render(&mut self, stamp: PatternStamp) -> &I420Frame {
        let w = self.frame.width as usize;
        let shift = (stamp.frame_number as usize).wrapping_mul(4);
        // Rows are shifted copies of one periodic line: slice copies keep rendering cheap even
        // in unoptimised debug builds of the desktop peer.
        let luma: [u8; 2 * LUMA_PERIOD] = std::array::from_fn(luma_wave);
        for (row, line) in self.frame.y.chunks_exact_mut(w).enumerate() {
            let offset = shift.wrapping_add(row / 2) % LUMA_PERIOD;
            fill_periodic(line, &luma[offset..offset + LUMA_PERIOD]);
        }
        let (cw, _) = chroma_size(self.frame.width, self.frame.height);
        let u_wave: [u8; 2 * CHROMA_PERIOD] =
            std::array::from_fn(|i| 96 + (i % CHROMA_PERIOD) as u8);
        let u_offset = (shift / 2) % CHROMA_PERIOD;
        for (row, (u_line, v_line)) in self
            .frame
            .u
            .chunks_exact_mut(cw)
            .zip(self.frame.v.chunks_exact_mut(cw))
            .enumerate()
        {
            fill_periodic(u_line, &u_wave[u_offset..u_offset + CHROMA_PERIOD]);
            v_line.fill(96 + ((row + shift / 4) % CHROMA_PERIOD) as u8);
        }
        write_stamp(&mut self.frame, stamp);
        &self.frame
    }
}

/// Writes `stamp` into the top-left corner of `frame` when the size allows
/// (any picture: the pattern's or a clip's), and sets its `timestamp_us`.
pub fn write_stamp(frame: &mut I420Frame, stamp: PatternStamp) {
    frame.timestamp_us = stamp.timestamp_us;
    if !stamp_fits(frame.width, frame.height) {
        return;
    }
    let block = block_size(frame.width, frame.height);
    let width = frame.width as usize;
    let bits = code_bits(stamp);
    for code_row in 0..CODE_ROWS {
        for code_col in 0..CODE_COLUMNS {
            let on = if code_row == 0 {
                code_col % 2 == 0
            } else {
                bits[(code_row - 1) * CODE_COLUMNS + code_col]
            };
            let value = if on { WHITE } else { BLACK };
            for y in code_row * block..(code_row + 1) * block {
                frame.y[y * width + code_col * block..y * width + (code_col + 1) * block]
                    .fill(value);
            }
        }
    }
    // Neutral chroma under the code so colour bleeding cannot shift the blocks' luma.
    let cw = width.div_ceil(2);
    for y in 0..CODE_ROWS * block / 2 {
        frame.u[y * cw..y * cw + CODE_COLUMNS * block / 2].fill(128);
        frame.v[y * cw..y * cw + CODE_COLUMNS * block / 2].fill(128);
    }
}

/// Fills `line` with repeats of `period`.
fn fill_periodic(line: &mut [u8], period: &[u8]) {
    for chunk in line.chunks_mut(period.len()) {
        chunk.copy_from_slice(&period[..chunk.len()]);
    }
}

/// A smooth triangle wave with a dark bar every 256 pixels.
fn luma_wave(x: usize) -> u8 {
    let phase = (x % LUMA_PERIOD) as u32;
    if phase < 24 {
        return 40;
    }
    let tri = if phase < 128 {
        phase * 2
    } else {
        (255 - phase) * 2
    };
    (60 + tri * 160 / 256) as u8
}

/// Payload bits, most significant first: frame number, timestamp, CRC-16 of both.
fn code_bits(stamp: PatternStamp) -> [bool; DATA_ROWS * CODE_COLUMNS] {
    let mut payload = [0u8; 16];
    payload[..8].copy_from_slice(&stamp.frame_number.to_be_bytes());
    payload[8..].copy_from_slice(&stamp.timestamp_us.to_be_bytes());
    let crc = crc16(&payload);
    let mut bits = [false; DATA_ROWS * CODE_COLUMNS];
    let bytes = payload.iter().copied().chain(crc.to_be_bytes());
    for (i, byte) in bytes.enumerate() {
        for bit in 0..8 {
            bits[i * 8 + bit] = byte & (0x80 >> bit) != 0;
        }
    }
    bits
}

/// Block sizes a reader tries: a sender short of bitrate scales its picture
/// down (to 3/4, 1/2, 3/8 or 1/4 a side), and the code with it.
const SCALED_BLOCKS: [usize; 5] = [16, 12, 8, 6, 4];

/// Reads the stamp back from a (decoded) picture, drawn at this size or
/// scaled down; `None` when there is no readable code.
pub fn read_stamp(picture: &I420Ref<'_>) -> Option<PatternStamp> {
    if picture.validate().is_err() {
        return None;
    }
    let natural = block_size(picture.width, picture.height);
    let fits = |block: usize| {
        picture.width as usize >= CODE_COLUMNS * block
            && picture.height as usize >= CODE_ROWS * block
    };
    std::iter::once(natural)
        .chain(SCALED_BLOCKS.into_iter().filter(|&b| b < natural))
        .filter(|&block| fits(block))
        .find_map(|block| read_code(picture, block))
}

/// The code read with blocks of `block` pixels, if its sync row and CRC check.
fn read_code(picture: &I420Ref<'_>, block: usize) -> Option<PatternStamp> {
    let read = |code_row: usize, code_col: usize| -> bool {
        // Mean of the centre half of the block.
        let (x0, y0) = (code_col * block + block / 4, code_row * block + block / 4);
        let mut sum = 0u32;
        for y in y0..y0 + block / 2 {
            sum += picture.y.row(y, x0 + block / 2)[x0..]
                .iter()
                .map(|&p| u32::from(p))
                .sum::<u32>();
        }
        sum / (block as u32 * block as u32 / 4) > THRESHOLD
    };
    if (0..CODE_COLUMNS).any(|col| read(0, col) != (col % 2 == 0)) {
        return None;
    }
    let mut bytes = [0u8; 18];
    for i in 0..DATA_ROWS * CODE_COLUMNS {
        if read(1 + i / CODE_COLUMNS, i % CODE_COLUMNS) {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    let (payload, crc) = bytes.split_at(16);
    if crc16(payload).to_be_bytes() != [crc[0], crc[1]] {
        return None;
    }
    let mut number = [0u8; 8];
    let mut time = [0u8; 8];
    number.copy_from_slice(&payload[..8]);
    time.copy_from_slice(&payload[8..]);
    Some(PatternStamp {
        frame_number: u64::from_be_bytes(number),
        timestamp_us: u64::from_be_bytes(time),
    })
}

/// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF).
fn crc16(data: &[u8]) -> u16 {
    let mut crc = 0xffffu16;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}
