//! Heartbeat: a client that stops answering pings is dropped, its peer told.
//!
//! The relay pings every 100 ms and gives up after 1 s of silence: ten pings
//! per timeout, so a client that reads answers in time even on a loaded
//! machine, and a drop earlier than half the timeout cannot be mistaken for
//! a heartbeat drop.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Relay, room};

const HEARTBEAT: [&str; 4] = [
    "--heartbeat-interval-ms",
    "100",
    "--heartbeat-timeout-ms",
    "1000",
];
const TIMEOUT: Duration = Duration::from_millis(1000);

#[tokio::test]
async fn a_client_that_stops_answering_pings_is_dropped_and_its_peer_told_peer_left() {
    let relay = Relay::start(&HEARTBEAT);
    let name = room("heartbeat");
    let (mut alive, _) = Client::joined(&relay, &name).await;
    // `silent` never reads again, so it never answers a ping: a crashed phone.
    let (mut silent, _) = Client::joined(&relay, &name).await;
    alive.expect_event("peer-joined").await;
    silent.send("\"ready\"").await;
    assert_eq!(alive.recv_text().await, "\"ready\"");

    // The relay heard `silent` last just before `alive` got its `ready`.
    let started = Instant::now();
    alive.expect_event("peer-left").await;
    let waited = started.elapsed();
    assert!(waited >= TIMEOUT / 2, "dropped too early: {waited:?}");

    // `alive` answered every ping while it waited and is still in the room.
    let (_next, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined["type"], "joined");
    alive.expect_event("peer-joined").await;
    // The silent one's socket is gone.
    silent.expect_gone().await;
}

#[tokio::test]
async fn a_client_that_answers_pings_stays_connected_past_the_timeout() {
    let relay = Relay::start(&HEARTBEAT);
    let name = room("steady");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    // Both only read (and so answer pings) for two and a half timeouts:
    // no peer-left, no close.
    let quiet = TIMEOUT * 5 / 2;
    tokio::join!(a.expect_silence(quiet), b.expect_silence(quiet));
    b.send("\"ready\"").await;
    assert_eq!(a.recv_text().await, "\"ready\"");
}
