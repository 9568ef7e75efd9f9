//! Joining rooms: created, joined, peer-joined, full, peer-left, and roles.

mod common;

use std::time::Duration;

use common::{Client, Relay, join, room};

#[tokio::test]
async fn first_joiner_creates_second_joins_and_the_initiator_hears_peer_joined() {
    let relay = Relay::start(&[]);
    let name = room("pair");
    let (mut a, created) = Client::joined(&relay, &name).await;
    assert_eq!(
        created,
        serde_json::json!({"type": "created", "room": name})
    );
    let (_b, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined, serde_json::json!({"type": "joined", "room": name}));
    let peer_joined = a.expect_event("peer-joined").await;
    assert_eq!(peer_joined["room"], name.as_str());
}

#[tokio::test]
async fn a_third_joiner_is_told_full_and_nothing_is_relayed_to_or_from_it() {
    let relay = Relay::start(&[]);
    let name = room("full");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    let (mut c, full) = Client::joined(&relay, &name).await;
    assert_eq!(full, serde_json::json!({"type": "full", "room": name}));

    // The refused client is not in the room: what it sends goes nowhere...
    c.send("\"ready\"").await;
    c.expect_error("not_joined").await;
    // ...and it hears nothing of the pair's conversation.
    a.send("\"ready\"").await;
    assert_eq!(b.recv_text().await, "\"ready\"");
    c.expect_silence(Duration::from_millis(300)).await;
    a.expect_silence(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn peer_joined_reaches_the_initiator_before_the_newcomers_first_message() {
    let relay = Relay::start(&[]);
    let name = room("order");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let mut b = Client::connect(&relay).await;
    // The newcomer sends `ready` right behind its join, without waiting.
    b.send(&join(&name)).await;
    b.send("\"ready\"").await;
    a.expect_event("peer-joined").await;
    assert_eq!(a.recv_text().await, "\"ready\"");
    b.expect_event("joined").await;
}

#[tokio::test]
async fn closing_the_socket_tells_the_peer_peer_left_and_the_stayer_initiates_next() {
    let relay = Relay::start(&[]);
    let name = room("left");
    let (a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    drop(a);
    assert_eq!(b.expect_event("peer-left").await["room"], name.as_str());

    // The stayer is now the one waiting: the next joiner answers to it.
    let (_c, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined["type"], "joined");
    b.expect_event("peer-joined").await;
}

#[tokio::test]
async fn bye_is_relayed_then_peer_left_and_the_sender_may_join_again() {
    let relay = Relay::start(&[]);
    let name = room("bye");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;

    b.send(r#"{"type":"bye"}"#).await;
    assert_eq!(a.recv_text().await, r#"{"type":"bye"}"#);
    a.expect_event("peer-left").await;

    // b's socket stayed open; it is out of the room, so relaying fails...
    b.send("\"ready\"").await;
    b.expect_error("not_joined").await;
    // ...until it joins again, as the answerer to a, who stayed.
    b.send(&join(&name)).await;
    b.expect_event("joined").await;
    a.expect_event("peer-joined").await;
}

#[tokio::test]
async fn rooms_do_not_hear_each_other() {
    let relay = Relay::start(&[]);
    let (first, second) = (room("one"), room("two"));
    let (mut a1, _) = Client::joined(&relay, &first).await;
    let (mut b1, _) = Client::joined(&relay, &first).await;
    let (mut a2, _) = Client::joined(&relay, &second).await;
    let (mut b2, _) = Client::joined(&relay, &second).await;
    a1.expect_event("peer-joined").await;
    a2.expect_event("peer-joined").await;

    b1.send(r#"{"type":"offer","sdp":"one"}"#).await;
    b2.send(r#"{"type":"offer","sdp":"two"}"#).await;
    assert_eq!(a1.recv_text().await, r#"{"type":"offer","sdp":"one"}"#);
    assert_eq!(a2.recv_text().await, r#"{"type":"offer","sdp":"two"}"#);
    drop(b1);
    a1.expect_event("peer-left").await;
    a2.expect_silence(Duration::from_millis(300)).await;
}
