//! `videochat-peer`: a headless peer on the core, for testing phones and
//! browsers and for benchmarks. Its camera is a moving test pattern that
//! carries the frame number and capture time in the picture; its microphone is
//! a tone. It joins a room, calls whoever is there, and exits 0 once it has
//! decoded `--frames` remote frames and received audio, printing one JSON line.
//! Progress events go to stderr as they happen, one JSON line each.

mod args;
mod observed;
mod progress;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use serde_json::json;
use videochat_core::call::{Call, CallConfig, CallState, CameraFacing, NotVerified, SecurityCode};
use videochat_core::media::{
    I420Frame, OPUS_FRAME_SAMPLES, PatternStamp, PixelPlanes, Plane, Rotation, TestPattern,
    ToneGenerator, VideoFrameRef, Y4mClip, write_stamp,
};
use videochat_core::peer::IceServer;

use args::Args;
use observed::{Recorder, percentile, unix_us};

fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(if args.json { "warn" } else { "info" })
    });
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .init();
    match run(&args) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err((reason, report)) => {
            println!("{report}");
            eprintln!("videochat-peer: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the call; the report is printed in both outcomes.
fn run(args: &Args) -> Result<serde_json::Value, (String, serde_json::Value)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| (format!("no runtime: {e}"), json!({"ok": false})))?;
    let camera = Camera::open(args).map_err(|e| (e.clone(), json!({"ok": false, "error": e})))?;
    let mut config = CallConfig::new(&args.server, &args.room);
    config.ice_servers = args.ice_servers.iter().map(IceServer::stun).collect();
    config.include_loopback = args.loopback;
    config.relay_only = args.relay_only;
    config.video.max_fps = args.fps;
    let recorder = Arc::new(Recorder::default());
    let call = Call::start(config, recorder.clone(), runtime.handle())
        .map(Arc::new)
        .map_err(|e| (e.to_string(), json!({"ok": false, "error": e.to_string()})))?;
    call.set_muted(args.muted);
    call.set_video_enabled(!args.video_off);

    let stop = Arc::new(AtomicBool::new(false));
    let switched_at_ms = Arc::new(AtomicU64::new(0));
    let camera = std::thread::spawn({
        let (call, stop, switched_at_ms, args) = (
            call.clone(),
            stop.clone(),
            switched_at_ms.clone(),
            args.clone(),
        );
        move || run_camera(&call, &args, camera, &stop, &switched_at_ms)
    });
    let microphone = std::thread::spawn({
        let (call, stop) = (call.clone(), stop.clone());
        move || run_microphone(&call, &stop)
    });

    let started = Instant::now();
    let mut done_at: Option<Instant> = None;
    // Read while the call is up: a new peer connection starts it afresh.
    let mut security_code = SecurityCode::Pending;
    let outcome = loop {
        let (media_done, state) = recorder.wait(Duration::from_millis(20), |o| {
            (
                o.frames >= args.frames && o.audio_chunks > 0,
                o.state.clone(),
            )
        });
        match call.security_code() {
            SecurityCode::Pending => {}
            settled => security_code = settled,
        }
        // The code settles within SAS_TIMEOUT of connecting.
        let done = media_done && security_code != SecurityCode::Pending;
        if done && done_at.is_none() {
            done_at = Some(Instant::now());
        }
        // Lingering keeps our media flowing so the remote can reach its own
        // goal before our hang-up ends its call.
        let hang_up = match args.hang_up_after {
            Some(after) => started.elapsed() >= after,
            None => done_at.is_some_and(|at| at.elapsed() >= args.linger),
        };
        if hang_up {
            break if done {
                Ok(())
            } else {
                Err(format!("hung up in state {state:?} before the goal"))
            };
        }
        if let Some(state) = state.as_ref().filter(|s| s.is_terminal()) {
            break if done {
                Ok(())
            } else {
                Err(format!("the call ended: {state:?}"))
            };
        }
        if started.elapsed() > args.timeout {
            break Err(format!(
                "timed out after {:?} in state {state:?}",
                args.timeout
            ));
        }
    };
    let hung_up_at_ms = unix_us() / 1000;
    stop.store(true, Relaxed);
    call.hang_up();
    let _ = (camera.join(), microphone.join());
    // Give the driver a moment to send `bye` and report the final stats.
    for _ in 0..20 {
        if recorder.read(|o| o.state.as_ref().is_some_and(CallState::is_terminal)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let report = report(
        &recorder,
        &call,
        hung_up_at_ms,
        switched_at_ms.load(Relaxed),
        security_code,
        &outcome,
    );
    drop(call);
    runtime.shutdown_timeout(Duration::from_secs(1));
    outcome
        .map(|()| report.clone())
        .map_err(|reason| (reason, report))
}

fn report(
    recorder: &Recorder,
    call: &Call,
    hung_up_at_ms: u64,
    switched_at_ms: u64,
    security_code: SecurityCode,
    outcome: &Result<(), String>,
) -> serde_json::Value {
    let stats = call.stats();
    recorder.read(|o| {
        let ms = |us: Option<u64>| us.map(|us| us as f64 / 1000.0);
        let between = |from: Option<u64>, to: Option<u64>| ms(Some(to?.checked_sub(from?)?));
        json!({
            "ok": outcome.is_ok(),
            "error": outcome.as_ref().err(),
            "setup_ms": stats.connected_after_ms,
            "first_frame_ms": stats.first_frame_after_ms,
            // Join to first frame, in its steps (ms): the relay's reply to our
            // join to connected (negotiation, ICE, DTLS), then connected to the
            // first decoded picture (a capture, a key frame, its trip, decode).
            "joined_to_first_frame_ms": between(o.joined_at_us, o.first_frame_at_us),
            "joined_to_connected_ms": between(o.joined_at_us, o.connected_at_us),
            "connected_to_first_frame_ms": between(o.connected_at_us, o.first_frame_at_us),
            // Of that, the first picture's own capture to decode (encode, trip, decode).
            "first_frame_latency_ms": ms(o.latencies_us.first().copied()),
            "video_frames_sent": stats.video_frames_sent,
            "video_frames_received": o.frames,
            "frames_out_of_order": o.frames_out_of_order,
            "max_frame_gap_ms": o.max_frame_gap_us / 1000,
            "freezes": o.freezes,
            "states": o.states,
            "remote_media": o.remote_media.iter().map(|m| json!({"audio": m.audio, "video": m.video})).collect::<Vec<_>>(),
            "stamped_frames": o.latencies_us.len(),
            "audio_packets_received": stats.audio_packets_received,
            "audio_chunks_played": o.audio_chunks,
            "latency_ms_p50": ms(percentile(&o.latencies_us, 50)),
            "latency_ms_p95": ms(percentile(&o.latencies_us, 95)),
            "steady": {
                // Until this side hung up or heard the other's bye.
                "fps": o.steady.fps(o.ended_at_unix_ms.unwrap_or(u64::MAX).min(hung_up_at_ms) * 1000),
                "latency_ms_p50": ms(percentile(&o.steady.latencies_us, 50)),
                "latency_ms_p95": ms(percentile(&o.steady.latencies_us, 95)),
                "freezes": o.steady.freezes,
                "max_frame_gap_ms": o.steady.max_frame_gap_us / 1000,
            },
            "remote_sizes": o.sizes.iter().map(|((w, h), _)| format!("{w}x{h}")).collect::<Vec<_>>(),
            "remote_size_changed_at_unix_ms": o.sizes.iter().skip(1).map(|(_, at)| at).collect::<Vec<_>>(),
            "camera_switched_at_unix_ms": (switched_at_ms > 0).then_some(switched_at_ms),
            "security_code": match &security_code {
                SecurityCode::Ready(code) => Some(code.as_str()),
                _ => None,
            },
            "security": match &security_code {
                SecurityCode::Pending => "pending",
                SecurityCode::Ready(_) => "ready",
                SecurityCode::NotVerified(NotVerified::PeerUnsupported) => "peer_unsupported",
                SecurityCode::NotVerified(NotVerified::ExchangeFailed) => "exchange_failed",
            },
            "offers_created": stats.offers_created,
            "answers_created": stats.answers_created,
            "key_frames_sent": stats.key_frames_sent,
            "key_frame_requests_sent": stats.key_frame_requests_sent,
            "video_target_bitrate_bps": stats.video_target_bitrate_bps,
            "quality_seconds": o.quality_seconds,
            "rtt_ms_max": o.rtt_ms_max,
            "video_packets_lost": stats.video_packets_lost,
            "audio_packets_lost": stats.audio_packets_lost,
            "end_state": o.state.as_ref().map(|s| format!("{s:?}")),
            "ended_at_unix_ms": o.ended_at_unix_ms,
            "hung_up_at_unix_ms": hung_up_at_ms,
        })
    })
}

/// Where the peer's pictures come from: the test pattern, or a clip
/// (`--camera-file`) so that another client can be given the same pictures.
enum Camera {
    Pattern(TestPattern),
    Clip(Y4mClip),
}

impl Camera {
    fn open(args: &Args) -> Result<Camera, String> {
        match &args.camera_file {
            Some(path) => Y4mClip::open(path).map(Camera::Clip),
            None => Ok(Camera::Pattern(TestPattern::new(args.width, args.height))),
        }
    }

    /// The next picture, carrying `stamp` in its corner.
    fn picture(&mut self, stamp: PatternStamp) -> std::io::Result<&I420Frame> {
        match self {
            Camera::Pattern(pattern) => Ok(pattern.render(stamp)),
            Camera::Clip(clip) => {
                let frame = clip.next_frame()?;
                write_stamp(frame, stamp);
                Ok(frame)
            }
        }
    }
}

/// The camera thread: stamped pictures at `--fps`; the pattern switches to
/// the rear camera in portrait after `--switch-camera-after-frames`.
fn run_camera(
    call: &Call,
    args: &Args,
    mut camera: Camera,
    stop: &AtomicBool,
    switched_at_ms: &AtomicU64,
) {
    let interval = Duration::from_secs(1) / args.fps;
    let mut next = Instant::now();
    for frame_number in 0.. {
        if stop.load(Relaxed) {
            return;
        }
        if Some(frame_number) == args.switch_camera_after_frames
            && let Camera::Pattern(pattern) = &mut camera
        {
            pattern.set_size(args.height, args.width);
            call.set_camera_facing(CameraFacing::Environment);
            switched_at_ms.store(unix_us() / 1000, Relaxed);
        }
        let timestamp_us = unix_us();
        let picture = match camera.picture(PatternStamp {
            frame_number,
            timestamp_us,
        }) {
            Ok(picture) => picture,
            Err(e) => {
                tracing::error!("camera file unreadable: {e}");
                return;
            }
        };
        let chroma_stride = picture.chroma_stride();
        let frame = VideoFrameRef {
            planes: PixelPlanes::I420 {
                y: Plane::new(&picture.y, picture.width as usize),
                u: Plane::new(&picture.u, chroma_stride),
                v: Plane::new(&picture.v, chroma_stride),
            },
            width: picture.width,
            height: picture.height,
            rotation: Rotation::Deg0,
            timestamp_us,
        };
        if let Err(e) = call.send_video(&frame) {
            tracing::error!("camera frame refused: {e}");
            return;
        }
        next += interval;
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}

/// The synthetic microphone: a 440 Hz tone in 20 ms chunks.
fn run_microphone(call: &Call, stop: &AtomicBool) {
    let mut tone = ToneGenerator::new(440.0, 8_000);
    let mut chunk = vec![0i16; OPUS_FRAME_SAMPLES];
    let mut next = Instant::now();
    while !stop.load(Relaxed) {
        tone.fill(&mut chunk);
        if let Err(e) = call.send_audio(&chunk) {
            tracing::error!("audio chunk refused: {e}");
            return;
        }
        next += Duration::from_millis(20);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
}
