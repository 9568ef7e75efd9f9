//! Memory per joined connection: opens many connections joined in pairs,
//! each address holding at most 32 (within the per-address limits), and
//! reads the relay's RSS before and after.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, stream};

use crate::bench::{self, Error, Server, Ws};

/// Connections per client address: within the default limits (64
/// connections, a burst of 40 joins).
const PER_ADDRESS: usize = 32;

/// Opens `connections` joined connections to a fresh relay and prints what
/// each costs it.
pub async fn measure(binary: &PathBuf, connections: usize) -> Result<(), Error> {
    let pairs = connections / 2;
    let cap = (2 * pairs + 64).to_string();
    let server = Server::start(binary, &["--max-connections", &cap])?;
    // Warm up (runtime threads, allocator arenas) so the baseline is fair.
    let warm = open_pairs(&server, 0..10).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = server.rss_kib()?;

    let started = Instant::now();
    let open = open_pairs(&server, 10..10 + pairs).await?;
    let opened_in = started.elapsed();
    // Lets the relay's tasks finish their first writes before reading RSS.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = server.rss_kib()?;
    let live = bench::scrape(server.addr)
        .await?
        .into_iter()
        .find(|(series, _)| series == "videochat_connections")
        .map_or(f64::NAN, |(_, value)| value);
    let per_connection = after.saturating_sub(before) as f64 / open.len() as f64;
    println!(
        "idle: {} connections joined in {pairs} rooms in {opened_in:.1?} ({live} open at the relay)",
        open.len()
    );
    println!("idle: relay RSS {before} KiB before, {after} KiB after");
    println!(
        "idle: memory per joined connection {per_connection:.2} KiB ({:.0} bytes); target <= 10 KiB: {}",
        per_connection * 1024.0,
        if per_connection <= 10.0 {
            "met"
        } else {
            "MISSED"
        }
    );
    drop((warm, open));
    Ok(())
}

/// Opens the rooms numbered `rooms`, two joined sockets each.
async fn open_pairs(server: &Server, rooms: std::ops::Range<usize>) -> Result<Vec<Ws>, Error> {
    let addr = server.addr;
    let opened: Vec<Result<[Ws; 2], Error>> = stream::iter(rooms)
        .map(|i| async move {
            let ip = bench::client_ip(2 * i / PER_ADDRESS);
            let room = format!("idle-{i}");
            let mut a = bench::joined(addr, ip, &room).await?;
            let b = bench::joined(addr, ip, &room).await?;
            let heard = bench::next_text(&mut a, Duration::from_secs(10)).await?;
            if !heard.contains("peer-joined") {
                return Err(format!("expected peer-joined, got {heard}").into());
            }
            Ok([a, b])
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let mut sockets = Vec::with_capacity(2 * opened.len());
    for pair in opened {
        sockets.extend(pair?);
    }
    Ok(sockets)
}
