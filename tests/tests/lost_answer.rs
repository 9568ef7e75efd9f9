//! A lost answer: two `videochat-peer`s call through a relay that drops the
//! first answer on its way (as a socket dying with a frame in flight does).
//! The initiator sends its offer again when no answer came in time, the
//! answerer answers the repeated offer with its answer again, and the call
//! connects, a few seconds late, with one negotiation.

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use videochat_e2e::{Process, bin_path};

/// Two members, forwarded verbatim, except the first answer.
async fn dropping_relay(listener: TcpListener, dropped: Arc<AtomicUsize>) {
    let (to_first, first_rx) = mpsc::unbounded_channel::<Message>();
    let (to_second, second_rx) = mpsc::unbounded_channel::<Message>();
    let event = |kind: &str| Message::text(format!(r#"{{"type":"{kind}","room":"r"}}"#));
    let mut outboxes = [Some(first_rx), Some(second_rx)];
    let senders = [to_first, to_second];
    for me in 0..2 {
        let (tcp, _) = listener.accept().await.expect("a peer connects");
        let socket = tokio_tungstenite::accept_async(tcp)
            .await
            .expect("a WebSocket");
        let (mut sink, mut stream) = socket.split();
        let mut outbox = outboxes[me].take().expect("one outbox each");
        let (mine, other) = (senders[me].clone(), senders[1 - me].clone());
        let dropped = dropped.clone();
        tokio::spawn(async move {
            while let Some(message) = outbox.recv().await {
                if sink.send(message).await.is_err() {
                    return;
                }
            }
        });
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = &message else {
                    continue;
                };
                let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                match value["type"].as_str() {
                    Some("join") if me == 0 => {
                        let _ = mine.send(event("created"));
                    }
                    Some("join") => {
                        let _ = mine.send(event("joined"));
                        let _ = other.send(event("peer-joined"));
                    }
                    Some("answer") if dropped.fetch_add(1, Ordering::SeqCst) == 0 => {}
                    _ => {
                        let _ = other.send(message);
                    }
                }
            }
        });
    }
}

fn peer(name: &str, url: &str) -> Process {
    let mut command = Command::new(bin_path("videochat-peer"));
    command.args(["--server", url, "--room", "r", "--loopback", "--json"]);
    command.args(["--frames", "30", "--size", "320x240", "--timeout-s", "40"]);
    Process::spawn(name, command)
}

#[test]
fn a_lost_answer_is_recovered_by_sending_the_offer_again() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let listener = runtime
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("a port");
    let url = format!("ws://{}/ws", listener.local_addr().expect("bound"));
    let dropped = Arc::new(AtomicUsize::new(0));
    runtime.spawn(dropping_relay(listener, dropped.clone()));

    let initiator = peer("initiator", &url);
    // Joined second, so the roles are known.
    let mut initiator = initiator;
    initiator.wait_for_stderr(
        Duration::from_secs(10),
        "joined",
        videochat_e2e::joined_role,
    );
    let answerer = peer("answerer", &url);
    let (initiator_ok, initiator) = initiator.finish(Duration::from_secs(60));
    let (answerer_ok, answerer) = answerer.finish(Duration::from_secs(60));
    assert!(initiator_ok, "{initiator}");
    assert!(answerer_ok, "{answerer}");
    assert!(
        dropped.load(Ordering::SeqCst) >= 2,
        "the relay dropped the first answer and saw another"
    );
    let number = |r: &Value, key: &str| r[key].as_u64().unwrap_or_else(|| panic!("{key}: {r}"));
    // One negotiation: the answer was sent again, not made again.
    assert_eq!(number(&initiator, "offers_created"), 1, "{initiator}");
    assert_eq!(number(&answerer, "answers_created"), 1, "{answerer}");
    // It waited for the answer timeout (4 s) before sending the offer again.
    assert!(number(&initiator, "first_frame_ms") >= 4000, "{initiator}");
}
