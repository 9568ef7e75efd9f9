//! Setup time of two peers on loopback: offer created to both sides connected.
//!
//! `cargo run --release -p videochat-core --example peer_setup [-- RUNS [wildcard]]`
//!
//! Candidates are trickled directly between the peers (no relay). By default
//! both bind 127.0.0.1; `wildcard` binds `0.0.0.0:0` and `[::]:0` as in
//! production (host candidates of every interface).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, watch};
use videochat_core::negotiation::{ConnectionState, SdpKind};
use videochat_core::peer::{Peer, PeerConfig, PeerEvent};

/// Forwards `from`'s candidates to `to` once `to` has its remote description
/// (`described`), as the negotiator does; reports when `from` is connected.
fn route(
    mut events: mpsc::Receiver<PeerEvent>,
    to: Arc<Peer>,
    mut described: watch::Receiver<bool>,
) -> tokio::sync::oneshot::Receiver<Instant> {
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let mut done_tx = Some(done_tx);
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            match event {
                PeerEvent::LocalCandidate(c) => {
                    let _ = described.wait_for(|set| *set).await;
                    if let Err(e) = to.add_remote_candidate(c).await {
                        eprintln!("candidate refused: {e}");
                    }
                }
                PeerEvent::State(ConnectionState::Connected) => {
                    if let Some(tx) = done_tx.take() {
                        let _ = tx.send(Instant::now());
                    }
                }
                _ => {}
            }
        }
    });
    done_rx
}

async fn one_setup(config: &PeerConfig) -> Duration {
    let (a_tx, a_rx) = mpsc::channel(1024);
    let (b_tx, b_rx) = mpsc::channel(1024);
    let a = Arc::new(Peer::new(config.clone(), a_tx).await.expect("peer a"));
    let b = Arc::new(Peer::new(config.clone(), b_tx).await.expect("peer b"));
    let (a_described, a_has_remote) = watch::channel(false);
    let (b_described, b_has_remote) = watch::channel(false);
    let a_done = route(a_rx, b.clone(), b_has_remote);
    let b_done = route(b_rx, a.clone(), a_has_remote);

    let start = Instant::now();
    let offer = a.create_offer(false).await.expect("offer");
    b.set_remote_description(SdpKind::Offer, offer)
        .await
        .expect("offer applies");
    b_described.send_replace(true);
    let answer = b.create_answer().await.expect("answer");
    a.set_remote_description(SdpKind::Answer, answer)
        .await
        .expect("answer applies");
    a_described.send_replace(true);
    let wait = Duration::from_secs(10);
    let a_at = tokio::time::timeout(wait, a_done)
        .await
        .expect("a connects");
    let b_at = tokio::time::timeout(wait, b_done)
        .await
        .expect("b connects");
    let end = a_at.expect("a's router").max(b_at.expect("b's router"));
    a.close().await;
    b.close().await;
    end - start
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let config = if args.next().as_deref() == Some("wildcard") {
        PeerConfig {
            ice_servers: Vec::new(),
            ..PeerConfig::default()
        }
    } else {
        PeerConfig::loopback()
    };

    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        times.push(one_setup(&config).await);
    }
    times.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p50 = times[times.len() / 2];
    let p95 = times[(times.len() * 95 / 100).min(times.len() - 1)];
    println!(
        "peer setup, offer to both connected, {runs} runs: min {:.1} ms, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(p50),
        ms(p95),
        ms(times[times.len() - 1]),
    );
}
