//! Media throughput at 720p: pattern rendering, NV12 split, rotation, H.264 encode/decode, Opus.
//!
//! `cargo run --release -p videochat-core --example codec_bench [-- FRAMES [BITRATE_BPS]]`
//!
//! Encodes the synthetic test pattern at 1280x720, 30 fps, 1.5 Mbps by default, decodes it, checks
//! the stamps read back, and prints milliseconds per frame for each stage.

use std::ops::AddAssign;
use std::time::{Duration, Instant};

use videochat_core::media::{
    H264Decoder, H264Encoder, H264EncoderConfig, I420Frame, OpusDecoder, OpusEncoder, PatternStamp,
    Plane, Rotation, TestPattern, ToneGenerator, UprightConverter, VideoFrameRef, nv12_to_i420,
    read_stamp, rotate_i420,
};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FPS: f32 = 30.0;

/// Wall-clock and on-CPU time of a stretch of work. The machine may be shared: CPU time
/// (from /proc/thread-self/schedstat) is what the work itself cost.
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    wall: Duration,
    cpu: Duration,
}

impl AddAssign for Span {
    fn add_assign(&mut self, other: Self) {
        self.wall += other.wall;
        self.cpu += other.cpu;
    }
}

struct Stopwatch {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Stopwatch {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: thread_cpu_time(),
        }
    }

    fn elapsed(&self) -> Span {
        let cpu = match (self.cpu, thread_cpu_time()) {
            (Some(start), Some(now)) => now.saturating_sub(start),
            _ => Duration::ZERO,
        };
        Span {
            wall: self.wall.elapsed(),
            cpu,
        }
    }
}

/// Time this thread has spent on a CPU (Linux); `None` elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// "W ms (C ms CPU)" per item.
fn ms_per(total: Span, count: usize) -> String {
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / count.max(1) as f64;
    format!("{:7.3} ms ({:7.3} ms CPU)", per(total.wall), per(total.cpu))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let frames: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let bitrate: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_500_000);

    let mut pattern = TestPattern::new(WIDTH, HEIGHT);
    let mut encoder = H264Encoder::new(H264EncoderConfig {
        bitrate_bps: bitrate,
        frame_rate: FPS,
        frame_dropping: true,
    });
    let mut decoder = match H264Decoder::new() {
        Ok(decoder) => decoder,
        Err(error) => {
            eprintln!("decoder: {error}");
            std::process::exit(1);
        }
    };
    let (mut render, mut encode, mut decode) = (Span::default(), Span::default(), Span::default());
    let (mut encoded_frames, mut encoded_bytes, mut key_frames, mut readable, mut decoded_frames) =
        (0, 0, 0, 0, 0);
    let mut picture = I420Frame::default();
    for n in 0..frames as u64 {
        let timestamp_us = n * 1_000_000 / FPS as u64;
        let start = Stopwatch::start();
        let frame = pattern.render(PatternStamp {
            frame_number: n,
            timestamp_us,
        });
        render += start.elapsed();
        let start = Stopwatch::start();
        let encoded = encoder
            .encode(&frame.view(), timestamp_us)
            .expect("encoding the pattern works");
        encode += start.elapsed();
        let Some(encoded) = encoded else { continue };
        encoded_frames += 1;
        encoded_bytes += encoded.data.len();
        key_frames += usize::from(encoded.key_frame);
        let start = Stopwatch::start();
        let got = decoder
            .decode_into(&encoded.data, timestamp_us, &mut picture)
            .expect("decoding our own stream works");
        decode += start.elapsed();
        if got {
            decoded_frames += 1;
            readable +=
                usize::from(read_stamp(&picture.view()).is_some_and(|s| s.frame_number == n));
        }
    }
    let seconds = frames as f64 / f64::from(FPS);
    println!(
        "720p H.264 ({WIDTH}x{HEIGHT}, {FPS} fps, target {} kbps, {frames} frames)",
        bitrate / 1000
    );
    println!("  render pattern   {} /frame", ms_per(render, frames));
    println!(
        "  encode           {} /frame ({encoded_frames} encoded, {} dropped by rate control, {key_frames} key)",
        ms_per(encode, frames),
        frames - encoded_frames
    );
    println!(
        "  decode           {} /frame (incl. copy out of padded planes)",
        ms_per(decode, decoded_frames)
    );
    println!(
        "  actual bitrate   {:7.0} kbps",
        encoded_bytes as f64 * 8.0 / seconds / 1000.0
    );
    println!("  stamps read back {readable}/{decoded_frames}");

    bench_conversions(
        &pattern
            .render(PatternStamp {
                frame_number: 0,
                timestamp_us: 0,
            })
            .clone(),
    );
    bench_opus();
}

fn bench_conversions(frame: &I420Frame) {
    const RUNS: usize = 100;
    // NV12 made from the pattern, as a phone camera would deliver it.
    let mut uv = vec![0u8; frame.u.len() * 2];
    for (i, pair) in uv.chunks_exact_mut(2).enumerate() {
        pair[0] = frame.u[i];
        pair[1] = frame.v[i];
    }
    let mut out = I420Frame::default();
    let start = Stopwatch::start();
    for _ in 0..RUNS {
        nv12_to_i420(
            Plane::new(&frame.y, WIDTH as usize),
            Plane::new(&uv, WIDTH as usize),
            WIDTH,
            HEIGHT,
            &mut out,
        )
        .expect("valid");
    }
    println!(
        "  NV12 -> I420     {} /frame",
        ms_per(start.elapsed(), RUNS)
    );
    for rotation in [Rotation::Deg90, Rotation::Deg180, Rotation::Deg270] {
        let start = Stopwatch::start();
        for _ in 0..RUNS {
            rotate_i420(&frame.view(), rotation, &mut out).expect("valid");
        }
        println!(
            "  rotate {:3}       {} /frame",
            rotation.degrees(),
            ms_per(start.elapsed(), RUNS)
        );
    }
    let mut converter = UprightConverter::new();
    let camera = VideoFrameRef {
        planes: videochat_core::media::PixelPlanes::Nv12 {
            y: Plane::new(&frame.y, WIDTH as usize),
            uv: Plane::new(&uv, WIDTH as usize),
        },
        width: WIDTH,
        height: HEIGHT,
        rotation: Rotation::Deg90,
        timestamp_us: 0,
    };
    let start = Stopwatch::start();
    for _ in 0..RUNS {
        converter.convert(&camera).expect("valid");
    }
    println!(
        "  NV12 + rotate 90 {} /frame (camera path)",
        ms_per(start.elapsed(), RUNS)
    );
    let start = Stopwatch::start();
    let mut rgba = vec![0u8; frame.rgba_len()];
    for _ in 0..RUNS / 4 {
        frame.write_rgba(&mut rgba).expect("right size");
    }
    println!(
        "  I420 -> RGBA     {} /frame",
        ms_per(start.elapsed(), RUNS / 4)
    );
}

fn bench_opus() {
    const PACKETS: usize = 500;
    let mut encoder = OpusEncoder::new(32_000).expect("opus encoder");
    let mut decoder = OpusDecoder::new().expect("opus decoder");
    let mut tone = ToneGenerator::default();
    let chunks: Vec<Vec<i16>> = (0..PACKETS).map(|_| tone.next_chunk()).collect();
    let start = Stopwatch::start();
    let packets: Vec<Vec<u8>> = chunks
        .iter()
        .map(|c| encoder.encode(c).expect("encode"))
        .collect();
    let encode = start.elapsed();
    let start = Stopwatch::start();
    for packet in &packets {
        decoder.decode(Some(packet)).expect("decode");
    }
    let decode = start.elapsed();
    println!("Opus 48 kHz mono 20 ms, 32 kbps");
    println!("  encode           {} /packet", ms_per(encode, PACKETS));
    println!("  decode           {} /packet", ms_per(decode, PACKETS));
}
