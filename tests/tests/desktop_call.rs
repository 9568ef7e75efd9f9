//! Two desktop peers (`videochat-peer`) call each other through the real relay
//! process (or two relay nodes sharing rooms through a real redis-server), over
//! real sockets on loopback (`--loopback`: 127.0.0.1 only), with real codecs.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use videochat_e2e::{FrontDoor, Process, Redis, Relay, bin_path, joined_role};
use videochat_protocol::RoomId;

/// Beyond a peer's own `--timeout-s` (30 s unless given) and its linger.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);
/// Joining is one WebSocket round trip; this only bounds a hang.
const JOIN_DEADLINE: Duration = Duration::from_secs(10);

fn peer(name: &str, relay: &Relay, room: &RoomId, extra: &[&str]) -> Process {
    peer_at(name, &relay.ws_url(), room, extra)
}

/// A peer on the relay at `url`, logging the negotiation's steps.
fn peer_at(name: &str, url: &str, room: &RoomId, extra: &[&str]) -> Process {
    let mut command = Command::new(bin_path("videochat-peer"));
    command
        .env("RUST_LOG", "warn,videochat_core::negotiation=info")
        .args([
            "--server",
            url,
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

/// Waits for the peer's `{"event":"state","state":...}` progress line naming `state`.
fn wait_state(peer: &mut Process, state: &str) {
    peer.wait_for_stderr(JOIN_DEADLINE, state, |line| {
        let event: Value = serde_json::from_str(line).ok()?;
        (event["event"] == "state" && event["state"] == state).then_some(())
    })
}

/// Waits for a log line of the peer's containing `text`.
fn wait_log(peer: &mut Process, text: &str, within: Duration) {
    peer.wait_for_stderr(within, text, |line| line.contains(text).then_some(()))
}

#[test]
fn a_call_across_two_relay_nodes_survives_the_death_of_one() {
    let redis = Redis::start();
    let one = Relay::node(&redis);
    let two = Relay::node(&redis);
    // Alice comes through a front door that sends her to node one while it
    // lives (a load balancer); Bob is on node two.
    let door = FrontDoor::start(&[one.addr.clone(), two.addr.clone()]);
    let room = RoomId::random();
    let size = ["--size", "320x240", "--timeout-s", "60"];
    let mut alice = peer_at(
        "alice",
        &door.ws_url(),
        &room,
        &[&["--frames", "30", "--linger-ms", "600000"][..], &size].concat(),
    );
    let mut bob = peer_at(
        "bob",
        &two.ws_url(),
        &room,
        &[&["--frames", "300", "--hang-up-after-s", "15"][..], &size].concat(),
    );
    joined(&mut alice);
    joined(&mut bob);
    wait_state(&mut alice, "Connected");
    wait_state(&mut bob, "Connected");

    // Node one dies mid-call. Alice's relay socket closes; she comes back
    // through the door, now to node two, and takes her place again.
    drop(one);
    wait_log(&mut bob, "the peer is back", Duration::from_secs(10));

    let (bob_ok, bob) = bob.finish(EXIT_DEADLINE);
    let (alice_ok, alice) = alice.finish(EXIT_DEADLINE);
    assert!(bob_ok, "bob failed: {bob}");
    assert!(alice_ok, "alice failed: {alice}");
    // Bob's hang-up reached Alice through node two.
    assert_eq!(alice["end_state"], "Ended(PeerLeft)", "{alice}");
    let took =
        number(&alice, "ended_at_unix_ms").saturating_sub(number(&bob, "hung_up_at_unix_ms"));
    assert!(took < 2000, "the bye took {took} ms: {alice}");
    // The media never depended on the relay: one negotiation, no freeze.
    let offers = number(&alice, "offers_created") + number(&bob, "offers_created");
    assert_eq!(offers, 1, "renegotiated: {alice} {bob}");
    for report in [&alice, &bob] {
        assert!(number(report, "video_frames_received") >= 300, "{report}");
        assert!(
            number(report, "max_frame_gap_ms") <= 500,
            "a freeze: {report}"
        );
    }
}
