//! Ten thousand concurrent joined connections (or as many as the open-file
//! limit allows: this process and the relay each hold one descriptor per
//! connection), every room exchanging messages while all are open.

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{Client, Relay};
use tokio::sync::{Barrier, Semaphore};

const TARGET: usize = 10_000;

/// Connections opened at once: a crowd, within the relay's listen backlog.
const OPENING_AT_ONCE: usize = 256;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_connections_in_five_thousand_rooms_each_exchange_messages() {
    let limit = videochat_server::open_files::raise_to_hard_limit().expect("getrlimit works");
    // Descriptors for the test harness, the runtime and the relay's pipes.
    let connections = TARGET.min((limit as usize).saturating_sub(100)) / 2 * 2;
    let rooms = connections / 2;
    println!("{connections} connections in {rooms} rooms (open-file limit {limit})");
    assert!(
        rooms >= 500,
        "the open-file limit {limit} is too low to test at scale"
    );
    // Every connection comes from 127.0.0.1: lift the per-address limits.
    let cap = connections.to_string();
    let mut relay = Relay::start(&[
        "--max-connections",
        &cap,
        "--max-connections-per-address",
        &cap,
        "--join-burst",
        &cap,
    ]);
    let url = relay.ws_url();
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE / 2));
    let all_open = Arc::new(Barrier::new(rooms));
    let all_done = Arc::new(Barrier::new(rooms));
    let started = Instant::now();
    let tasks = (0..rooms).map(|i| {
        let (url, opening) = (url.clone(), opening.clone());
        let (all_open, all_done) = (all_open.clone(), all_done.clone());
        tokio::spawn(async move {
            let name = format!("scale-{i}");
            let permit = opening.acquire().await.expect("the semaphore stays open");
            let (mut a, created) = Client::joined_url(&url, &name).await;
            let (mut b, joined) = Client::joined_url(&url, &name).await;
            drop(permit);
            assert_eq!(
                (created["type"].as_str(), joined["type"].as_str()),
                (Some("created"), Some("joined"))
            );
            a.expect_event("peer-joined").await;
            // Every room's two sockets are open before anyone talks.
            all_open.wait().await;
            b.send("\"ready\"").await;
            assert_eq!(a.recv_text().await, "\"ready\"");
            let offer = format!(r#"{{"type":"offer","sdp":"room {i}"}}"#);
            a.send(&offer).await;
            assert_eq!(b.recv_text().await, offer, "each room hears only itself");
            all_done.wait().await;
        })
    });
    for room in futures_util::future::join_all(tasks).await {
        room.expect("every room exchanged its messages");
    }
    println!(
        "{connections} connections joined and exchanged in {:.1?}",
        started.elapsed()
    );
    assert!(relay.is_running());
}
