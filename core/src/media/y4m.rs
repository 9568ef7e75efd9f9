//! A Y4M (YUV4MPEG2) clip as a camera: 4:2:0 frames read one
//! at a time, from the start again after the last, so a long call needs no
//! more memory than one frame. The same file plays in Chromium's fake camera
//! (`--use-file-for-fake-video-capture`), so both encoders see one picture.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::frame::I420Frame;

/// Longest header or frame-header line accepted (real ones are under 100 bytes).
const MAX_LINE: usize = 1024;

/// A looping reader of an I420 Y4M file.
pub struct Y4mClip {
    reader: BufReader<File>,
    /// Where the first frame header starts.
    first_frame: u64,
    frame: I420Frame,
}

impl Y4mClip {
    /// Opens `path` and reads its header; only 4:2:0 clips are accepted.
    pub fn open(path: &Path) -> Result<Y4mClip, String> {
        let describe = |e: String| format!("{}: {e}", path.display());
        let file = File::open(path).map_err(|e| describe(e.to_string()))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let header = read_line(&mut reader).map_err(|e| describe(e.to_string()))?;
        let (width, height) = parse_header(&header).map_err(describe)?;
        let first_frame = reader
            .stream_position()
            .map_err(|e| describe(e.to_string()))?;
        Ok(Y4mClip {
            reader,
            first_frame,
            frame: I420Frame::new(width, height),
        })
    }

    /// The clip's picture size.
    pub fn size(&self) -> (u32, u32) {
        (self.frame.width, self.frame.height)
    }

    /// The next picture, the first again after the last.
    pub fn next_frame(&mut self) -> io::Result<&mut I420Frame> {
        let line = match read_line(&mut self.reader) {
            Ok(line) => line,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                self.reader.seek(SeekFrom::Start(self.first_frame))?;
                read_line(&mut self.reader)?
            }
            Err(e) => return Err(e),
        };
        if !line.starts_with("FRAME") {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "expected a FRAME header",
            ));
        }
        let frame = &mut self.frame;
        for plane in [&mut frame.y, &mut frame.u, &mut frame.v] {
            self.reader.read_exact(plane)?;
        }
        Ok(&mut self.frame)
    }
}

/// One `\n`-terminated ASCII line without its terminator; EOF before any
/// byte is `UnexpectedEof`.
fn read_line(reader: &mut impl BufRead) -> io::Result<String> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut line)?;
    match line.pop() {
        None => Err(io::ErrorKind::UnexpectedEof.into()),
        Some(b'\n') => String::from_utf8(line)
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "header is not text")),
        Some(_) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "header line too long or cut short",
        )),
    }
}

/// Width and height from a stream header; colour spaces other than 4:2:0
/// are refused (the encoder takes I420).
fn parse_header(header: &str) -> Result<(u32, u32), String> {
    let mut tokens = header.split(' ');
    if tokens.next() != Some("YUV4MPEG2") {
        return Err("not a Y4M file (no YUV4MPEG2 signature)".into());
    }
    let (mut width, mut height) = (None, None);
    for token in tokens {
        let (tag, value) = token.split_at(token.len().min(1));
        match tag {
            "W" => width = value.parse::<u32>().ok(),
            "H" => height = value.parse::<u32>().ok(),
            "C" if !value.starts_with("420") => {
                return Err(format!("colour space C{value} is not 4:2:0"));
            }
            _ => {}
        }
    }
    match (width, height) {
        (Some(w), Some(h)) if (16..=4096).contains(&w) && (16..=4096).contains(&h) => {
            if w % 2 == 1 || h % 2 == 1 {
                Err(format!("{w}x{h}: the encoder needs even sides"))
            } else {
                Ok((w, h))
            }
        }
        _ => Err("header needs W and H between 16 and 4096".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clip file in the temp directory, removed when dropped.
    struct TempClip(std::path::PathBuf);

    impl TempClip {
        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempClip {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn clip_file(header: &str, frames: &[u8]) -> TempClip {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("y4m-{}-{n}.y4m", std::process::id()));
        let mut bytes = header.as_bytes().to_vec();
        for &value in frames {
            bytes.extend_from_slice(b"FRAME\n");
            bytes.extend(std::iter::repeat_n(value, 16 * 16 * 3 / 2));
        }
        std::fs::write(&path, bytes).expect("write clip");
        TempClip(path)
    }

    #[test]
    fn frames_play_in_order_and_loop() {
        let file = clip_file("YUV4MPEG2 W16 H16 F30:1 Ip A1:1 C420jpeg\n", &[1, 2, 3]);
        let mut clip = Y4mClip::open(file.path()).expect("opens");
        assert_eq!(clip.size(), (16, 16));
        let seen: Vec<u8> = (0..7)
            .map(|_| {
                let frame = clip.next_frame().expect("frame");
                assert!(frame.u.iter().chain(&frame.v).all(|&b| b == frame.y[0]));
                frame.y[0]
            })
            .collect();
        assert_eq!(seen, [1, 2, 3, 1, 2, 3, 1]);
    }

    #[test]
    fn other_formats_and_broken_files_are_refused_with_a_reason() {
        let cases = [
            ("P5 16 16 255\n", "signature"),
            ("YUV4MPEG2 W16 H16 C422\n", "4:2:0"),
            ("YUV4MPEG2 W16\n", "W and H"),
            ("YUV4MPEG2 W17 H16\n", "even"),
        ];
        for (header, reason) in cases {
            let file = clip_file(header, &[]);
            let error = Y4mClip::open(file.path()).err().expect("refused");
            assert!(error.contains(reason), "{header:?}: {error}");
        }
        let cut_short = clip_file("YUV4MPEG2 W16 H16\n", &[]);
        std::fs::write(cut_short.path(), b"YUV4MPEG2 W16 H16\nFRAME\n\x01\x02").expect("write");
        let mut clip = Y4mClip::open(cut_short.path()).expect("header is fine");
        assert!(clip.next_frame().is_err());
    }
}
