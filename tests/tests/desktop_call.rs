//! Two desktop peers (`videochat-peer`) call each other through the real relay
//! process, over real sockets on loopback (`--loopback`: 127.0.0.1 only), with
//! real codecs.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use videochat_e2e::{Process, Relay, bin_path, joined_role};
use videochat_protocol::RoomId;

/// Beyond a peer's own `--timeout-s` (30 s unless given) and its linger.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);
/// Joining is one WebSocket round trip; this only bounds a hang.
const JOIN_DEADLINE: Duration = Duration::from_secs(10);

fn peer(name: &str, relay: &Relay, room: &RoomId, extra: &[&str]) -> Process {
    let mut command = Command::new(bin_path("videochat-peer"));
    command
        .args([
            "--server",
            &relay.ws_url(),
            "--room",
            room.as_str(),
            "--loopback",
            "--json",
        ])
        .args(extra);
    Process::spawn(name, command)
}

/// Waits for the peer's `joined` progress event; returns the role it was given.
fn joined(peer: &mut Process) -> String {
    peer.wait_for_stderr(JOIN_DEADLINE, "joined event", joined_role)
}

fn number(report: &Value, key: &str) -> u64 {
    report[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {report}"))
}

#[test]
fn two_peers_see_and_hear_each_other_through_a_camera_switch() {
    let relay = Relay::start();
    let room = RoomId::random();
    let a = peer(
        "peer A",
        &relay,
        &room,
        &[
            "--frames",
            "90",
            "--size",
            "1280x720",
            "--switch-camera-after-frames",
            "45",
        ],
    );
    let b = peer(
        "peer B",
        &relay,
        &room,
        &["--frames", "90", "--size", "1280x720"],
    );
    let (a_ok, a_report) = a.finish(EXIT_DEADLINE);
    let (b_ok, b_report) = b.finish(EXIT_DEADLINE);
    assert!(a_ok, "peer A failed: {a_report}");
    assert!(b_ok, "peer B failed: {b_report}");

    for report in [&a_report, &b_report] {
        assert!(number(report, "video_frames_received") >= 90, "{report}");
        assert!(
            number(report, "stamped_frames") >= 90,
            "frames carry readable stamps: {report}"
        );
        assert_eq!(number(report, "frames_out_of_order"), 0, "{report}");
        assert!(number(report, "audio_packets_received") > 0, "{report}");
    }
    // A switched to the rear camera in portrait; B saw it without a new
    // negotiation: 16:9 landscape, then 9:16 portrait (at full size, or
    // smaller while the bitrate is short).
    let sizes: Vec<(u64, u64)> = b_report["remote_sizes"]
        .as_array()
        .expect("remote_sizes")
        .iter()
        .filter_map(|s| s.as_str()?.split_once('x'))
        .map(|(w, h)| (w.parse().expect("width"), h.parse().expect("height")))
        .collect();
    let first_portrait = sizes
        .iter()
        .position(|&(w, h)| w * 16 == h * 9)
        .expect("B saw the portrait picture");
    assert!(first_portrait > 0, "{b_report}");
    assert!(
        sizes[..first_portrait]
            .iter()
            .all(|&(w, h)| w * 9 == h * 16),
        "landscape before the switch: {b_report}"
    );
    assert!(
        sizes[first_portrait..]
            .iter()
            .all(|&(w, h)| w * 16 == h * 9),
        "portrait after the switch: {b_report}"
    );
    // The commit-then-reveal exchange completed on both sides with one code:
    // nobody in the middle.
    assert_eq!(a_report["security"], "ready", "{a_report}");
    assert!(a_report["security_code"].is_string(), "{a_report}");
    assert_eq!(
        a_report["security_code"], b_report["security_code"],
        "the same code on both sides"
    );
    let offers = number(&a_report, "offers_created") + number(&b_report, "offers_created");
    assert_eq!(
        offers, 1,
        "one negotiation for the whole call: {a_report} {b_report}"
    );
    let switched = number(&a_report, "camera_switched_at_unix_ms");
    let seen = b_report["remote_size_changed_at_unix_ms"][first_portrait - 1]
        .as_u64()
        .expect("B saw the size change");
    eprintln!(
        "camera switch reached the remote after {} ms",
        seen.saturating_sub(switched)
    );
}

#[test]
fn hanging_up_ends_the_other_side_at_once() {
    let relay = Relay::start();
    let room = RoomId::random();
    // A hangs up as soon as it has seen 30 frames; B would wait for far more.
    let a = peer(
        "peer A",
        &relay,
        &room,
        &["--frames", "30", "--linger-ms", "0", "--size", "640x360"],
    );
    let b = peer(
        "peer B",
        &relay,
        &room,
        &["--frames", "100000", "--size", "640x360"],
    );
    let (a_ok, a_report) = a.finish(EXIT_DEADLINE);
    let (b_ok, b_report) = b.finish(EXIT_DEADLINE);
    assert!(a_ok, "peer A failed: {a_report}");
    assert!(!b_ok, "B's call ended before its goal: {b_report}");
    assert_eq!(b_report["end_state"], "Ended(PeerLeft)", "{b_report}");
    let hung_up = number(&a_report, "hung_up_at_unix_ms");
    let ended = number(&b_report, "ended_at_unix_ms");
    assert!(
        ended.saturating_sub(hung_up) < 1000,
        "the other side ended {} ms after the hang-up",
        ended.saturating_sub(hung_up)
    );
}

#[test]
fn a_third_peer_is_told_the_room_is_full() {
    let relay = Relay::start();
    let room = RoomId::random();
    let mut a = peer(
        "peer A",
        &relay,
        &room,
        &["--frames", "60", "--size", "320x240"],
    );
    assert_eq!(joined(&mut a), "initiator");
    let mut b = peer(
        "peer B",
        &relay,
        &room,
        &["--frames", "60", "--size", "320x240"],
    );
    assert_eq!(joined(&mut b), "answerer");
    // Both are in the room now: the third comes too late.
    let c = peer(
        "peer C",
        &relay,
        &room,
        &["--frames", "1", "--timeout-s", "10"],
    );
    let (c_ok, c_report) = c.finish(EXIT_DEADLINE);
    assert!(!c_ok);
    assert_eq!(c_report["end_state"], "Ended(RoomFull)", "{c_report}");
    let (a_ok, a_report) = a.finish(EXIT_DEADLINE);
    let (b_ok, b_report) = b.finish(EXIT_DEADLINE);
    assert!(
        a_ok && b_ok,
        "the call in the room went on: {a_report} {b_report}"
    );
}
