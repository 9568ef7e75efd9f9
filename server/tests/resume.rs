//! Resuming a room slot: a member that joined with `"resume":true` and lost
//! its socket takes its slot back with its session token; its peer hears
//! `peer-away` and `peer-back`, never `peer-left`, unless the grace expires.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Relay, join_resumable, join_session, room};
use serde_json::{Value, json};

/// A resumable `a` (the initiator) and a plain `b` in a fresh room, with
/// `a`'s session token.
async fn pair(relay: &Relay) -> (String, Client, Client, String) {
    let name = room("resume");
    let (mut a, created) = Client::joined_by(relay, &join_resumable(&name)).await;
    assert_eq!(created["type"], "created");
    let token = session_of(&created);
    let (b, joined) = Client::joined(relay, &name).await;
    assert_eq!(
        joined,
        json!({"type": "joined", "room": name}),
        "a plain join gets no token"
    );
    a.expect_event("peer-joined").await;
    (name, a, b, token)
}

/// Returns once the relay has handled every frame `client` sent before: it
/// answers a refused frame (a relay event type) in order.
async fn handled(client: &mut Client) {
    client.send(r#"{"type":"peer-left"}"#).await;
    client.expect_error("bad_json").await;
}

/// The session token of a `created`, `joined` or `resumed`: 128 bits in hex.
fn session_of(event: &Value) -> String {
    let token = event["session"]
        .as_str()
        .unwrap_or_else(|| panic!("no session in {event}"));
    assert_eq!(token.len(), 32, "{token}");
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()), "{token}");
    token.to_owned()
}

#[tokio::test]
async fn a_member_resumes_after_losing_its_socket_and_gets_what_was_sent_meanwhile() {
    let relay = Relay::start(&[]);
    let (name, a, mut b, token) = pair(&relay).await;
    drop(a);
    assert_eq!(
        b.expect_event("peer-away").await,
        json!({"type": "peer-away", "room": name})
    );
    let sent = [
        "\"ready\"",
        r#"{"type":"answer","sdp":"v=0"}"#,
        r#"{"type":"candidate","label":0,"id":"0","candidate":""}"#,
    ];
    for frame in sent {
        b.send(frame).await;
    }
    handled(&mut b).await;
    // The slot is still taken: a newcomer is turned away.
    let (_c, full) = Client::joined(&relay, &name).await;
    assert_eq!(full["type"], "full");

    let (mut a2, resumed) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(
        resumed,
        json!({"type": "resumed", "room": name, "session": token}),
        "the same token stays valid"
    );
    for frame in sent {
        assert_eq!(a2.recv_text().await, frame);
    }
    // The peer hears peer-back and nothing else; the two talk on.
    b.expect_event("peer-back").await;
    a2.send(r#"{"type":"offer","sdp":"again"}"#).await;
    assert_eq!(b.recv_text().await, r#"{"type":"offer","sdp":"again"}"#);
    b.send("\"ready\"").await;
    assert_eq!(a2.recv_text().await, "\"ready\"");
}

#[tokio::test]
async fn resuming_while_the_old_socket_looks_alive_closes_it_and_the_peer_hears_peer_back() {
    let relay = Relay::start(&[]);
    let (name, mut a, mut b, token) = pair(&relay).await;
    // `a` still has its socket open (a half-open TCP connection, as seen by the relay).
    let (mut a2, resumed) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(resumed["type"], "resumed");
    let close = a.expect_close().await;
    assert_eq!(u16::from(close.code), 4000);
    assert_eq!(close.reason.as_str(), "resumed elsewhere");

    // No peer-left nor peer-away: only peer-back, since what `b` sent
    // lately may have gone to the dead socket.
    b.expect_event("peer-back").await;
    a2.send("\"ready\"").await;
    assert_eq!(b.recv_text().await, "\"ready\"");
    b.send(r#"{"type":"answer","sdp":"v=0"}"#).await;
    assert_eq!(a2.recv_text().await, r#"{"type":"answer","sdp":"v=0"}"#);
    a.expect_gone().await;
}

#[tokio::test]
async fn when_the_grace_expires_the_peer_hears_peer_left_and_the_token_is_forgotten() {
    const GRACE: Duration = Duration::from_millis(400);
    let relay = Relay::start(&["--resume-grace-ms", "400"]);
    let (name, a, mut b, token) = pair(&relay).await;
    drop(a);
    b.expect_event("peer-away").await;
    let away = Instant::now();
    b.expect_event("peer-left").await;
    let waited = away.elapsed();
    assert!(waited >= GRACE / 2, "freed too early: {waited:?}");

    // The expired token starts afresh: `b` stayed and initiates, a new token.
    let (_a2, joined) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(joined["type"], "joined");
    assert_ne!(session_of(&joined), token);
    b.expect_event("peer-joined").await;
}

#[tokio::test]
async fn a_member_that_did_not_ask_to_resume_leaves_at_once() {
    let relay = Relay::start(&[]);
    let name = room("plain");
    let (mut a, _) = Client::joined_by(&relay, &join_resumable(&name)).await;
    let (b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    drop(b);
    // Within the test's patience, far shorter than the 20 s grace.
    a.expect_event("peer-left").await;
}

#[tokio::test]
async fn an_unknown_token_is_a_fresh_join_with_a_new_token() {
    let relay = Relay::start(&[]);
    let name = room("unknown");
    let made_up = "0123456789abcdef0123456789abcdef";
    let (_a, created) = Client::joined_by(&relay, &join_session(&name, made_up)).await;
    assert_eq!(created["type"], "created");
    let token = session_of(&created);
    assert_ne!(token, made_up);

    // A token is only good in its own room.
    let (_b, elsewhere) = Client::joined_by(&relay, &join_session(&room("other"), &token)).await;
    assert_eq!(elsewhere["type"], "created");
    assert_ne!(session_of(&elsewhere), token);

    // Nor after the relay restarted.
    let restarted = Relay::start(&[]);
    let (_c, fresh) = Client::joined_by(&restarted, &join_session(&name, &token)).await;
    assert_eq!(fresh["type"], "created");
    assert_ne!(session_of(&fresh), token);
}

#[tokio::test]
async fn frames_kept_for_an_away_member_are_bounded_in_number() {
    let relay = Relay::start(&[]);
    let (name, a, mut b, token) = pair(&relay).await;
    drop(a);
    b.expect_event("peer-away").await;
    for i in 0..40 {
        b.send(&format!(r#"{{"type":"n","i":{i}}}"#)).await;
    }
    handled(&mut b).await;
    let (mut a2, _) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    for i in 0..32 {
        assert_eq!(a2.recv_text().await, format!(r#"{{"type":"n","i":{i}}}"#));
    }
    b.expect_event("peer-back").await;
    // Frames 32 to 39 were dropped: the next one is what `b` sends now.
    b.send("\"after\"").await;
    assert_eq!(a2.recv_text().await, "\"after\"");
}

#[tokio::test]
async fn frames_kept_for_an_away_member_are_bounded_in_bytes() {
    let relay = Relay::start(&[]);
    let (name, a, mut b, token) = pair(&relay).await;
    drop(a);
    b.expect_event("peer-away").await;
    let big = |tag: &str| format!(r#"{{"type":"offer","sdp":"{tag}{}"}}"#, "s".repeat(40_000));
    // 40 KB, then 40 KB more (over 64 KiB: dropped), then a small one that fits.
    b.send(&big("first")).await;
    b.send(&big("second")).await;
    b.send("\"ready\"").await;
    handled(&mut b).await;
    let (mut a2, _) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(a2.recv_text().await, big("first"));
    assert_eq!(a2.recv_text().await, "\"ready\"");
    b.expect_event("peer-back").await;
    b.send("\"after\"").await;
    assert_eq!(a2.recv_text().await, "\"after\"");
}

#[tokio::test]
async fn bye_from_a_resumable_member_frees_its_slot_at_once() {
    let relay = Relay::start(&[]);
    let (name, mut a, mut b, token) = pair(&relay).await;
    a.send(r#"{"type":"bye"}"#).await;
    assert_eq!(b.recv_text().await, r#"{"type":"bye"}"#);
    b.expect_event("peer-left").await;
    // The token went with the slot.
    let (_a2, joined) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(joined["type"], "joined");
    assert_ne!(session_of(&joined), token);
}

#[tokio::test]
async fn a_member_away_when_its_peer_left_hears_peer_left_on_resume_and_initiates() {
    let relay = Relay::start(&[]);
    let (name, a, mut b, token) = pair(&relay).await;
    drop(a);
    b.expect_event("peer-away").await;
    b.send("\"ready\"").await;
    b.send(r#"{"type":"bye"}"#).await;
    handled(&mut b).await;
    drop(b);

    let (mut a2, resumed) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(resumed["type"], "resumed");
    // What the departed peer sent is moot: only that it left.
    a2.expect_event("peer-left").await;
    let (_c, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined["type"], "joined");
    a2.expect_event("peer-joined").await;
}

#[tokio::test]
async fn a_newcomer_to_an_away_initiator_hears_peer_away_and_its_frames_are_kept() {
    let relay = Relay::start(&[]);
    let (name, a, mut b, token) = pair(&relay).await;
    drop(a);
    b.expect_event("peer-away").await;
    b.send(r#"{"type":"bye"}"#).await;
    handled(&mut b).await;
    // `a` is away and alone: its slot is kept, the newcomer answers to it.
    let (mut c, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined["type"], "joined");
    c.expect_event("peer-away").await;
    c.send("\"ready\"").await;
    handled(&mut c).await;

    let (mut a2, _) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    a2.expect_event("peer-left").await;
    a2.expect_event("peer-joined").await;
    assert_eq!(a2.recv_text().await, "\"ready\"");
    c.expect_event("peer-back").await;
}

#[tokio::test]
async fn join_with_a_token_while_in_a_room_is_already_joined() {
    let relay = Relay::start(&[]);
    let (name, mut a, _b, token) = pair(&relay).await;
    a.send(&join_session(&name, &token)).await;
    a.expect_error("already_joined").await;
}
