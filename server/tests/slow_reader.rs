//! A client that does not read is dropped, not buffered for without limit.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Relay, room};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_is_dropped_and_its_peer_told_peer_left() {
    let relay = Relay::start(&[]);
    let name = room("slow");
    // `slow` reads its `created` and then nothing more.
    let (slow, _) = Client::joined(&relay, &name).await;
    let (fast, _) = Client::joined(&relay, &name).await;
    let (mut sink, mut stream) = fast.ws.split();

    // Watch what the relay tells the sender until it reports peer-left.
    let watcher = tokio::spawn(async move {
        let mut rate_limited = false;
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                rate_limited |= text.contains("rate_limited");
                if text.contains("peer-left") {
                    return (true, rate_limited, stream);
                }
            }
        }
        (false, rate_limited, stream)
    });

    // Big offers at a pace the rate limit allows: a burst, then 40 a second.
    let offer = format!(r#"{{"type":"offer","sdp":"{}"}}"#, "s".repeat(60_000));
    let started = Instant::now();
    let mut sent = 0u32;
    while !watcher.is_finished() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the slow reader was never dropped"
        );
        sink.send(Message::text(offer.as_str()))
            .await
            .expect("the relay keeps reading");
        sent += 1;
        if sent >= 150 {
            // Pacing, not waiting for anything: 40 a second stays under the rate limit.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    let (peer_left, rate_limited, stream) = watcher.await.expect("the watcher ends");
    eprintln!(
        "slow reader dropped after {sent} frames in {:?}",
        started.elapsed()
    );
    assert!(peer_left, "the sender is told its peer left");
    assert!(!rate_limited, "the sender stayed within the rate limit");

    // The sender stayed in the room; the slow reader is out of it.
    let mut fast = Client {
        ws: sink.reunite(stream).expect("halves of one socket"),
    };
    let (_next, joined) = Client::joined(&relay, &name).await;
    assert_eq!(joined["type"], "joined");
    fast.expect_event("peer-joined").await;
    drop(slow);
}
