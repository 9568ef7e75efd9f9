//! Heartbeat: a client that stops answering pings is dropped, its peer told.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Relay, room};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_client_that_stops_answering_pings_is_dropped_and_its_peer_told_peer_left() {
    let relay = Relay::start(&[
        "--heartbeat-interval-ms",
        "100",
        "--heartbeat-timeout-ms",
        "400",
    ]);
    let name = room("heartbeat");
    let (mut alive, _) = Client::joined(&relay, &name).await;
    // `silent` never reads again, so it never answers a ping: a crashed phone.
    let (mut silent, _) = Client::joined(&relay, &name).await;
    alive.expect_event("peer-joined").await;
    silent.send("\"ready\"").await;
    assert_eq!(alive.recv_text().await, "\"ready\"");

    let started = Instant::now();
    alive.expect_event("peer-left").await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "dropped too early: {waited:?}"
    );

    // `alive` answered every ping while it waited and is still in the room.
    let (_next, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined["type"], "joined");
    alive.expect_event("peer-joined").await;
    // The silent one's socket is gone.
    let _ = silent.ws.send(Message::text("\"ready\"")).await;
    assert!(silent.next_message(Duration::from_secs(2)).await.is_none());
}

#[tokio::test]
async fn a_client_that_answers_pings_stays_connected_past_the_timeout() {
    let relay = Relay::start(&[
        "--heartbeat-interval-ms",
        "100",
        "--heartbeat-timeout-ms",
        "300",
    ]);
    let name = room("steady");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    // Both read (and so answer pings) for three timeouts.
    let (quiet_a, quiet_b) = tokio::join!(
        a.next_message(Duration::from_millis(900)),
        b.next_message(Duration::from_millis(900))
    );
    assert!(
        quiet_a.is_none() && quiet_b.is_none(),
        "no peer-left, no close"
    );
    b.send("\"ready\"").await;
    assert_eq!(a.recv_text().await, "\"ready\"");
}
