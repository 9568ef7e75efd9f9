//! The security code against a man in the middle: a malicious relay that
//! hands each of two callers to an impostor with certificates of its own,
//! and the same call without it. Real processes: the relay, four
//! `videochat-peer`s and the malicious relay in front, over loopback.
//!
//! Alice and Bob connect to the malicious relay and join room R; it passes
//! Alice's join on to the real relay as R-0 and Bob's as R-1, where Mallory's
//! two peers wait. Each caller finishes the exchange with Mallory (he runs it
//! honestly on each side: he cannot do better), and Alice's and Bob's codes
//! differ: reading them to each other exposes him. (They could match by
//! chance one call in a million; that is the scheme's bound.)

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use videochat_e2e::{Process, Relay, bin_path, joined_role};
use videochat_protocol::RoomId;

const EXIT_DEADLINE: Duration = Duration::from_secs(60);
const JOIN_DEADLINE: Duration = Duration::from_secs(10);

/// Forwards every client to `upstream`, renaming the room of its `join` to
/// `ROOM-N` (N: the order clients connected in).
async fn splitting_relay(listener: TcpListener, upstream: String) {
    let clients = Arc::new(AtomicUsize::new(0));
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            return;
        };
        let index = clients.fetch_add(1, Ordering::SeqCst);
        let upstream = upstream.clone();
        tokio::spawn(async move {
            let client = tokio_tungstenite::accept_async(tcp)
                .await
                .expect("a WebSocket");
            let (relay, _) = tokio_tungstenite::connect_async(upstream)
                .await
                .expect("the real relay");
            let (mut to_client, mut from_client) = client.split();
            let (mut to_relay, mut from_relay) = relay.split();
            let up = async {
                while let Some(Ok(message)) = from_client.next().await {
                    let message = match &message {
                        Message::Text(text) => Message::text(rename_room(text, index)),
                        _ => message,
                    };
                    if to_relay.send(message).await.is_err() {
                        return;
                    }
                }
            };
            let down = async {
                while let Some(Ok(message)) = from_relay.next().await {
                    if to_client.send(message).await.is_err() {
                        return;
                    }
                }
            };
            tokio::select! { () = up => {}, () = down => {} }
        });
    }
}

/// A `join`'s room with `-index` appended; any other frame as it is.
fn rename_room(text: &str, index: usize) -> String {
    let mut value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if value["type"] != "join" {
        return text.to_owned();
    }
    let room = value["room"].as_str().unwrap_or_default();
    value["room"] = Value::from(format!("{room}-{index}"));
    value.to_string()
}

fn peer(name: &str, url: &str, room: &str) -> Process {
    let mut command = Command::new(bin_path("videochat-peer"));
    command.args(["--server", url, "--room", room, "--loopback", "--json"]);
    command.args(["--frames", "20", "--size", "320x240", "--timeout-s", "40"]);
    Process::spawn(name, command)
}

/// Runs the peer to its end; its settled security code.
fn code(peer: Process) -> String {
    let (ok, report) = peer.finish(EXIT_DEADLINE);
    assert!(ok, "{report}");
    assert_eq!(report["security"], "ready", "{report}");
    report["security_code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code: {report}"))
        .to_owned()
}

#[test]
fn a_relay_in_the_middle_shows_the_two_callers_different_codes() {
    let relay = Relay::start();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("a port");
    let malicious = format!("ws://{}/ws", listener.local_addr().expect("bound"));
    runtime.spawn(splitting_relay(listener, relay.ws_url()));
    let room = RoomId::random();
    let room = room.as_str();

    // Alice connects first, then Bob: the order names the rooms.
    let mut alice = peer("Alice", &malicious, room);
    alice.wait_for_stderr(JOIN_DEADLINE, "Alice joined", joined_role);
    let mut bob = peer("Bob", &malicious, room);
    bob.wait_for_stderr(JOIN_DEADLINE, "Bob joined", joined_role);
    let mallory_to_alice = peer("Mallory to Alice", &relay.ws_url(), &format!("{room}-0"));
    let mallory_to_bob = peer("Mallory to Bob", &relay.ws_url(), &format!("{room}-1"));

    let (alice, bob) = (code(alice), code(bob));
    let (with_alice, with_bob) = (code(mallory_to_alice), code(mallory_to_bob));
    assert_eq!(alice, with_alice, "Alice's call with Mallory completed");
    assert_eq!(bob, with_bob, "Bob's call with Mallory completed");
    assert_ne!(alice, bob, "the two callers read different codes");
}

#[test]
fn the_same_call_without_the_relay_in_the_middle_shows_equal_codes() {
    let relay = Relay::start();
    let room = RoomId::random();
    let mut alice = peer("Alice", &relay.ws_url(), room.as_str());
    alice.wait_for_stderr(JOIN_DEADLINE, "Alice joined", joined_role);
    let bob = peer("Bob", &relay.ws_url(), room.as_str());
    assert_eq!(code(alice), code(bob));
}
