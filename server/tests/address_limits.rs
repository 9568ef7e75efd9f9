//! Per-address limits (every test client comes from 127.0.0.1): connections
//! at once, joins per second, and the relay's cap on rooms.

mod common;

use std::time::{Duration, Instant};

use common::{Client, PATIENCE, Relay, join, room};
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

#[tokio::test]
async fn connections_beyond_the_per_address_limit_get_429_until_one_closes() {
    let relay = Relay::start(&["--max-connections-per-address", "2"]);
    let mut first = Client::connect(&relay).await;
    let _second = Client::connect(&relay).await;
    match tokio_tungstenite::connect_async(relay.ws_url()).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 429),
        other => panic!("expected HTTP 429, got {other:?}"),
    }
    // The relay frees the address's place before it lets the socket go.
    first.ws.close(None).await.expect("the close frame is sent");
    first.expect_gone().await;
    let admitted = tokio_tungstenite::connect_async(relay.ws_url()).await;
    assert!(admitted.is_ok(), "a freed place: {:?}", admitted.err());
}

#[tokio::test]
async fn joins_beyond_the_per_address_burst_are_rate_limited_then_allowed_again() {
    let relay = Relay::start(&["--join-burst", "3", "--joins-per-second", "5"]);
    let mut clients = Vec::new();
    for _ in 0..3 {
        let (client, answer) = Client::joined(&relay, &room("burst")).await;
        assert_eq!(answer["type"], "created");
        clients.push(client);
    }
    // A fourth join from the same address, on another connection.
    let mut late = Client::connect(&relay).await;
    let name = room("late");
    late.send(&join(&name)).await;
    late.expect_error("rate_limited").await;
    // The connection stays, and the bucket refills at 5 joins a second: a
    // client that retries as a person would (every 250 ms) is let in.
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < deadline, "the join bucket never refilled");
        tokio::time::sleep(Duration::from_millis(250)).await;
        late.send(&join(&name)).await;
        let answer = late.recv_json().await;
        if answer["type"] == "created" {
            break;
        }
        assert_eq!(answer["code"], "rate_limited", "unexpected answer {answer}");
    }
}

#[tokio::test]
async fn a_connection_that_keeps_joining_after_refusals_is_closed_with_1008() {
    let relay = Relay::start(&["--join-burst", "1", "--joins-per-second", "1"]);
    let (_first, answer) = Client::joined(&relay, &room("storm")).await;
    assert_eq!(answer["type"], "created");
    // A join storm: refused with a word, and the third refusal in a row
    // ends the connection.
    let mut storm = Client::connect(&relay).await;
    for _ in 0..3 {
        storm.send(&join(&room("storm"))).await;
    }
    storm.expect_error("rate_limited").await;
    assert_eq!(storm.expect_close().await.code, CloseCode::Policy);
}

#[tokio::test]
async fn a_join_opening_a_room_beyond_the_cap_is_relay_busy_but_existing_rooms_fill() {
    let relay = Relay::start(&["--max-rooms", "2"]);
    let (first, second) = (room("cap"), room("cap"));
    let (mut a, _) = Client::joined(&relay, &first).await;
    let (mut b, _) = Client::joined(&relay, &second).await;

    let mut c = Client::connect(&relay).await;
    let third = room("cap");
    c.send(&join(&third)).await;
    c.expect_error("relay_busy").await;
    // Joining a room that exists opens none.
    let (_d, answer) = Client::joined(&relay, &first).await;
    assert_eq!(answer["type"], "joined");
    a.expect_event("peer-joined").await;

    // Once a room empties, a new one may open, on the same connection. The
    // relay takes a member out of its room before it closes the socket.
    b.ws.close(None).await.expect("the close frame is sent");
    b.expect_gone().await;
    c.send(&join(&third)).await;
    c.expect_event("created").await;
}
