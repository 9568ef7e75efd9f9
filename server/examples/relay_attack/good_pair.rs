//! The well-behaved pair beside the attack: on a thread and runtime of its
//! own (so the attack's tasks in this process do not delay its clock), A
//! sends a candidate-sized frame every 25 ms (within the rate limit), B
//! echoes it, and A records each round trip through the relay.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::Message;

use crate::bench::{self, Error};

/// What the pair measured so far.
#[derive(Default)]
pub struct Record {
    /// (seconds since the start, round trip in ms).
    pub trips: Mutex<Vec<(f64, f64)>>,
    /// Frames that did not come back within a second.
    pub lost: AtomicU64,
    /// Why the pair stopped early, if it did.
    pub failed: Mutex<Option<String>>,
    pub stop: AtomicBool,
}

/// Starts the pair in room `good` and returns once both are joined.
pub fn start(server: SocketAddr, started: Instant) -> Result<Arc<Record>, Error> {
    let record = Arc::new(Record::default());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let shared = record.clone();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(error) => return drop(ready_tx.send(Err(error.to_string()))),
        };
        runtime.block_on(async move {
            if let Err(error) = run(server, started, &shared, ready_tx).await {
                *shared.failed.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.to_string());
            }
        });
    });
    ready_rx.recv()??;
    Ok(record)
}

async fn run(
    server: SocketAddr,
    started: Instant,
    record: &Record,
    ready: std::sync::mpsc::Sender<Result<(), String>>,
) -> Result<(), Error> {
    let home = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let joined = async {
        let mut a = bench::joined(server, home, "good").await?;
        let b = bench::joined(server, home, "good").await?;
        let peer_joined = bench::next_text(&mut a, Duration::from_secs(5)).await?;
        if !peer_joined.contains("peer-joined") {
            return Err::<_, Error>(format!("expected peer-joined, got {peer_joined}").into());
        }
        Ok((a, b))
    };
    let (mut a, mut b) = match joined.await {
        Ok(pair) => {
            let _ = ready.send(Ok(()));
            pair
        }
        Err(error) => {
            let _ = ready.send(Err(error.to_string()));
            return Err(error);
        }
    };
    let echo = async {
        loop {
            let text = bench::next_text(&mut b, Duration::from_secs(3600)).await?;
            b.send(Message::text(text)).await?;
        }
    };
    let measure = async {
        let mut tick = tokio::time::interval(Duration::from_millis(25));
        let mut i = 0u64;
        while !record.stop.load(Ordering::Relaxed) {
            tick.tick().await;
            i += 1;
            let frame = format!(
                r#"{{"type":"candidate","label":0,"id":"0","candidate":"candidate:{i} 1 udp 2122260223 10.0.0.1 40000 typ host"}}"#
            );
            let sent = Instant::now();
            a.send(Message::text(frame.as_str())).await?;
            // Waits for its own frame: a late one from before is skipped.
            loop {
                let next = bench::next_text(&mut a, Duration::from_secs(3600));
                match tokio::time::timeout(Duration::from_secs(1), next).await {
                    Ok(Ok(back)) if back == frame => {
                        let at = started.elapsed().as_secs_f64();
                        let ms = sent.elapsed().as_secs_f64() * 1e3;
                        record
                            .trips
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((at, ms));
                        break;
                    }
                    Ok(Ok(_)) => continue,
                    Ok(Err(error)) => return Err(error),
                    Err(_elapsed) => {
                        record.lost.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        Ok::<(), Error>(())
    };
    tokio::select! {
        result = echo => result,
        result = measure => result,
    }
}
