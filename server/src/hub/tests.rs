use std::time::Duration;

use super::*;

const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// Large enough that only the frame bound matters, unless a test says so.
const QUEUE_BYTES: usize = 1 << 20;

fn room() -> RoomId {
    RoomId::parse("room-1").expect("valid room name")
}

fn hub(max_connections: usize) -> Arc<Hub> {
    let limits = Limits {
        max_connections,
        ..Limits::default()
    };
    Hub::new(&limits, None)
}

fn next_text(rx: &mut Outbox) -> String {
    match rx.try_recv() {
        Ok(Message::Text(text)) => text.to_string(),
        other => panic!("expected a text frame, got {other:?}"),
    }
}

fn next_json(rx: &mut Outbox) -> serde_json::Value {
    serde_json::from_str(&next_text(rx)).expect("relay events are JSON")
}

#[test]
fn peer_joined_is_queued_before_the_newcomers_first_frame() {
    let hub = hub(10);
    let (a, mut a_rx) = hub.connect(8, QUEUE_BYTES);
    let (b, _b_rx) = hub.connect(8, QUEUE_BYTES);
    assert_eq!(hub.join(&a, IP, &room(), JoinAs::Fresh), Joined::Created);
    assert_eq!(hub.join(&b, IP, &room(), JoinAs::Fresh), Joined::Joined);
    hub.relay(&b, &room(), "\"ready\"".into());
    assert!(next_text(&mut a_rx).contains("created"));
    assert!(next_text(&mut a_rx).contains("peer-joined"));
    assert_eq!(next_text(&mut a_rx), "\"ready\"");
}

#[test]
fn a_peer_with_a_full_queue_is_dropped_and_the_sender_told_peer_left() {
    let hub = hub(10);
    let (slow, _slow_rx) = hub.connect(2, QUEUE_BYTES);
    let (fast, mut fast_rx) = hub.connect(8, QUEUE_BYTES);
    hub.join(&slow, IP, &room(), JoinAs::Fresh);
    hub.join(&fast, IP, &room(), JoinAs::Fresh);
    // The slow queue holds `created` and `peer-joined`; the next frame overflows it.
    hub.relay(&fast, &room(), "1".into());
    assert!(next_text(&mut fast_rx).contains("\"joined\""));
    assert!(next_text(&mut fast_rx).contains("peer-left"));
    hub.relay(&fast, &room(), "2".into());
    assert!(fast_rx.try_recv().is_err(), "nobody left to relay to");
}

#[test]
fn a_resumable_peer_with_a_full_queue_is_away_and_keeps_the_frame_that_overflowed() {
    let hub = hub(10);
    let (slow, mut slow_rx) = hub.connect(2, QUEUE_BYTES);
    let (fast, mut fast_rx) = hub.connect(8, QUEUE_BYTES);
    hub.join(&slow, IP, &room(), JoinAs::Resumable);
    hub.join(&fast, IP, &room(), JoinAs::Fresh);
    hub.relay(&fast, &room(), "1".into());
    assert_eq!(next_json(&mut fast_rx)["type"], "joined");
    assert_eq!(next_json(&mut fast_rx)["type"], "peer-away");

    // The slow one's `created`, still in its queue, carries its token.
    let created = next_json(&mut slow_rx);
    let token = created["session"].as_str().expect("a token").to_owned();
    let (again, mut again_rx) = hub.connect(8, QUEUE_BYTES);
    hub.relay(&fast, &room(), "2".into());
    assert_eq!(
        hub.join(&again, IP, &room(), JoinAs::Resume(token.clone())),
        Joined::Resumed
    );
    let resumed = next_json(&mut again_rx);
    assert_eq!(resumed["type"], "resumed");
    assert_eq!(resumed["session"], token.as_str(), "the token stays valid");
    assert_eq!(next_text(&mut again_rx), "1");
    assert_eq!(next_text(&mut again_rx), "2");
    assert_eq!(next_json(&mut fast_rx)["type"], "peer-back");
}

#[test]
fn the_grace_expiry_tells_the_stayer_peer_left() {
    let hub = hub(10);
    let (a, _a_rx) = hub.connect(8, QUEUE_BYTES);
    let (b, mut b_rx) = hub.connect(8, QUEUE_BYTES);
    hub.join(&a, IP, &room(), JoinAs::Resumable);
    hub.join(&b, IP, &room(), JoinAs::Fresh);
    hub.disconnected(&a, &room());
    assert_eq!(next_json(&mut b_rx)["type"], "joined");
    assert_eq!(next_json(&mut b_rx)["type"], "peer-away");
    hub.expire_due(Instant::now());
    assert!(b_rx.try_recv().is_err(), "the grace has not ended yet");
    hub.expire_due(Instant::now() + Limits::default().resume_grace + Duration::from_millis(1));
    assert_eq!(next_json(&mut b_rx)["type"], "peer-left");
    assert_eq!(hub.room_count(), 1, "the stayer is still in the room");
}

#[test]
fn admissions_stop_at_the_limit_and_free_up_when_dropped() {
    let hub = hub(2);
    let first = hub.admit(IP);
    let second = hub.admit(IP);
    assert!(first.is_ok() && second.is_ok());
    assert_eq!(hub.admit(IP).err(), Some(Refusal::Relay));
    drop(first);
    assert!(hub.admit(IP).is_ok());
}

#[test]
fn a_peer_whose_queue_would_exceed_its_bytes_is_dropped_before_its_frames_run_out() {
    let hub = hub(10);
    // Room for 100 frames but only 100 bytes.
    let (slow, _slow_rx) = hub.connect(100, 100);
    let (fast, mut fast_rx) = hub.connect(8, QUEUE_BYTES);
    hub.join(&slow, IP, &room(), JoinAs::Fresh);
    hub.join(&fast, IP, &room(), JoinAs::Fresh);
    assert!(next_text(&mut fast_rx).contains("\"joined\""));
    assert!(
        fast_rx.try_recv().is_err(),
        "`created` and `peer-joined` fit"
    );
    // They hold about 70 bytes; 40 more overflow.
    hub.relay(&fast, &room(), "x".repeat(40).into());
    assert!(next_text(&mut fast_rx).contains("peer-left"));
}

#[test]
fn an_empty_queue_takes_one_frame_larger_than_its_byte_bound() {
    let hub = hub(10);
    let (a, mut a_rx) = hub.connect(8, 10);
    assert_eq!(hub.join(&a, IP, &room(), JoinAs::Fresh), Joined::Created);
    assert!(next_text(&mut a_rx).contains("created"), "a 30-byte event");
}

#[test]
fn bytes_handed_to_the_socket_no_longer_count() {
    let hub = hub(10);
    let (a, mut a_rx) = hub.connect(100, 100);
    let (b, _b_rx) = hub.connect(100, QUEUE_BYTES);
    hub.join(&a, IP, &room(), JoinAs::Fresh);
    hub.join(&b, IP, &room(), JoinAs::Fresh);
    for _ in 0..10 {
        // Written as fast as it comes: 60 bytes at a time never overflow.
        while let Ok(message) = a_rx.try_recv() {
            a_rx.written(&message);
        }
        hub.relay(&b, &room(), "y".repeat(60).into());
    }
    let frames = std::iter::from_fn(|| a_rx.try_recv().ok()).count();
    assert_eq!(frames, 1, "the last frame, still queued");
}
