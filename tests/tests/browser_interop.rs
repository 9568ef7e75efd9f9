//! The Rust core against a real libwebrtc: headless Chromium (fake camera and
//! microphone) on the relay's own web page, in both roles, and across two
//! relay nodes sharing rooms through a real redis-server.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use videochat_e2e::{Process, Redis, Relay, bin_path, joined_role};
use videochat_protocol::RoomId;

/// Both sides give up on their own after 60 s (`--timeout-s`); this bounds a hang.
const EXIT_DEADLINE: Duration = Duration::from_secs(90);
/// Starting Chromium takes seconds; the Rust peer joins in milliseconds.
const JOIN_DEADLINE: Duration = Duration::from_secs(60);

/// Starts the browser harness in `room`; returns once the page has joined,
/// with the role the relay gave it.
fn start_browser(relay: &Relay, room: &RoomId) -> (Process, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/browser/browser-peer.mjs");
    let mut command = Command::new("node");
    command
        .args([script, "--url", &relay.http_url(), "--room", room.as_str()])
        .args([
            "--min-frames",
            "30",
            "--timeout-s",
            "60",
            "--until-peer-left",
        ]);
    // node runs the browser harness (scripts/setup.sh installs it).
    let mut browser = Process::spawn("browser", command);
    // browser-peer: joined room ROOM as initiator|answerer
    let role = browser.wait_for_stderr(JOIN_DEADLINE, "joined line", |line| {
        let (_, role) = line.split_once(" as ")?;
        line.contains("joined room").then(|| role.trim().to_owned())
    });
    (browser, role)
}

fn rust_peer(relay: &Relay, room: &RoomId) -> Process {
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
    Process::spawn("rust peer", command)
}

fn check(rust_ok: bool, rust: &Value, browser_ok: bool, browser: &Value) {
    assert!(rust_ok, "the Rust peer failed: {rust}");
    assert!(browser_ok, "the browser failed: {browser}");
    // The page ran without a script error or a console error.
    assert_eq!(
        browser["pageErrors"].as_array().map(Vec::len),
        Some(0),
        "errors in the page: {}",
        browser["pageErrors"]
    );
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
    // The core and the web client ran the security-code exchange to the same
    // code (docs/protocol.md, "Security code"): nobody in the middle.
    assert_eq!(rust["security"], "ready", "{rust} {browser}");
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
    let (browser, role) = start_browser(&relay, &room);
    assert_eq!(role, "initiator");
    let rust = rust_peer(&relay, &room);
    let (rust_ok, rust_report) = rust.finish(EXIT_DEADLINE);
    let (browser_ok, browser_report) = browser.finish(EXIT_DEADLINE);
    assert_eq!(browser_report["role"], "initiator");
    check(rust_ok, &rust_report, browser_ok, &browser_report);
}

#[test]
fn a_rust_peer_calls_chromium() {
    let relay = Relay::start();
    let room = RoomId::random();
    let mut rust = rust_peer(&relay, &room);
    let rust_role = rust.wait_for_stderr(JOIN_DEADLINE, "joined event", joined_role);
    assert_eq!(rust_role, "initiator");
    let (browser, role) = start_browser(&relay, &room);
    assert_eq!(role, "answerer");
    let (rust_ok, rust_report) = rust.finish(EXIT_DEADLINE);
    let (browser_ok, browser_report) = browser.finish(EXIT_DEADLINE);
    check(rust_ok, &rust_report, browser_ok, &browser_report);
}

#[test]
fn a_rust_peer_on_one_relay_node_calls_chromium_on_another() {
    let redis = Redis::start();
    let (one, two) = (Relay::node(&redis), Relay::node(&redis));
    let room = RoomId::random();
    let mut rust = rust_peer(&one, &room);
    let rust_role = rust.wait_for_stderr(JOIN_DEADLINE, "joined event", joined_role);
    assert_eq!(rust_role, "initiator");
    // The page comes from node two, and joins there.
    let (browser, role) = start_browser(&two, &room);
    assert_eq!(role, "answerer");
    let (rust_ok, rust_report) = rust.finish(EXIT_DEADLINE);
    let (browser_ok, browser_report) = browser.finish(EXIT_DEADLINE);
    check(rust_ok, &rust_report, browser_ok, &browser_report);
}
