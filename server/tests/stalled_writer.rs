//! A client that keeps sending but never reads is dropped once the relay's
//! writes to it have made no progress for the heartbeat timeout: its own
//! frames keep the heartbeat watchdog happy, so only the write side can
//! tell.

mod common;

use std::time::{Duration, Instant};

use common::{Client, PATIENCE, Relay, room};
use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

const TIMEOUT: Duration = Duration::from_millis(1000);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_but_never_reads_is_dropped_when_writes_stall() {
    let relay = Relay::start(&[
        "--heartbeat-interval-ms",
        "100",
        "--heartbeat-timeout-ms",
        "1000",
        // The byte bound must not be what drops it, nor the sender's byte
        // budget what stops the flood.
        "--queue-bytes",
        "1000000000",
        "--rate-bytes-burst",
        "4000000000",
        "--rate-bytes-per-second",
        "4000000000",
    ]);
    let name = room("stalled");
    let (mut reader, _) = Client::joined(&relay, &name).await;
    let (mut stalled, _) = Client::joined(&relay, &name).await;
    reader.expect_event("peer-joined").await;

    // `stalled` sends a frame every 100 ms and never reads.
    let sender = tokio::spawn(async move {
        let started = Instant::now();
        while started.elapsed() < PATIENCE * 2 {
            if stalled.ws.send(Message::text("\"ready\"")).await.is_err() {
                return (started.elapsed(), true);
            }
            // Pacing, not waiting for anything.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        (started.elapsed(), false)
    });

    // 150 frames of 60 KB (9 MB): more than the socket buffers take, fewer
    // than the 256 the queue holds, so only a stalled write can drop it.
    let offer = format!(r#"{{"type":"offer","sdp":"{}"}}"#, "s".repeat(60_000));
    for _ in 0..150 {
        reader
            .ws
            .feed(Message::text(offer.as_str()))
            .await
            .expect("frame queued");
    }
    reader.ws.flush().await.expect("frames sent");
    let flooded = Instant::now();

    // The reader hears the stalled one's frames, then peer-left.
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(
            Instant::now() < deadline,
            "the stalled client was never dropped"
        );
        let text = reader.recv_text().await;
        if text.contains("peer-left") {
            break;
        }
        assert_eq!(
            text, "\"ready\"",
            "only the stalled one's frames come first"
        );
    }
    let waited = flooded.elapsed();
    eprintln!("stalled writer dropped {waited:?} after the flood");
    assert!(waited >= TIMEOUT / 2, "dropped too early: {waited:?}");
    let (sent_for, send_failed) = sender.await.expect("the sender ends");
    assert!(send_failed, "the relay closed the stalled client's socket");
    assert!(sent_for >= waited, "it was sending until it was dropped");
}
