//! The Rust core against a real libwebrtc: headless Chromium (fake camera and
//! microphone) on the relay's own web page, in both roles.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use videochat_e2e::{Process, Relay, bin_path, finish, spawn};
use videochat_protocol::RoomId;

/// Starts the browser harness in `room`; returns once the page has joined,
/// with the role the relay gave it.
fn start_browser(relay: &Relay, room: &RoomId) -> (Process, std::process::ChildStdout, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/browser/browser-peer.mjs");
    let mut child = Command::new("node")
        .args([script, "--url", &relay.http_url(), "--room", room.as_str()])
        .args([
            "--min-frames",
            "30",
            "--timeout-s",
            "60",
            "--until-peer-left",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs the browser harness (scripts/setup.sh installs it)");
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let process = Process { child };
    let (role_tx, role_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line
                .split(" as ")
                .nth(1)
                .filter(|_| line.contains("joined room"))
            {
                let _ = role_tx.send(rest.trim().to_owned());
            }
            eprintln!("[browser] {line}");
        }
    });
    let role = role_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the browser page joined the room");
    (process, stdout, role)
}

fn rust_peer(relay: &Relay, room: &RoomId) -> Command {
    let mut command = Command::new(bin_path("videochat-peer"));
    command.args([
        "--server",
        &relay.ws_url(),
        "--room",
        room.as_str(),
        "--frames",
        "60",
        "--size",
        "640x480",
        "--timeout-s",
        "60",
        "--linger-ms",
        "0",
        "--json",
    ]);
    command
}

fn check(rust_ok: bool, rust: &Value, browser_ok: bool, browser: &Value) {
    assert!(rust_ok, "the Rust peer failed: {rust}");
    assert!(browser_ok, "the browser failed: {browser}");
    // The Rust peer decoded Chromium's video and audio.
    assert!(rust["video_frames_received"].as_u64() >= Some(60), "{rust}");
    assert!(rust["audio_packets_received"].as_u64() > Some(0), "{rust}");
    // Chromium's <video> plays ours.
    assert!(browser["framesDecoded"].as_u64() >= Some(30), "{browser}");
    assert!(browser["videoWidth"].as_u64() > Some(0), "{browser}");
    assert!(
        browser["audioPacketsReceived"].as_u64() > Some(0),
        "{browser}"
    );
    assert_eq!(browser["codec"], "video/H264", "{browser}");
    // Both derived the same code from the DTLS fingerprints: nobody in the middle.
    assert!(rust["security_code"].is_string(), "{rust}");
    assert_eq!(
        rust["security_code"], browser["securityCode"],
        "{rust} {browser}"
    );
    eprintln!("rust: {rust}\nbrowser: {browser}");
}

#[test]
fn chromium_calls_a_rust_peer() {
    let relay = Relay::start();
    let room = RoomId::random();
    let (browser, browser_out, role) = start_browser(&relay, &room);
    assert_eq!(role, "initiator");
    let (rust, rust_out) = spawn(&mut rust_peer(&relay, &room));
    let (rust_ok, rust_report) = finish(rust, rust_out);
    let (browser_ok, browser_report) = finish(browser, browser_out);
    assert_eq!(browser_report["role"], "initiator");
    check(rust_ok, &rust_report, browser_ok, &browser_report);
}

#[test]
fn a_rust_peer_calls_chromium() {
    let relay = Relay::start();
    let room = RoomId::random();
    let (rust, rust_out) = spawn(&mut rust_peer(&relay, &room));
    // The Rust peer joins within milliseconds; the browser takes seconds to start.
    std::thread::sleep(Duration::from_millis(300));
    let (browser, browser_out, role) = start_browser(&relay, &room);
    assert_eq!(role, "answerer");
    let (rust_ok, rust_report) = finish(rust, rust_out);
    let (browser_ok, browser_report) = finish(browser, browser_out);
    check(rust_ok, &rust_report, browser_ok, &browser_report);
}
