//! Verbatim relay of every message of the tutorial the protocol comes from (docs/protocol.md), both ways.

mod common;

use std::time::Duration;

use common::{Client, Relay, room};
use videochat_protocol::MAX_MESSAGE_BYTES;

/// An SDP body in the browser's shape (CRLF line ends, a unicode session name).
const SDP: &str = "v=0\\r\\no=- 4611731400430051336 2 IN IP4 127.0.0.1\\r\\ns=Ünïcode\\r\\nt=0 0\\r\\na=group:BUNDLE 0 1\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\na=mid:0\\r\\n";

async fn pair() -> (Relay, Client, Client) {
    let relay = Relay::start(&[]);
    let name = room("relay");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    (relay, a, b)
}

#[tokio::test]
async fn every_tutorial_message_is_relayed_byte_for_byte_in_both_directions() {
    let (_relay, mut a, mut b) = pair().await;
    let offer = format!(r#"{{"type":"offer","sdp":"{SDP}"}}"#);
    // Odd spacing and key order: the relay must not re-serialize.
    let answer = format!(r#"{{ "sdp" : "{SDP}",  "type":"answer" }}"#);
    let messages_from_b = [
        "\"ready\"".to_owned(),
        answer,
        r#"{"type":"candidate","label":0,"id":"0","candidate":"candidate:842163049 1 udp 1677729535 192.0.2.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0"}"#.to_owned(),
    ];
    let messages_from_a = [
        "\"ready\"".to_owned(),
        offer,
        // A browser's `RTCIceCandidate.toJSON()` shape, and an end-of-candidates marker.
        r#"{"type":"candidate","candidate":"candidate:1 1 UDP 2122252543 198.51.100.3 50000 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"abcd"}"#.to_owned(),
        r#"{"type":"candidate","label":1,"id":"1","candidate":""}"#.to_owned(),
        // Unknown types are relayed too: peers ignore what they do not know.
        r#"{"type":"mute","audio":true}"#.to_owned(),
        r#"{"type":"bye"}"#.to_owned(),
    ];
    for message in &messages_from_b {
        b.send(message).await;
        assert_eq!(&a.recv_text().await, message);
    }
    for message in &messages_from_a {
        a.send(message).await;
        assert_eq!(&b.recv_text().await, message);
    }
    b.expect_event("peer-left").await;
}

#[tokio::test]
async fn a_burst_of_candidates_arrives_complete_and_in_order() {
    let (_relay, mut a, mut b) = pair().await;
    let candidates: Vec<String> = (0..150)
        .map(|i| format!(r#"{{"type":"candidate","label":0,"id":"0","candidate":"candidate:{i} 1 udp 2122260223 10.0.0.1 {} typ host"}}"#, 40000 + i))
        .collect();
    for candidate in &candidates {
        a.send(candidate).await;
    }
    for candidate in &candidates {
        assert_eq!(&b.recv_text().await, candidate);
    }
}

#[tokio::test]
async fn a_frame_of_exactly_the_size_limit_is_relayed() {
    let (_relay, mut a, mut b) = pair().await;
    let padding = MAX_MESSAGE_BYTES - r#"{"type":"offer","sdp":""}"#.len();
    let offer = format!(r#"{{"type":"offer","sdp":"{}"}}"#, "a".repeat(padding));
    assert_eq!(offer.len(), MAX_MESSAGE_BYTES);
    a.send(&offer).await;
    assert_eq!(b.recv_text().await, offer);
}

#[tokio::test]
async fn a_frame_sent_while_alone_is_dropped_not_delivered_later() {
    let relay = Relay::start(&[]);
    let name = room("alone");
    let (mut a, _) = Client::joined(&relay, &name).await;
    a.send("\"ready\"").await;
    a.expect_silence(Duration::from_millis(200)).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    b.expect_silence(Duration::from_millis(300)).await;
}
