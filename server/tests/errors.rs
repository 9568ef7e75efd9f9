//! Every error code, and that the connection survives all but too_large and
//! repeated rate_limited.

mod common;

use std::time::Duration;

use common::{Client, Relay, join, room};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use videochat_protocol::MAX_MESSAGE_BYTES;

/// After an error the connection still works: it can join and be answered.
async fn still_usable(client: &mut Client) {
    client.send(&join(&room("after-error"))).await;
    client.expect_event("created").await;
}

#[tokio::test]
async fn malformed_json_is_bad_json_and_the_connection_stays_open() {
    let relay = Relay::start(&[]);
    let mut client = Client::connect(&relay).await;
    for frame in [
        "{not json",
        "",
        r#"{"type":"join"}"#,
        r#"{"type":"join","room":7}"#,
    ] {
        client.send(frame).await;
        client.expect_error("bad_json").await;
    }
    still_usable(&mut client).await;
}

#[tokio::test]
async fn a_text_frame_of_invalid_utf8_is_bad_json_then_closed_with_1007() {
    let relay = Relay::start(&[]);
    let name = room("utf8");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    // A raw text frame: `Message::Text` cannot hold invalid UTF-8.
    let not_utf8 = Frame::message(
        b"{\"type\":\"\xff\xfe\"}".to_vec(),
        OpCode::Data(Data::Text),
        true,
    );
    b.ws.send(Message::Frame(not_utf8))
        .await
        .expect("frame sent");
    b.expect_error("bad_json").await;
    // tokio-tungstenite ends its stream after a read error, so the relay
    // cannot keep reading this socket: it closes with 1007.
    assert_eq!(b.expect_close().await.code, CloseCode::Invalid);
    // The peer is told, and never sees the broken frame.
    a.expect_event("peer-left").await;
}

#[tokio::test]
async fn binary_frames_are_bad_json() {
    let relay = Relay::start(&[]);
    let mut client = Client::connect(&relay).await;
    client
        .ws
        .send(Message::binary(
            b"{\"type\":\"join\",\"room\":\"x\"}".to_vec(),
        ))
        .await
        .expect("frame sent");
    client.expect_error("bad_json").await;
    still_usable(&mut client).await;
}

#[tokio::test]
async fn relay_event_types_from_a_client_are_refused_as_bad_json_not_forwarded() {
    let relay = Relay::start(&[]);
    let name = room("spoof");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    for kind in [
        "created",
        "joined",
        "resumed",
        "peer-joined",
        "peer-left",
        "peer-away",
        "peer-back",
        "full",
        "error",
    ] {
        b.send(&format!(r#"{{"type":"{kind}","room":"{name}"}}"#))
            .await;
        b.expect_error("bad_json").await;
    }
    a.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn an_oversize_frame_is_too_large_and_closes_with_1009() {
    let relay = Relay::start(&[]);
    let name = room("big");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    let oversize = format!(
        r#"{{"type":"offer","sdp":"{}"}}"#,
        "a".repeat(MAX_MESSAGE_BYTES)
    );
    b.send(&oversize).await;
    b.expect_error("too_large").await;
    assert_eq!(b.expect_close().await.code, CloseCode::Size);
    // The peer is told, and never sees the oversize frame.
    a.expect_event("peer-left").await;
}

#[tokio::test]
async fn bad_room_names_are_bad_room() {
    let relay = Relay::start(&[]);
    let mut client = Client::connect(&relay).await;
    let too_long = "r".repeat(65);
    for name in ["", "has space", "slash/room", "émoji", too_long.as_str()] {
        client.send(&join(name)).await;
        client.expect_error("bad_room").await;
    }
    // The longest legal name is fine.
    client.send(&join(&"R".repeat(64))).await;
    client.expect_event("created").await;
}

#[tokio::test]
async fn relaying_or_bye_before_join_is_not_joined() {
    let relay = Relay::start(&[]);
    let mut client = Client::connect(&relay).await;
    for frame in [
        "\"ready\"",
        r#"{"type":"offer","sdp":"x"}"#,
        r#"{"type":"bye"}"#,
    ] {
        client.send(frame).await;
        client.expect_error("not_joined").await;
    }
    still_usable(&mut client).await;
}

#[tokio::test]
async fn joining_twice_is_already_joined() {
    let relay = Relay::start(&[]);
    let name = room("twice");
    let (mut client, _) = Client::joined(&relay, &name).await;
    client.send(&join(&name)).await;
    client.expect_error("already_joined").await;
    client.send(&join(&room("other"))).await;
    client.expect_error("already_joined").await;
}

#[tokio::test]
async fn a_flood_is_rate_limited_and_repeated_offence_closes_with_1008() {
    let relay = Relay::start(&[]);
    let (mut client, _) = Client::joined(&relay, &room("flood")).await;
    // Alone in the room, relayed frames are dropped: the only answers are errors.
    for _ in 0..210 {
        client
            .ws
            .feed(Message::text("\"ready\""))
            .await
            .expect("frame queued");
    }
    client.ws.flush().await.expect("frames sent");
    client.expect_error("rate_limited").await;
    assert_eq!(client.expect_close().await.code, CloseCode::Policy);
}

/// Sends `count` offers of 60 KB at once.
async fn send_large_offers(client: &mut Client, count: usize) {
    let large = format!(r#"{{"type":"offer","sdp":"{}"}}"#, "s".repeat(60_000));
    for _ in 0..count {
        client
            .ws
            .feed(Message::text(large.as_str()))
            .await
            .expect("frame queued");
    }
    client.ws.flush().await.expect("frames sent");
}

#[tokio::test]
async fn large_frames_beyond_the_byte_budget_are_rate_limited_though_few() {
    let relay = Relay::start(&[]);
    let (mut client, _) = Client::joined(&relay, &room("bytes")).await;
    // Far under the frame burst (200), over the byte burst (256 KiB).
    send_large_offers(&mut client, 10).await;
    client.expect_error("rate_limited").await;
    assert_eq!(client.expect_close().await.code, CloseCode::Policy);
}

#[tokio::test]
async fn a_negotiation_sized_burst_of_bytes_is_not_rate_limited() {
    let relay = Relay::start(&[]);
    let (mut client, _) = Client::joined(&relay, &room("sdp")).await;
    // Four of the largest frames (an offer, an answer, ICE restarts).
    send_large_offers(&mut client, 4).await;
    client.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_burst_within_the_limit_is_not_rate_limited() {
    let relay = Relay::start(&[]);
    let (mut client, _) = Client::joined(&relay, &room("burst")).await;
    for _ in 0..150 {
        client
            .ws
            .feed(Message::text("\"ready\""))
            .await
            .expect("frame queued");
    }
    client.ws.flush().await.expect("frames sent");
    client.expect_silence(Duration::from_millis(300)).await;
}

/// A WebSocket to node one of `relay` from the loopback address `ip`.
async fn connect_from(
    relay: &Relay,
    ip: &str,
) -> Result<Client<tokio::net::TcpStream>, Box<dyn std::error::Error>> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(format!("{ip}:0").parse()?)?;
    let tcp = socket.connect(relay.addr).await?;
    let url = format!("ws://{}{}", relay.addr, videochat_protocol::WS_PATH);
    let (ws, _) = tokio_tungstenite::client_async(url, tcp).await?;
    Ok(Client { ws })
}

#[tokio::test]
async fn an_address_dropped_three_times_for_abuse_is_refused_at_connect_and_others_are_not() {
    let relay = Relay::start(&[]);
    let oversize = format!(
        r#"{{"type":"offer","sdp":"{}"}}"#,
        "a".repeat(MAX_MESSAGE_BYTES)
    );
    for _ in 0..3 {
        let mut abuser = connect_from(&relay, "127.0.0.3").await.expect("admitted");
        abuser.send(&join(&room("abuse"))).await;
        abuser.expect_event("created").await;
        abuser.send(&oversize).await;
        abuser.expect_error("too_large").await;
        // Counted before the relay closes the socket.
        abuser.expect_gone().await;
    }
    let refused = connect_from(&relay, "127.0.0.3").await;
    assert!(refused.is_err(), "the barred address got a WebSocket");
    let mut neighbour = connect_from(&relay, "127.0.0.4").await.expect("admitted");
    neighbour.send(&join(&room("neighbour"))).await;
    neighbour.expect_event("created").await;
}
