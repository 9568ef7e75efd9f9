//! Calls that survive real networks: two `videochat-peer`s on hosts of the
//! network lab (tests/netlab), the real relay on a third, coturn on a fourth.
//! The relay restarts, the relay link dies silently for a minute, a peer's
//! network changes under it, the peers have no direct path (TURN), a peer
//! wants TURN only, no path works yet (connectivity checks stay paced), the
//! link dips for a few seconds. Each test asserts what the other side
//! received: frames without a freeze, no second offer, and a `bye` that
//! still reaches it.

use std::net::Ipv4Addr;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use videochat_e2e::{Lab, Process, Relay, Turn, bin_path};
use videochat_protocol::RoomId;

/// Two encoders per test on a 2-core machine: one lab call at a time, so
/// a freeze means the network, not a starved CPU.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
/// Small pictures keep the encoders light; the network is under test here.
const SIZE: &str = "320x240";
const CONNECT_DEADLINE: Duration = Duration::from_secs(20);
/// No picture should stay longer than this (a freeze to a person).
const NO_FREEZE_MS: u64 = 500;

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn peer(lab: &Lab, host: &str, relay: &Relay, room: &RoomId, extra: &[&str]) -> Process {
    let mut command = lab.command(host, bin_path("videochat-peer"));
    command
        .args(["--server", &relay.ws_url(), "--room", room.as_str()])
        .args(["--json", "--size", SIZE])
        .args(extra)
        .env("RUST_LOG", "warn,videochat_core::negotiation=info");
    Process::spawn(host, command)
}

/// Waits for a `{"event":"state","state":...}` progress line naming `state`.
fn wait_state(peer: &mut Process, state: &str, within: Duration) {
    peer.wait_for_stderr(within, state, |line| {
        let event: Value = serde_json::from_str(line).ok()?;
        (event["event"] == "state" && event["state"] == state).then_some(())
    })
}

/// Waits for a `{"event":"quality",...}` progress line saying `quality`; the line.
fn wait_quality(peer: &mut Process, quality: &str, within: Duration) -> Value {
    peer.wait_for_stderr(within, quality, |line| {
        let event: Value = serde_json::from_str(line).ok()?;
        (event["event"] == "quality" && event["quality"] == quality).then_some(event)
    })
}

/// Waits for a log line of the peer's containing `text`.
fn wait_log(peer: &mut Process, text: &str, within: Duration) {
    peer.wait_for_stderr(within, text, |line| line.contains(text).then_some(()))
}

fn number(report: &Value, key: &str) -> u64 {
    report[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} missing in {report}"))
}

fn finish(peer: Process, within: Duration) -> Value {
    let (ok, report) = peer.finish(within);
    assert!(ok, "the peer failed: {report}");
    report
}

/// Frames kept coming: at least `frames`, in order, no picture held past
/// `max_gap_ms`.
fn assert_smooth(report: &Value, frames: u64, max_gap_ms: u64) {
    eprintln!(
        "frames {}, longest gap {} ms, freezes {}, states {}",
        report["video_frames_received"],
        report["max_frame_gap_ms"],
        report["freezes"],
        report["states"]
    );
    assert!(
        number(report, "video_frames_received") >= frames,
        "{report}"
    );
    assert_eq!(number(report, "frames_out_of_order"), 0, "{report}");
    assert!(
        number(report, "max_frame_gap_ms") <= max_gap_ms,
        "a picture froze for {} ms (allowed {max_gap_ms}): {report}",
        number(report, "max_frame_gap_ms")
    );
}

/// The other's hang-up reached this peer through the relay within `within`
/// (so signaling was up again), and it ended the call.
fn assert_bye_arrived(report: &Value, other: &Value, within: Duration) {
    assert_eq!(report["end_state"], "Ended(PeerLeft)", "{report}");
    let took =
        number(report, "ended_at_unix_ms").saturating_sub(number(other, "hung_up_at_unix_ms"));
    assert!(
        took <= within.as_millis() as u64,
        "the bye took {took} ms to arrive: {report}"
    );
}

/// The one negotiation of the call: one offer made, one answer.
fn assert_negotiated_once(a: &Value, b: &Value) {
    let offers = number(a, "offers_created") + number(b, "offers_created");
    let answers = number(a, "answers_created") + number(b, "answers_created");
    assert_eq!(
        (offers, answers),
        (1, 1),
        "renegotiated: offers {offers}, answers {answers}\n{a}\n{b}"
    );
}

/// Alice and Bob in a call through `relay`, both connected on return. Bob
/// hangs up `seconds` in (needing 300 frames by then); Alice stays until then.
fn connected_pair(lab: &Lab, relay: &Relay, seconds: u64) -> (Process, Process) {
    let room = RoomId::random();
    let (hang_up, limit) = (seconds.to_string(), (seconds + 60).to_string());
    let alice_args = [
        "--frames",
        "30",
        "--linger-ms",
        "600000",
        "--timeout-s",
        &limit,
    ];
    let bob_args = [
        "--frames",
        "300",
        "--hang-up-after-s",
        &hang_up,
        "--timeout-s",
        &limit,
    ];
    let mut alice = peer(lab, "alice", relay, &room, &alice_args);
    let mut bob = peer(lab, "bob", relay, &room, &bob_args);
    wait_state(&mut alice, "Connected", CONNECT_DEADLINE);
    wait_state(&mut bob, "Connected", CONNECT_DEADLINE);
    (alice, bob)
}

/// Waits for Bob's hang-up, which must reach Alice through the relay within
/// 2 s (so signaling is up again); their reports.
fn hung_up(alice: Process, bob: Process) -> (Value, Value) {
    let bob = finish(bob, Duration::from_secs(120));
    let alice = finish(alice, Duration::from_secs(30));
    assert_bye_arrived(&alice, &bob, Duration::from_secs(2));
    (alice, bob)
}

/// A `seconds` call at 640x480 between Alice and Bob across `lab`; `impair`
/// changes the link once both are connected, so the call is measured under it
/// and not its setup (setup under loss is a test of its own).
/// Both reports (each peer hangs up at the end).
fn call_across(lab: &Lab, relay: &Relay, seconds: u64, impair: impl FnOnce()) -> (Value, Value) {
    let room = RoomId::random();
    let (hang_up, limit) = (seconds.to_string(), (seconds + 60).to_string());
    let args = [
        "--size",
        "640x480",
        "--frames",
        "1",
        "--hang-up-after-s",
        &hang_up,
        "--timeout-s",
        &limit,
    ];
    let mut alice = peer(lab, "alice", relay, &room, &args);
    let mut bob = peer(lab, "bob", relay, &room, &args);
    wait_state(&mut alice, "Connected", CONNECT_DEADLINE);
    wait_state(&mut bob, "Connected", CONNECT_DEADLINE);
    impair();
    let within = Duration::from_secs(seconds + 60);
    (finish(alice, within), finish(bob, within))
}

/// What `receiver` got from `sender` once congestion control had settled (from
/// 5 s after the first frame): at least `fps`, capture-to-decode p95 under
/// `p95_ms`, no freeze, and no more than `key_frames_per_minute` key frames.
fn assert_adapted(
    sender: &Value,
    receiver: &Value,
    seconds: u64,
    fps: f64,
    p95_ms: f64,
    freezes: u64,
) {
    let steady = &receiver["steady"];
    let key_frames_per_minute = number(sender, "key_frames_sent") as f64 * 60.0 / seconds as f64;
    eprintln!(
        "steady: {steady}; sender's key frames {key_frames_per_minute:.0}/min, target {} bit/s",
        sender["video_target_bitrate_bps"]
    );
    let steady_fps = steady["fps"].as_f64().unwrap_or(0.0);
    assert!(steady_fps >= fps, "{steady_fps} fps: {receiver}");
    let p95 = steady["latency_ms_p95"].as_f64().unwrap_or(f64::MAX);
    assert!(p95 < p95_ms, "p95 {p95} ms: {receiver}");
    assert!(
        steady["freezes"].as_u64().unwrap_or(u64::MAX) <= freezes,
        "{receiver}"
    );
    // A storm was a key frame every 300 ms (200 a minute).
    assert!(
        key_frames_per_minute <= 20.0,
        "{key_frames_per_minute} key frames a minute: {sender}"
    );
}

#[test]
fn a_1_mbit_link_carries_640x480_without_queueing_or_a_key_frame_storm() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    // A cellular uplink: 1 Mbit/s with half a second of queue, both ways.
    lab.shape("alice", 1_000_000, Duration::from_millis(500));
    let seconds = 20;
    let (alice, bob) = call_across(&lab, &relay, seconds, || ());
    // Loose bounds (the bench's targets are 28 fps and 150 ms): CI machines are busy.
    assert_adapted(&alice, &bob, seconds, 20.0, 300.0, 0);
    assert_adapted(&bob, &alice, seconds, 20.0, 300.0, 0);
}

#[test]
fn after_a_dip_in_the_link_the_call_regrows_its_rate_within_seconds() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let seconds = 16;
    let (alice, bob) = call_across(&lab, &relay, seconds, || {
        // The scenario's timeline, not synchronisation: settle, then 3 s at
        // 300 kbit/s (cross traffic, a fading radio), then the link is back
        // for the last 6 s or so of the call.
        std::thread::sleep(Duration::from_secs(5));
        lab.shape("alice", 300_000, Duration::from_millis(200));
        std::thread::sleep(Duration::from_secs(3));
        lab.unshape("alice");
    });
    for (sender, receiver) in [(&alice, &bob), (&bob, &alice)] {
        let target = number(sender, "video_target_bitrate_bps");
        eprintln!(
            "target at the end {target} bit/s; longest gap {} ms",
            receiver["max_frame_gap_ms"]
        );
        // At 8% a second from the dip's 250 kbit/s it would be under 500.
        assert!(target >= 1_000_000, "target {target} bit/s: {sender}");
        assert!(
            number(receiver, "video_frames_received") >= 300,
            "{receiver}"
        );
    }
}

#[test]
fn ten_percent_loss_is_repaired_without_a_key_frame_storm() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let seconds = 20;
    let (alice, bob) = call_across(&lab, &relay, seconds, || lab.loss("alice", 0.1));
    // Loose bounds (the bench's targets are 28 fps and 60 ms). One freeze is
    // allowed: when the rate sits at its floor the encoder can skip frames
    // for about a second after a key frame (a clean CI run saw a 1.03 s gap
    // once); the rate now holds at 10% loss, but 20% can still drive it there.
    assert_adapted(&alice, &bob, seconds, 20.0, 200.0, 1);
    assert_adapted(&bob, &alice, seconds, 20.0, 200.0, 1);
}

#[test]
fn calls_set_up_under_twenty_percent_loss_connect_and_carry_video() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    // From the start, signaling included: a DTLS handshake gives up now and
    // then at this loss (about one call in ten before its connection was
    // replaced), and a join's reply is sometimes lost with its socket.
    lab.loss("alice", 0.2);
    for call in 1..=3 {
        let room = RoomId::random();
        let args = ["--frames", "30", "--timeout-s", "60"];
        let mut alice = peer(&lab, "alice", &relay, &room, &args);
        let mut bob = peer(&lab, "bob", &relay, &room, &args);
        // Two replacements of a dead connection (10 s each) fit.
        wait_state(&mut alice, "Connected", Duration::from_secs(40));
        wait_state(&mut bob, "Connected", Duration::from_secs(40));
        let within = Duration::from_secs(60);
        let (alice, bob) = (finish(alice, within), finish(bob, within));
        for (who, report) in [("alice", &alice), ("bob", &bob)] {
            assert!(
                number(report, "video_frames_received") >= 30,
                "call {call}: {who} got too few frames: {report}"
            );
        }
    }
}

#[test]
fn a_relay_restart_costs_no_video_and_no_second_offer() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let (mut alice, mut bob) = connected_pair(&lab, &relay, 20);

    let port = relay.port();
    drop(relay);
    // Both notice (the socket closed) and retry while it is down.
    wait_log(&mut alice, "relay unreachable", Duration::from_secs(10));
    wait_log(&mut bob, "relay unreachable", Duration::from_secs(10));
    let _relay = Relay::start_in_with(&lab, "relay", port, &[]);

    let (alice, bob) = hung_up(alice, bob);
    for report in [&alice, &bob] {
        assert_smooth(report, 300, NO_FREEZE_MS);
    }
    assert_negotiated_once(&alice, &bob);
}

#[test]
fn a_minute_of_a_dead_relay_link_costs_no_video_and_signaling_comes_back() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let (mut alice, bob) = connected_pair(&lab, &relay, 80);

    // Alice's packets to and from the relay vanish: her socket is half-open,
    // and neither TCP end is told. Media between alice and bob is untouched.
    lab.block("alice", "relay");
    wait_log(
        &mut alice,
        "nothing heard from the relay",
        Duration::from_secs(10),
    );
    // The scenario's length, not a synchronisation: a minute without the relay.
    std::thread::sleep(Duration::from_secs(58));
    lab.unblock("alice", "relay");

    let (alice, bob) = hung_up(alice, bob);
    for report in [&alice, &bob] {
        assert_smooth(report, 600, NO_FREEZE_MS);
    }
    assert_negotiated_once(&alice, &bob);
}

#[test]
fn the_quality_indicator_says_poor_while_the_media_path_is_cut_and_good_once_it_is_back() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let (alice, mut bob) = connected_pair(&lab, &relay, 30);

    let good = wait_quality(&mut bob, "good", Duration::from_secs(5));
    eprintln!("before: {good}");
    assert!(
        good["rtt_ms"].as_f64().is_some(),
        "a round trip is measured: {good}"
    );
    // Alice and Bob no longer reach each other; both still reach the relay.
    lab.block("alice", "bob");
    let poor = wait_quality(&mut bob, "poor", Duration::from_secs(4));
    eprintln!("cut: {poor}");
    lab.unblock("alice", "bob");
    let back = wait_quality(&mut bob, "good", Duration::from_secs(15));
    eprintln!("back: {back}");

    let (_, bob) = hung_up(alice, bob);
    let seconds = &bob["quality_seconds"];
    assert!(
        seconds["good"].as_u64().unwrap_or(0) >= 10,
        "good for most of the call: {bob}"
    );
}

#[test]
fn a_network_change_brings_video_back_within_three_seconds() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let (mut alice, bob) = connected_pair(&lab, &relay, 30);

    // Wi-Fi to cellular: a new link and address come up, the old ones go.
    let new_address: Ipv4Addr = lab.change_network("alice");
    eprintln!("alice moved to {new_address}");
    wait_state(&mut alice, "Reconnecting", Duration::from_secs(15));
    wait_state(&mut alice, "Connected", Duration::from_secs(15));

    let (alice, bob) = hung_up(alice, bob);
    for report in [&alice, &bob] {
        // The relay link is found dead after 2.5 s of silence; ICE restarts
        // as soon as the peer is back on it. (On a phone the OS reports the
        // change at once; here nothing does.)
        assert_smooth(report, 300, 4000);
        assert_ne!(report["end_state"], "Ended(IceFailed)", "{report}");
    }
}

#[test]
fn without_a_direct_path_the_call_goes_through_turn_from_the_relay() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay", "turn"]);
    let secret = "lab-turn-secret";
    let turn = Turn::start(&lab, "turn", secret);
    let turn_url = format!("turn:{}", turn.addr);
    let relay = Relay::start_in_with(
        &lab,
        "relay",
        0,
        &["--turn-url", &turn_url, "--turn-secret", secret],
    );
    lab.block("alice", "bob");
    let room = RoomId::random();
    let alice = peer(&lab, "alice", &relay, &room, &["--frames", "60"]);
    let bob = peer(&lab, "bob", &relay, &room, &["--frames", "60"]);
    let bob = finish(bob, Duration::from_secs(60));
    let alice = finish(alice, Duration::from_secs(60));
    // Alice and bob cannot reach each other: every frame went through coturn.
    for report in [&alice, &bob] {
        assert!(number(report, "video_frames_received") >= 60, "{report}");
    }
    drop(turn);
}

#[test]
fn relay_only_uses_turn_even_with_a_direct_path() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay", "turn"]);
    let secret = "lab-turn-secret";
    let turn = Turn::start(&lab, "turn", secret);
    let turn_url = format!("turn:{}", turn.addr);
    let options = ["--turn-url", turn_url.as_str(), "--turn-secret", secret];
    let relay = Relay::start_in_with(&lab, "relay", 0, &options);
    let room = RoomId::random();
    let alice = peer(
        &lab,
        "alice",
        &relay,
        &room,
        &["--frames", "60", "--relay-only"],
    );
    let bob = peer(&lab, "bob", &relay, &room, &["--frames", "60"]);
    let alice = finish(alice, Duration::from_secs(60));
    let bob = finish(bob, Duration::from_secs(60));
    for report in [&alice, &bob] {
        assert!(number(report, "video_frames_received") >= 60, "{report}");
    }

    // The proof that relay-only means it: with TURN out of alice's reach,
    // no call, although bob is right there.
    lab.block("alice", "turn");
    let room = RoomId::random();
    let limit = ["--frames", "10", "--timeout-s", "12"];
    let alice = peer(
        &lab,
        "alice",
        &relay,
        &room,
        &[&limit[..], &["--relay-only"]].concat(),
    );
    let bob = peer(&lab, "bob", &relay, &room, &limit);
    let (alice_ok, alice) = alice.finish(Duration::from_secs(60));
    let (bob_ok, bob) = bob.finish(Duration::from_secs(60));
    assert!(!alice_ok && !bob_ok, "a call without TURN:\n{alice}\n{bob}");
    assert_eq!(number(&alice, "video_frames_received"), 0, "{alice}");
    assert_eq!(number(&bob, "video_frames_received"), 0, "{bob}");
}

/// STUN binding requests the host has sent so far, counted by an iptables
/// rule that `count_binding_requests` put in its OUTPUT chain.
fn binding_requests_sent(lab: &Lab, host: &str) -> u64 {
    let output = lab
        .command(host, "iptables")
        .args(["-L", "OUTPUT", "-v", "-x", "-n"])
        .output()
        .expect("iptables runs");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|line| line.contains("u32"))
        .and_then(|line| line.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no binding-request counter in {host}'s OUTPUT:\n{text}"))
}

/// Counts the STUN binding requests leaving the host: message type 0x0001 and
/// the magic cookie at the start of the UDP payload.
fn count_binding_requests(lab: &Lab, host: &str) {
    let stun_request = "0>>22&0x3C@8>>16=0x0001&&0>>22&0x3C@12=0x2112A442";
    let mut command = lab.command(host, "iptables");
    command.args([
        "-A",
        "OUTPUT",
        "-p",
        "udp",
        "-m",
        "u32",
        "--u32",
        stun_request,
        "-j",
        "ACCEPT",
    ]);
    let status = command.status().expect("iptables runs");
    assert!(status.success(), "{command:?}: {status}");
}

#[test]
fn connectivity_checks_are_paced_while_no_path_works() {
    let _serial = serial();
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    // Three more addresses each that nothing reaches (a phone's cellular and
    // VPN addresses seen from elsewhere): 16 candidate pairs each way.
    for (net, host) in [(1, "alice"), (2, "bob")] {
        for i in 1..=3 {
            lab.add_unreachable(host, Ipv4Addr::new(10, 99, net, i));
        }
        count_binding_requests(&lab, host);
    }
    // No path works until alice and bob can reach each other.
    lab.block("alice", "bob");
    let room = RoomId::random();
    let args = ["--frames", "30", "--timeout-s", "60"];
    let mut alice = peer(&lab, "alice", &relay, &room, &args);
    let mut bob = peer(&lab, "bob", &relay, &room, &args);
    wait_state(&mut alice, "Negotiating", CONNECT_DEADLINE);
    wait_state(&mut bob, "Negotiating", CONNECT_DEADLINE);
    // The window of the measure (not a synchronisation): a second for the
    // candidates to arrive, then 3 s of checks on pairs that all fail.
    std::thread::sleep(Duration::from_secs(1));
    let sent = || binding_requests_sent(&lab, "alice") + binding_requests_sent(&lab, "bob");
    let before = sent();
    let window = Duration::from_secs(3);
    std::thread::sleep(window);
    let per_second = (sent() - before) as f64 / window.as_secs_f64();
    eprintln!("{per_second:.0} binding requests a second from the two peers");
    // Every pair at every 20 ms tick was about 1,500 a second (16 pairs, two
    // peers); one pair a tick is 100; RFC 8445's pace (one per 50 ms) is 40.
    assert!(
        per_second < 300.0,
        "{per_second:.0} binding requests a second"
    );
    assert!(
        per_second > 10.0,
        "the peers stopped checking: {per_second:.0} a second"
    );

    // Once a path opens, the paced checks still find it.
    lab.unblock("alice", "bob");
    wait_state(&mut alice, "Connected", CONNECT_DEADLINE);
    wait_state(&mut bob, "Connected", CONNECT_DEADLINE);
    let within = Duration::from_secs(60);
    for report in [finish(alice, within), finish(bob, within)] {
        assert!(number(&report, "video_frames_received") >= 30, "{report}");
    }
}
