//! What the other side is told of a peer's microphone and camera (the `media`
//! message): the core's `videochat-peer` against a raw WebSocket client that
//! reads its frames, and two `videochat-peer`s in a real call, all through the
//! real relay process.

use std::process::Command;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use videochat_e2e::{Process, Relay, bin_path};
use videochat_protocol::RoomId;

/// A relay round trip and a peer's start take well under this; it only bounds a hang.
const DEADLINE: Duration = Duration::from_secs(15);
/// Beyond a peer's own `--timeout-s` and linger.
const EXIT_DEADLINE: Duration = Duration::from_secs(60);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

fn peer(name: &str, relay: &Relay, room: &RoomId, extra: &[&str]) -> Process {
    let mut command = Command::new(bin_path("videochat-peer"));
    command
        .args(["--server", &relay.ws_url(), "--room", room.as_str()])
        .args(["--loopback", "--json"])
        .args(extra);
    Process::spawn(name, command)
}

/// The next JSON frame the raw client receives (pings are answered by the library).
async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let frame = timeout(DEADLINE, socket.next())
            .await
            .expect("a frame within the deadline")
            .expect("the socket stays open")
            .expect("a readable frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).expect("the relay forwards JSON");
        }
    }
}

async fn send_json(socket: &mut Socket, value: Value) {
    socket
        .send(Message::text(value.to_string()))
        .await
        .expect("the relay takes the frame");
}

/// The peer's `remote-media` progress event, as `{audio, video}`.
fn remote_media(line: &str) -> Option<Value> {
    let event: Value = serde_json::from_str(line).ok()?;
    (event["event"] == "remote-media")
        .then(|| json!({"audio": event["audio"], "video": event["video"]}))
}

#[test]
fn a_muted_peer_with_its_camera_off_tells_whoever_joins_and_hears_their_state() {
    let relay = Relay::start();
    let room = RoomId::random();
    let runtime = Runtime::new().expect("a runtime for the raw client");
    let mut client = runtime.block_on(async {
        let (mut socket, _) = tokio_tungstenite::connect_async(relay.ws_url())
            .await
            .expect("the relay accepts a WebSocket");
        send_json(&mut socket, json!({"type": "join", "room": room.as_str()})).await;
        assert_eq!(next_json(&mut socket).await["type"], "created");
        socket
    });

    let mut muted = peer("muted peer", &relay, &room, &["--muted", "--video-off"]);
    // What the peer sends the one waiting: its call id first, then (with ready) its state.
    let told: Vec<Value> = runtime.block_on(async {
        assert_eq!(next_json(&mut client).await["type"], "peer-joined");
        let mut told = Vec::new();
        loop {
            let frame = next_json(&mut client).await;
            let done = frame["type"] == "media";
            told.push(frame);
            if done {
                return told;
            }
        }
    });
    assert_eq!(
        told[0]["type"], "call-id",
        "the call id goes first: {told:?}"
    );
    assert_eq!(
        told.last(),
        Some(&json!({"type": "media", "audio": false, "video": false})),
        "{told:?}"
    );

    // The other side mutes: the peer reports it (through its CallObserver).
    runtime.block_on(send_json(
        &mut client,
        json!({"type": "media", "audio": false, "video": true}),
    ));
    let heard = muted.wait_for_stderr(DEADLINE, "remote-media event", remote_media);
    assert_eq!(heard, json!({"audio": false, "video": true}));
    runtime.block_on(send_json(
        &mut client,
        json!({"type": "media", "audio": true, "video": true}),
    ));
    let heard = muted.wait_for_stderr(DEADLINE, "remote-media event", remote_media);
    assert_eq!(heard, json!({"audio": true, "video": true}));
}

#[test]
fn in_a_call_the_other_peer_learns_that_one_is_muted_and_nothing_else() {
    let relay = Relay::start();
    let room = RoomId::random();
    let a = peer(
        "muted peer A",
        &relay,
        &room,
        &["--muted", "--frames", "30"],
    );
    let b = peer("peer B", &relay, &room, &["--frames", "30"]);
    let (a_ok, a_report) = a.finish(EXIT_DEADLINE);
    let (b_ok, b_report) = b.finish(EXIT_DEADLINE);
    assert!(a_ok, "peer A failed: {a_report}");
    assert!(b_ok, "peer B failed: {b_report}");
    assert_eq!(
        b_report["remote_media"],
        json!([{"audio": false, "video": true}]),
        "B is told once that A is muted: {b_report}"
    );
    assert_eq!(
        a_report["remote_media"],
        json!([]),
        "B never muted, so A hears nothing new: {a_report}"
    );
}
