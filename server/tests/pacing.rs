//! New connections are paced: a crowd arriving at once is taken a burst at
//! a time, and all of it in the end.

mod common;

use std::time::{Duration, Instant};

use common::{Client, Relay, room};

#[tokio::test]
async fn a_crowd_beyond_the_accept_burst_is_taken_at_the_paced_rate_and_all_of_it() {
    let relay = Relay::start(&["--accept-burst", "5", "--accepts-per-second", "20"]);
    let started = Instant::now();
    let crowd = (0..25).map(|_| Client::connect(&relay));
    let clients = futures_util::future::join_all(crowd).await;
    let took = started.elapsed();
    // Twenty beyond the burst at twenty a second: a second at least, on
    // any machine (a slow one only takes longer).
    assert!(
        took >= Duration::from_millis(950),
        "25 connections taken in {took:?}"
    );
    for (i, mut client) in clients.into_iter().enumerate() {
        client
            .send(&common::join(&room(&format!("crowd-{i}"))))
            .await;
        assert_eq!(client.recv_json().await["type"], "created");
    }
}
