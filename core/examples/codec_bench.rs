//! Media throughput at 720p: pattern rendering, NV12 split, rotation, H.264 encode/decode, Opus.
//!
//! `cargo run --release -p videochat-core --example codec_bench [-- FRAMES [BITRATE_BPS]] [--clip FILE.y4m]`
//!
//! Encodes the synthetic test pattern at 1280x720 (or a Y4M clip, e.g. `scripts/make-clip.sh`'s),
//! 30 fps, 1.5 Mbps by default, with each of a few encoder settings; decodes it, checks the stamps
//! read back and the PSNR against what was sent, and prints milliseconds per frame for each stage.

use std::ops::AddAssign;
use std::path::Path;
use std::time::{Duration, Instant};

use videochat_core::media::{
    EncoderEffort, H264Decoder, H264Encoder, H264EncoderConfig, I420Frame, OpusDecoder,
    OpusEncoder, PatternStamp, Plane, Rotation, TestPattern, ToneGenerator, UprightConverter,
    VideoFrameRef, Y4mClip, nv12_to_i420, read_stamp, rotate_i420, write_stamp,
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

/// The encoder settings compared, each on the same pictures: the core's
/// default (one thread, medium complexity), libwebrtc's (one thread, low), and
/// the openh264 crate's own (threads chosen by openh264, medium), the core's before.
const SETTINGS: [(&str, u16, EncoderEffort); 3] = [
    ("1 thread, medium (default)", 1, EncoderEffort::Medium),
    ("1 thread, low (libwebrtc's)", 1, EncoderEffort::Low),
    ("auto threads, medium", 0, EncoderEffort::Medium),
];

/// Most pictures held in memory (a clip longer than this is cut).
const MAX_PICTURES: usize = 150;

struct Options {
    frames: usize,
    bitrate: u32,
    clip: Option<String>,
}

fn options() -> Options {
    let mut parsed = Options {
        frames: 300,
        bitrate: 1_500_000,
        clip: None,
    };
    let mut args = std::env::args().skip(1);
    let mut positional = 0;
    while let Some(arg) = args.next() {
        if arg == "--clip" {
            parsed.clip = args.next();
            continue;
        }
        let Ok(n) = arg.parse::<u32>() else {
            eprintln!("usage: codec_bench [FRAMES [BITRATE_BPS]] [--clip FILE.y4m]");
            std::process::exit(2);
        };
        match positional {
            0 => parsed.frames = n as usize,
            _ => parsed.bitrate = n,
        }
        positional += 1;
    }
    parsed
}

/// The pictures every setting encodes: the clip's (stamped, as the desktop
/// peer sends them) or the test pattern's.
fn pictures(clip: Option<&str>, count: usize) -> Vec<I420Frame> {
    let stamp = |n: usize| PatternStamp {
        frame_number: n as u64,
        timestamp_us: n as u64 * 1_000_000 / FPS as u64,
    };
    match clip {
        Some(path) => {
            let mut clip = Y4mClip::open(Path::new(path)).unwrap_or_else(|e| {
                eprintln!("{e}");
                std::process::exit(1);
            });
            (0..count)
                .map(|n| {
                    let frame = clip.next_frame().expect("clip frame");
                    write_stamp(frame, stamp(n));
                    frame.clone()
                })
                .collect()
        }
        None => {
            let mut pattern = TestPattern::new(WIDTH, HEIGHT);
            (0..count)
                .map(|n| pattern.render(stamp(n)).clone())
                .collect()
        }
    }
}

fn main() {
    let options = options();
    let frames = options.frames;
    let start = Stopwatch::start();
    let mut pattern = TestPattern::new(WIDTH, HEIGHT);
    for n in 0..frames as u64 {
        pattern.render(PatternStamp {
            frame_number: n,
            timestamp_us: n * 33_333,
        });
    }
    let render = start.elapsed();
    let pictures = pictures(options.clip.as_deref(), frames.min(MAX_PICTURES));
    let (width, height) = (pictures[0].width, pictures[0].height);
    println!(
        "H.264 {width}x{height}, {FPS} fps, target {} kbps, {frames} frames of {}",
        options.bitrate / 1000,
        options.clip.as_deref().unwrap_or("the test pattern"),
    );
    println!("  render pattern   {} /frame", ms_per(render, frames));
    for (name, threads, effort) in SETTINGS {
        let config = H264EncoderConfig {
            bitrate_bps: options.bitrate,
            frame_rate: FPS,
            frame_dropping: true,
            threads,
            effort,
        };
        bench_h264(name, config, &pictures, frames);
    }

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

/// Encodes `frames` pictures (cycling through `pictures`) with `config`, then
/// decodes what came out and compares it with what went in.
fn bench_h264(name: &str, config: H264EncoderConfig, pictures: &[I420Frame], frames: usize) {
    let mut encoder = H264Encoder::new(config);
    let mut encoded = Vec::with_capacity(frames);
    let process_cpu = process_cpu_time();
    let start = Stopwatch::start();
    for n in 0..frames {
        let picture = &pictures[n % pictures.len()];
        let timestamp_us = n as u64 * 1_000_000 / FPS as u64;
        let frame = encoder
            .encode(&picture.view(), timestamp_us)
            .expect("encoding works");
        if let Some(frame) = frame {
            encoded.push((n, frame));
        }
    }
    let mut encode = start.elapsed();
    // With encoder threads the calling thread's CPU time misses theirs.
    encode.cpu = encode
        .cpu
        .max(process_cpu_time().saturating_sub(process_cpu));
    let mut decoder = H264Decoder::new().expect("decoder");
    let mut picture = I420Frame::default();
    let (mut decode, mut decoded, mut readable, mut bytes, mut key_frames) =
        (Span::default(), 0, 0, 0, 0);
    let mut psnr = Psnr::default();
    for (n, frame) in &encoded {
        bytes += frame.data.len();
        key_frames += usize::from(frame.key_frame);
        let start = Stopwatch::start();
        let got = decoder
            .decode_into(&frame.data, frame.timestamp_us, &mut picture)
            .expect("decoding our own stream works");
        decode += start.elapsed();
        if got {
            decoded += 1;
            readable += usize::from(
                read_stamp(&picture.view())
                    .is_some_and(|s| s.frame_number == (n % pictures.len()) as u64),
            );
            psnr.add(&pictures[n % pictures.len()], &picture);
        }
    }
    let seconds = frames as f64 / f64::from(FPS);
    println!("  {name}:");
    println!(
        "    encode         {} /frame ({} encoded, {} dropped by rate control, {key_frames} key)",
        ms_per(encode, frames),
        encoded.len(),
        frames - encoded.len()
    );
    println!(
        "    decode         {} /frame (incl. copy out of padded planes)",
        ms_per(decode, decoded)
    );
    println!(
        "    actual bitrate {:7.0} kbps, PSNR Y {:.2} dB, U {:.2} dB, V {:.2} dB, stamps read back {readable}/{decoded}",
        bytes as f64 * 8.0 / seconds / 1000.0,
        psnr.db(0),
        psnr.db(1),
        psnr.db(2),
    );
}

/// Mean squared error per plane over every decoded picture, as PSNR.
#[derive(Default)]
struct Psnr {
    squared_error: [f64; 3],
    samples: [f64; 3],
}

impl Psnr {
    fn add(&mut self, sent: &I420Frame, decoded: &I420Frame) {
        let planes = [
            (&sent.y, &decoded.y),
            (&sent.u, &decoded.u),
            (&sent.v, &decoded.v),
        ];
        for (i, (a, b)) in planes.into_iter().enumerate() {
            self.squared_error[i] += a
                .iter()
                .zip(b.iter())
                .map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2))
                .sum::<f64>();
            self.samples[i] += a.len() as f64;
        }
    }

    fn db(&self, plane: usize) -> f64 {
        let mse = self.squared_error[plane] / self.samples[plane].max(1.0);
        10.0 * (255.0 * 255.0 / mse.max(1e-9)).log10()
    }
}

/// CPU time of the whole process, every thread (Linux; zero elsewhere).
fn process_cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces): utime and stime
    // are the 12th and 13th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
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
