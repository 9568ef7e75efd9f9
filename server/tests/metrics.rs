//! `GET /metrics`: the Prometheus text format, and counters that move.

mod common;

use common::{Client, Relay, room, scrape};
use videochat_protocol::MAX_MESSAGE_BYTES;

#[tokio::test]
async fn metrics_parse_line_by_line_and_counters_move() {
    let relay = Relay::start(&[]);
    let before = scrape(&relay).await;
    for series in [
        "videochat_connections",
        "videochat_rooms",
        "videochat_frames_relayed_total",
        "videochat_errors_total{code=\"bad_json\"}",
        "videochat_errors_total{code=\"relay_busy\"}",
        "videochat_connections_dropped_total{reason=\"too_large\"}",
        "videochat_connections_dropped_total{reason=\"write_stalled\"}",
        "videochat_queue_bytes_high_water",
    ] {
        assert_eq!(before.get(series), Some(&0.0), "{series} starts at 0");
    }

    let name = room("metrics");
    let (mut a, _) = Client::joined(&relay, &name).await;
    let (mut b, _) = Client::joined(&relay, &name).await;
    a.expect_event("peer-joined").await;
    b.send("\"ready\"").await;
    assert_eq!(a.recv_text().await, "\"ready\"");
    b.send("{not json").await;
    b.expect_error("bad_json").await;
    let during = scrape(&relay).await;
    assert_eq!(during["videochat_connections"], 2.0);
    assert_eq!(during["videochat_rooms"], 1.0);
    assert_eq!(during["videochat_frames_relayed_total"], 1.0);
    assert_eq!(during["videochat_errors_total{code=\"bad_json\"}"], 1.0);
    assert!(during["videochat_queue_bytes_high_water"] > 0.0);

    // An oversize frame: an error and a drop, by their labels.
    let oversize = format!(
        r#"{{"type":"offer","sdp":"{}"}}"#,
        "a".repeat(MAX_MESSAGE_BYTES)
    );
    b.send(&oversize).await;
    b.expect_error("too_large").await;
    b.expect_gone().await;
    a.expect_event("peer-left").await;
    let after = scrape(&relay).await;
    assert_eq!(after["videochat_errors_total{code=\"too_large\"}"], 1.0);
    assert_eq!(
        after["videochat_connections_dropped_total{reason=\"too_large\"}"],
        1.0
    );
    // A client's own close is not a drop.
    a.ws.close(None).await.expect("the close frame is sent");
    a.expect_gone().await;
    let closed = scrape(&relay).await;
    let drops: f64 = closed
        .iter()
        .filter(|(series, _)| series.starts_with("videochat_connections_dropped_total"))
        .map(|(_, value)| value)
        .sum();
    assert_eq!(
        drops, 1.0,
        "only the oversize frame's connection was dropped"
    );
    assert_eq!(closed["videochat_rooms"], 0.0);
}
