//! A client that does not read is dropped, not buffered for without limit:
//! its queue is bounded in frames and in bytes.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Relay, room, scrape};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

/// The queue bounds are under test, not the byte budget a sender has (which
/// stops a single sender long before: `errors.rs`).
const UNLIMITED_BYTES: [&str; 4] = [
    "--rate-bytes-burst",
    "4000000000",
    "--rate-bytes-per-second",
    "4000000000",
];

/// What the sender saw while it fed a peer that never reads.
struct Flood {
    /// Frames sent until the relay said `peer-left`.
    sent: u32,
    rate_limited: bool,
}

/// Joins a client that never reads after `created`, and a sender that sends
/// it 60 KB offers (within the rate limit: `burst` at once, then 40 a second)
/// until the relay tells the sender `peer-left`. Then checks the sender is
/// still in the room. Frames of the burst may still be on their way when
/// the relay drops the reader, so `sent` is exact only beyond the burst.
async fn flood_a_slow_reader(relay: &Relay, burst: u32) -> Flood {
    let name = room("slow");
    let (slow, _) = Client::joined(relay, &name).await;
    let (fast, _) = Client::joined(relay, &name).await;
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
        if sent >= burst {
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

    // The sender stayed in the room; the slow reader is out of it.
    let mut fast = Client {
        ws: sink.reunite(stream).expect("halves of one socket"),
    };
    let (_next, joined) = Client::joined(relay, &name).await;
    assert_eq!(joined["type"], "joined");
    fast.expect_event("peer-joined").await;
    drop(slow);
    Flood { sent, rate_limited }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_is_dropped_when_its_queue_is_full_of_frames() {
    // A byte bound too large to matter: the 256-frame bound drops it.
    let relay = Relay::start(&[
        "--queue-bytes",
        "1000000000",
        UNLIMITED_BYTES[0],
        UNLIMITED_BYTES[1],
        UNLIMITED_BYTES[2],
        UNLIMITED_BYTES[3],
    ]);
    let flood = flood_a_slow_reader(&relay, 150).await;
    assert!(
        !flood.rate_limited,
        "the sender stayed within the rate limit"
    );
    assert!(flood.sent > 256, "the frame bound, not another, dropped it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_is_dropped_well_before_256_frames_once_its_queue_holds_256_kib() {
    let relay = Relay::start(&UNLIMITED_BYTES);
    // Paced from the first frame, so the count is exact to a frame or two.
    let flood = flood_a_slow_reader(&relay, 0).await;
    assert!(
        !flood.rate_limited,
        "the sender stayed within the rate limit"
    );
    // The socket buffers take some (Linux lets a send buffer grow to 4 MB by
    // default, about 70 of these frames); the queue itself held at most
    // 256 KiB, about four of them.
    assert!(
        flood.sent < 150,
        "dropped after {} frames: the byte bound did not hold",
        flood.sent
    );
    let metrics = scrape(&relay).await;
    let high_water = metrics["videochat_queue_bytes_high_water"];
    assert!(
        (1.0..=262_144.0).contains(&high_water),
        "at most 256 KiB was ever queued: {high_water}"
    );
    let not_reading = "videochat_connections_dropped_total{reason=\"not_reading\"}";
    assert_eq!(
        metrics[not_reading], 1.0,
        "dropped as a client that does not read"
    );
}
