//! A thousand concurrent connections in five hundred rooms.

mod common;

use std::sync::Arc;

use common::{Client, Relay};
use tokio::sync::Barrier;

const ROOMS: usize = 500;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_connections_in_five_hundred_rooms_each_exchange_messages() {
    // Every connection comes from 127.0.0.1: lift the per-address limits.
    let mut relay = Relay::start(&[
        "--max-connections-per-address",
        "1000",
        "--join-burst",
        "1000",
    ]);
    let url = relay.ws_url();
    let all_open = Arc::new(Barrier::new(ROOMS));
    let all_done = Arc::new(Barrier::new(ROOMS));
    let rooms = (0..ROOMS).map(|i| {
        let (url, all_open, all_done) = (url.clone(), all_open.clone(), all_done.clone());
        tokio::spawn(async move {
            let name = format!("scale-{i}");
            let (mut a, created) = Client::joined_url(&url, &name).await;
            let (mut b, joined) = Client::joined_url(&url, &name).await;
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
    for room in futures_util::future::join_all(rooms).await {
        room.expect("every room exchanged its messages");
    }
    assert!(relay.is_running());
}
