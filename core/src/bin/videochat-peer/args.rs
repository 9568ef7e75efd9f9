//! Command-line options of `videochat-peer`.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "usage: videochat-peer --server ws://HOST:PORT/ws --room ROOM \
[--frames N] [--timeout-s S] [--size WxH | --camera-file FILE.y4m] [--fps F] \
[--switch-camera-after-frames K] \
[--linger-ms MS] [--hang-up-after-s S] [--ice-server URL]... [--relay-only] [--loopback] \
[--muted] [--video-off] [--json]";

/// What the peer was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Args {
    pub server: String,
    pub room: String,
    /// Exit 0 once this many remote frames are decoded (and audio received).
    pub frames: u64,
    pub timeout: Duration,
    /// After reaching the goal, keep the call up this long (or until the
    /// remote hangs up) so the remote can reach its goal too.
    pub linger: Duration,
    /// Hang up this long after starting, goal reached or not (a scenario's
    /// length); the goal must still be reached for success.
    pub hang_up_after: Option<Duration>,
    pub width: u32,
    pub height: u32,
    /// Play this Y4M (4:2:0) clip, looped, as the camera instead of the
    /// test pattern; its size replaces `--size`.
    pub camera_file: Option<PathBuf>,
    pub fps: u32,
    /// After sending this many frames, switch to the rear camera and swap
    /// width and height (portrait), as a phone would.
    pub switch_camera_after_frames: Option<u64>,
    /// STUN/TURN URLs; none means host candidates only (LAN, loopback).
    pub ice_servers: Vec<String>,
    /// Use 127.0.0.1 only, no other interface (two peers on one machine).
    pub loopback: bool,
    /// Media through TURN only (the relay's or `--ice-server`'s).
    pub relay_only: bool,
    /// Start with the microphone muted (silence is sent; the peer is told).
    pub muted: bool,
    /// Start with the camera off (no frames are sent; the peer is told).
    pub video_off: bool,
    /// Print only the final JSON line.
    pub json: bool,
}

impl Args {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            server: String::new(),
            room: String::new(),
            frames: 90,
            timeout: Duration::from_secs(30),
            linger: Duration::from_millis(1000),
            hang_up_after: None,
            width: 1280,
            height: 720,
            camera_file: None,
            fps: 30,
            switch_camera_after_frames: None,
            ice_servers: Vec::new(),
            loopback: false,
            relay_only: false,
            muted: false,
            video_off: false,
            json: false,
        };
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--server" => parsed.server = value()?,
                "--room" => parsed.room = value()?,
                "--frames" => parsed.frames = number(&flag, &value()?)?,
                "--timeout-s" => parsed.timeout = Duration::from_secs(number(&flag, &value()?)?),
                "--linger-ms" => parsed.linger = Duration::from_millis(number(&flag, &value()?)?),
                "--hang-up-after-s" => {
                    parsed.hang_up_after = Some(Duration::from_secs(number(&flag, &value()?)?))
                }
                "--fps" => parsed.fps = number(&flag, &value()?)?,
                "--size" => (parsed.width, parsed.height) = size(&value()?)?,
                "--camera-file" => parsed.camera_file = Some(value()?.into()),
                "--switch-camera-after-frames" => {
                    parsed.switch_camera_after_frames = Some(number(&flag, &value()?)?)
                }
                "--ice-server" => parsed.ice_servers.push(value()?),
                "--loopback" => parsed.loopback = true,
                "--relay-only" => parsed.relay_only = true,
                "--muted" => parsed.muted = true,
                "--video-off" => parsed.video_off = true,
                "--json" => parsed.json = true,
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown option {other}\n{USAGE}")),
            }
        }
        if parsed.server.is_empty() || parsed.room.is_empty() {
            return Err(format!("--server and --room are required\n{USAGE}"));
        }
        if parsed.camera_file.is_some() && parsed.switch_camera_after_frames.is_some() {
            return Err(
                "--switch-camera-after-frames needs the test pattern, not --camera-file".into(),
            );
        }
        if parsed.fps == 0 || parsed.fps > 60 {
            return Err("--fps must be 1 to 60".to_owned());
        }
        Ok(parsed)
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} expects a number, got {value:?}"))
}

fn size(value: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--size expects WxH with even sides, e.g. 1280x720, got {value:?}");
    let (w, h) = value.split_once('x').ok_or_else(bad)?;
    let (w, h): (u32, u32) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if w < 16 || h < 16 || w % 2 == 1 || h % 2 == 1 || w > 4096 || h > 4096 {
        return Err(bad());
    }
    Ok((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, String> {
        Args::parse(line.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn defaults_fill_in_what_is_not_given() {
        let args = parse("--server ws://h/ws --room r").expect("valid");
        assert_eq!(
            (args.frames, args.width, args.height, args.fps),
            (90, 1280, 720, 30)
        );
    }

    #[test]
    fn every_option_is_read() {
        let args = parse(
            "--server ws://h/ws --room r --frames 5 --timeout-s 7 --size 640x360 --fps 15 \
             --switch-camera-after-frames 30 --ice-server stun:s:3478 --loopback --muted \
             --video-off --json",
        )
        .expect("valid");
        assert_eq!(args.frames, 5);
        assert_eq!(args.timeout, Duration::from_secs(7));
        assert_eq!((args.width, args.height, args.fps), (640, 360, 15));
        assert_eq!(args.switch_camera_after_frames, Some(30));
        assert_eq!(args.ice_servers, vec!["stun:s:3478"]);
        assert!(args.loopback && args.json && args.muted && args.video_off);
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(parse("--room r").unwrap_err().contains("--server"));
        assert!(
            parse("--server s --room r --size 13x9")
                .unwrap_err()
                .contains("WxH")
        );
        assert!(
            parse("--server s --room r --frames many")
                .unwrap_err()
                .contains("number")
        );
        assert!(
            parse("--server s --room r --bogus")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(
            parse("--server s --room r --camera-file c.y4m --switch-camera-after-frames 3")
                .unwrap_err()
                .contains("test pattern")
        );
    }

    #[test]
    fn a_camera_file_is_kept() {
        let args = parse("--server s --room r --camera-file /tmp/c.y4m").expect("valid");
        assert_eq!(args.camera_file, Some(PathBuf::from("/tmp/c.y4m")));
    }
}
