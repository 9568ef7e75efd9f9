//! Relay benchmark: idle memory per connection and relay latency.
//!
//! ```text
//! cargo run --release -p videochat-server --example relay_bench [-- IDLE_CONNECTIONS ROUND_TRIPS]
//! ```
//!
//! Starts the real `videochat-server` process (built by this example with the
//! same profile), opens IDLE_CONNECTIONS (default 2,000) WebSockets joined in
//! pairs and left idle, and reads the server's VmRSS from /proc before and
//! after. Then, with those still open, times ROUND_TRIPS (default 5,000)
//! round trips A -> relay -> B -> relay -> A through one room (with the rate
//! limit lifted, since that loop sends far faster than 50 frames a second).

// The helpers relay_attack shares; this bench uses a few of them.
#[path = "bench/mod.rs"]
mod bench;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt, stream};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The server process, killed on drop.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let idle: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(2_000);
    let round_trips: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5_000);

    let binary = bench::build_server().map_err(|e| e as Box<dyn std::error::Error>)?;
    let mut child = Command::new(&binary)
        // The latency loop sends far faster than a client may (50 frames/s),
        // and every connection comes from 127.0.0.1: lift the rate and
        // per-address limits for the benchmark only.
        .args([
            "--listen",
            "127.0.0.1:0",
            "--rate-burst",
            "1000000",
            "--rate-per-second",
            "1000000",
            "--max-connections-per-address",
            "1000000",
            "--join-burst",
            "1000000",
            "--joins-per-second",
            "1000000",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let server = Server(child);
    let mut line = String::new();
    stdout.read_line(&mut line)?;
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .ok_or("unexpected first line")?;
    let url = format!("ws://{addr}/ws");
    let pid = server.0.id();

    // Warm up (runtime threads, allocator arenas) so the baseline is fair.
    let warm = open_pairs(&url, 20, "warm").await?;
    exchange(&mut warm.into_iter().collect::<Vec<_>>(), 10).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = bench::vm_rss_kib(pid).map_err(|e| e as Box<dyn std::error::Error>)?;

    let started = Instant::now();
    let mut idle_sockets = open_pairs(&url, idle / 2, "idle").await?;
    let opened_in = started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = bench::vm_rss_kib(pid).map_err(|e| e as Box<dyn std::error::Error>)?;
    let per_connection = (after.saturating_sub(before)) as f64 * 1024.0 / (2 * (idle / 2)) as f64;
    println!(
        "idle connections: {} (joined in pairs), opened in {opened_in:.2?}",
        2 * (idle / 2)
    );
    println!("server VmRSS: {before} KiB before, {after} KiB after");
    println!(
        "idle memory per connection: {:.1} KiB ({per_connection:.0} bytes)",
        per_connection / 1024.0
    );

    let latencies = measure_latency(&url, round_trips).await?;
    let p = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    println!(
        "round trip A->relay->B->relay->A over {} trips: p50 {:.0} us, p99 {:.0} us, max {:.0} us",
        latencies.len(),
        p(0.50),
        p(0.99),
        p(1.0)
    );
    println!(
        "one relay pass (half a round trip): p50 {:.0} us, p99 {:.0} us",
        p(0.50) / 2.0,
        p(0.99) / 2.0
    );
    println!(
        "server VmRSS at the end: {} KiB",
        bench::vm_rss_kib(pid).map_err(|e| e as Box<dyn std::error::Error>)?
    );

    idle_sockets.clear();
    drop(server);
    Ok(())
}

/// Opens `pairs` rooms of two joined sockets, 64 connections at a time.
async fn open_pairs(
    url: &str,
    pairs: usize,
    label: &str,
) -> Result<Vec<Ws>, Box<dyn std::error::Error>> {
    let rooms: Vec<Result<Vec<Ws>, String>> = stream::iter(0..pairs)
        .map(|i| async move {
            let room = format!("{label}-{i}");
            let mut a = join(url, &room).await?;
            let b = join(url, &room).await?;
            expect(&mut a, "peer-joined").await?;
            Ok(vec![a, b])
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let mut sockets = Vec::with_capacity(2 * pairs);
    for room in rooms {
        sockets.extend(room?);
    }
    Ok(sockets)
}

async fn join(url: &str, room: &str) -> Result<Ws, String> {
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| e.to_string())?;
    let join = format!(r#"{{"type":"join","room":"{room}"}}"#);
    ws.send(Message::text(join))
        .await
        .map_err(|e| e.to_string())?;
    let answer = next_text(&mut ws).await?;
    if answer.contains("\"created\"") || answer.contains("\"joined\"") {
        Ok(ws)
    } else {
        Err(format!("unexpected answer to join: {answer}"))
    }
}

async fn expect(ws: &mut Ws, kind: &str) -> Result<(), String> {
    let text = next_text(ws).await?;
    if text.contains(kind) {
        Ok(())
    } else {
        Err(format!("expected {kind}, got {text}"))
    }
}

async fn next_text(ws: &mut Ws) -> Result<String, String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Ok(text.to_string()),
            Ok(Some(Ok(_))) => continue,
            other => return Err(format!("connection failed: {other:?}")),
        }
    }
}

/// Each pair of sockets (a, b) exchanges `count` messages.
async fn exchange(sockets: &mut [Ws], count: usize) -> Result<(), String> {
    for pair in sockets.chunks_mut(2) {
        if let [a, b] = pair {
            for _ in 0..count {
                a.send(Message::text("\"ready\""))
                    .await
                    .map_err(|e| e.to_string())?;
                next_text(b).await?;
            }
        }
    }
    Ok(())
}

/// Round-trip times in microseconds, sorted: A sends a candidate-sized
/// frame, B echoes it back.
async fn measure_latency(
    url: &str,
    round_trips: usize,
) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let mut pair = open_pairs(url, 1, "latency").await?;
    let mut b = pair.pop().ok_or("no b")?;
    let mut a = pair.pop().ok_or("no a")?;
    let echo = tokio::spawn(async move {
        while let Ok(text) = next_text(&mut b).await {
            if b.send(Message::text(text)).await.is_err() {
                break;
            }
        }
    });
    let mut latencies = Vec::with_capacity(round_trips);
    for i in 0..round_trips + 100 {
        let frame = format!(
            r#"{{"type":"candidate","label":0,"id":"0","candidate":"candidate:{i} 1 udp 2122260223 10.0.0.1 40000 typ host"}}"#
        );
        let sent = Instant::now();
        a.send(Message::text(frame.as_str())).await?;
        let back = next_text(&mut a).await?;
        let elapsed = sent.elapsed();
        if back != frame {
            return Err("the echo differs from what was sent".into());
        }
        // The first hundred warm the path up.
        if i >= 100 {
            latencies.push(elapsed.as_secs_f64() * 1e6);
        }
    }
    echo.abort();
    latencies.sort_by(f64::total_cmp);
    Ok(latencies)
}
