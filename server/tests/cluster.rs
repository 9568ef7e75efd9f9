//! Two relay nodes sharing rooms through a real redis-server (`--redis`):
//! roles decided once for both, frames across nodes, and what a member's
//! peer learns when its node dies. (The protocol tests run against two
//! nodes too: `VIDEOCHAT_TEST_NODES=2`, see tests/common.)

mod common;

use common::{Client, Redis, Relay, join_resumable, join_session, room};
use futures_util::future::join_all;
use serde_json::Value;

struct Deployment {
    // Dropped in this order: the nodes before their Redis.
    one: Relay,
    two: Relay,
    _redis: Redis,
}

fn deployment() -> Deployment {
    let redis = Redis::start();
    Deployment {
        one: Relay::node(&redis, &[]),
        two: Relay::node(&redis, &[]),
        _redis: redis,
    }
}

fn session_of(event: &Value) -> String {
    event["session"]
        .as_str()
        .unwrap_or_else(|| panic!("a resumable join is granted a session: {event}"))
        .to_owned()
}

#[tokio::test]
async fn two_members_joining_at_once_on_two_nodes_get_one_created_and_one_joined() {
    let nodes = deployment();
    // 20 joins per node: within the per-address join burst (40).
    let rooms = (0..20).map(|_| room("race"));
    let outcomes = join_all(rooms.map(|name| {
        let (one, two) = (nodes.one.ws_url(), nodes.two.ws_url());
        async move {
            let (a, b) = tokio::join!(
                Client::joined_url(&one, &name),
                Client::joined_url(&two, &name)
            );
            let mut kinds = [a.1["type"].clone(), b.1["type"].clone()];
            kinds.sort_by_key(|kind| kind.to_string());
            kinds
        }
    }))
    .await;
    for kinds in outcomes {
        assert_eq!(kinds, ["created", "joined"]);
    }
}

#[tokio::test]
async fn a_burst_crosses_nodes_in_order_and_a_third_member_is_refused() {
    let nodes = deployment();
    let name = room("across");
    let (mut a, _) = Client::joined(&nodes.one, &name).await;
    let (mut b, _) = Client::joined(&nodes.two, &name).await;
    a.expect_event("peer-joined").await;
    let candidates: Vec<String> = (0..100)
        .map(|i| format!(r#"{{"type":"candidate","candidate":"candidate:{i} 1 udp 1 10.0.0.1 {i} typ host"}}"#))
        .collect();
    for candidate in &candidates {
        b.send(candidate).await;
    }
    for candidate in &candidates {
        assert_eq!(&a.recv_text().await, candidate);
    }
    let (_, third) = Client::joined(&nodes.one, &name).await;
    assert_eq!(third["type"], "full");
}

#[tokio::test]
async fn the_cap_on_rooms_counts_the_rooms_of_every_node() {
    let redis = Redis::start();
    let one = Relay::node(&redis, &["--max-rooms", "2"]);
    let two = Relay::node(&redis, &["--max-rooms", "2"]);
    let first = room("cap");
    let (_a, created) = Client::joined(&one, &first).await;
    assert_eq!(created["type"], "created");
    let (mut b, created) = Client::joined(&two, &room("cap")).await;
    assert_eq!(created["type"], "created");
    // A third room, on either node, is one too many.
    let (_, refused) = Client::joined(&one, &room("cap")).await;
    assert_eq!(
        (&refused["type"], &refused["code"]),
        (&"error".into(), &"relay_busy".into()),
        "{refused}"
    );
    // Joining a room that exists opens none: allowed, across nodes.
    let (_c, joined) = Client::joined(&two, &first).await;
    assert_eq!(joined["type"], "joined");
    // Each node's metrics count the rooms of every node.
    for node in [&one, &two] {
        assert_eq!(common::scrape(node).await["videochat_rooms"], 2.0);
    }
    // A room that empties frees its place (the same connection, so in order).
    b.send(r#"{"type":"bye"}"#).await;
    b.send(&common::join(&room("cap"))).await;
    b.expect_event("created").await;
}

#[tokio::test]
async fn when_a_node_dies_the_peer_of_its_member_hears_peer_left_and_initiates() {
    let mut nodes = deployment();
    let name = room("dies");
    let (mut a, _) = Client::joined(&nodes.one, &name).await;
    let (mut b, _) = Client::joined(&nodes.two, &name).await;
    a.expect_event("peer-joined").await;
    nodes.one.kill();
    a.expect_gone().await;
    // Within the node's key lifetime (3 s) and a sweep.
    b.expect_event("peer-left").await;
    let (mut c, joined) = Client::joined(&nodes.two, &name).await;
    assert_eq!(joined["type"], "joined", "b holds the room alone");
    b.expect_event("peer-joined").await;
    c.send("\"ready\"").await;
    assert_eq!(b.recv_text().await, "\"ready\"");
}

#[tokio::test]
async fn a_member_of_a_killed_node_resumes_through_the_other_node() {
    let mut nodes = deployment();
    let name = room("resume");
    let (mut a, created) = Client::joined_by(&nodes.one, &join_resumable(&name)).await;
    assert_eq!(created["type"], "created");
    let (mut b, _) = Client::joined_by(&nodes.two, &join_resumable(&name)).await;
    a.expect_event("peer-joined").await;
    b.send(r#"{"type":"offer","sdp":"before"}"#).await;
    assert_eq!(a.recv_text().await, r#"{"type":"offer","sdp":"before"}"#);

    nodes.one.kill();
    a.expect_gone().await;
    b.expect_event("peer-away").await;
    // Sent while a is away: kept for it.
    b.send(r#"{"type":"candidate","candidate":"meanwhile"}"#)
        .await;
    let join = join_session(&name, &session_of(&created));
    let (mut back, resumed) = Client::joined_by(&nodes.two, &join).await;
    assert_eq!(resumed["type"], "resumed", "{resumed}");
    assert_eq!(
        back.recv_text().await,
        r#"{"type":"candidate","candidate":"meanwhile"}"#
    );
    b.expect_event("peer-back").await;
    back.send(r#"{"type":"answer","sdp":"after"}"#).await;
    assert_eq!(b.recv_text().await, r#"{"type":"answer","sdp":"after"}"#);
}

#[tokio::test]
async fn nodes_share_rooms_through_a_redis_over_tls_with_a_private_ca() {
    let redis = Redis::start_tls();
    let (one, two) = (Relay::node(&redis, &[]), Relay::node(&redis, &[]));
    let name = room("tls");
    let (mut a, created) = Client::joined(&one, &name).await;
    let (mut b, joined) = Client::joined(&two, &name).await;
    assert_eq!(
        (&created["type"], &joined["type"]),
        (&"created".into(), &"joined".into())
    );
    a.expect_event("peer-joined").await;
    let offer = r#"{"type":"offer","sdp":"v=0\r\n"}"#;
    b.send(offer).await;
    assert_eq!(a.recv_text().await, offer);
}

#[tokio::test]
async fn a_node_that_cannot_verify_the_redis_certificate_does_not_start() {
    let redis = Redis::start_tls();
    // The system's roots do not know the test CA: the TLS handshake fails.
    let run = tokio::process::Command::new(Relay::BINARY)
        .args(["--listen", "127.0.0.1:0", "--redis", &redis.url])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(10), run)
        .await
        .expect("the relay gives up within 10 s")
        .expect("the relay runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot use Redis at rediss://localhost"),
        "it says why: {stderr}"
    );
}
