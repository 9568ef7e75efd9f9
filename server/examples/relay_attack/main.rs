//! Attack bench: what hostile clients do to the relay, and to a call beside them.
//!
//! ```text
//! cargo run --release -p videochat-server --example relay_attack -- \
//!     [--idle 10000] [--hostile 1000] [--seconds 20] [--attacker-nice 19]
//!     [--only slow,flood,oversize,join] [--relay '--accepts-per-second 0']
//! ```
//!
//! Two phases, each on a fresh `videochat-server` process (built by this
//! example with its profile) with its default limits (and the attack's
//! relay with any `--relay` options):
//!
//! 1. `--idle N` (0 skips it): N connections joined in pairs; prints the
//!    relay's memory per connection (target: at most 10 KiB).
//! 2. `--hostile N` (0: the good pair alone) for `--seconds` (0 skips it):
//!    N hostile connections
//!    (a quarter each: slow-reader pairs, floods, oversize frames, join
//!    storms; each from a loopback address of its own, so per-address limits
//!    act as they would on the internet), reconnecting whenever dropped,
//!    while a well-behaved pair exchanges a frame every 25 ms. Prints the
//!    relay's RSS and CPU and the pair's round trips each second, then a
//!    summary (targets: RSS under 200 MiB, the pair's p99 under 5 ms).
//!
//! The relay and this process share the machine. On the internet the
//! attackers' CPU is their own, so the hostile clients' threads run at the
//! lowest priority (`--attacker-nice 19`) and the relay and the good pair
//! get the cores first; `--attacker-nice 0` lets them compete as equals.
//! The kernel's work for the attackers' packets is not lowered by that.
//! Figures taken while the machine is busy with other work are noisy.

#[path = "../bench/mod.rs"]
mod bench;
mod good_pair;
mod hostile;
mod idle;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bench::{Error, Server, quantile};
use hostile::{Attack, Kind};

struct Args {
    idle: usize,
    hostile: usize,
    seconds: u64,
    /// The hostile clients' niceness (0 to 19).
    attacker_nice: i32,
    /// Options for the relay beyond its defaults.
    relay_options: Vec<String>,
    /// The kinds of abuse to run (all by default).
    kinds: Vec<Kind>,
}

fn parse_args() -> Result<Args, Error> {
    let mut parsed = Args {
        idle: 10_000,
        hostile: 1_000,
        seconds: 20,
        attacker_nice: 19,
        relay_options: Vec::new(),
        kinds: Kind::ALL.to_vec(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: {value:?} is not a number"))
        };
        match flag.as_str() {
            "--idle" => parsed.idle = number()? as usize,
            "--hostile" => parsed.hostile = number()? as usize,
            "--seconds" => parsed.seconds = number()?,
            "--attacker-nice" => parsed.attacker_nice = number()?.min(19) as i32,
            "--relay" => {
                parsed.relay_options = value.split_whitespace().map(String::from).collect()
            }
            "--only" => {
                parsed.kinds = value
                    .split(',')
                    .map(|name| {
                        Kind::parse(name).ok_or_else(|| format!("--only: unknown kind {name:?}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            _ => {
                return Err(format!(
                    "unknown option {flag} (--idle, --hostile, --seconds, --attacker-nice, --relay OPTIONS, --only slow,flood,oversize,join)"
                )
                .into());
            }
        }
    }
    Ok(parsed)
}

fn main() -> Result<(), Error> {
    let args = parse_args()?;
    let nice = args.attacker_nice;
    // The hostile tasks run on this runtime's workers.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(move || {
            // SAFETY: setpriority has no memory preconditions; `0` is the
            // calling thread on Linux.
            unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) };
        })
        .build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> Result<(), Error> {
    // This process holds as many sockets as the relay.
    let open_files = videochat_server::open_files::raise_to_hard_limit()?;
    println!("open-file limit of this process: {open_files}");
    let binary = bench::build_server()?;
    if args.idle > 0 {
        idle::measure(&binary, args.idle).await?;
    }
    if args.seconds > 0 {
        attack(&binary, &args).await?;
    }
    Ok(())
}

async fn attack(binary: &std::path::PathBuf, args: &Args) -> Result<(), Error> {
    let options: Vec<&str> = args.relay_options.iter().map(String::as_str).collect();
    let server = Server::start(binary, &options)?;
    let started = Instant::now();
    let good = good_pair::start(server.addr, started)?;
    let attack = Attack::new(server.addr);
    let mut tasks = Vec::new();
    for &kind in &args.kinds {
        let count = args.hostile / args.kinds.len() / kind.connections();
        for _ in 0..count {
            // An address of its own per task.
            let ip = bench::client_ip(tasks.len());
            tasks.push(tokio::spawn(hostile::run(
                attack.clone(),
                kind,
                tasks.len(),
                ip,
            )));
        }
    }
    println!(
        "attack: {} hostile connections ({} tasks) for {} s; relay RSS at start {} KiB",
        args.hostile,
        tasks.len(),
        args.seconds,
        server.rss_kib()?
    );
    println!("   t    RSS MiB   relay CPU %   relay conns   good trips   p50 ms   p99 ms   lost");
    let mut cpu = server.cpu_seconds()?;
    let mut peak_kib = 0;
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(1),
        Duration::from_secs(1),
    );
    for second in 1..=args.seconds {
        tick.tick().await;
        let rss = server.rss_kib()?;
        peak_kib = peak_kib.max(rss);
        let cpu_now = server.cpu_seconds()?;
        let busy = (cpu_now - cpu) * 100.0;
        cpu = cpu_now;
        let conns = gauge(&server, "videochat_connections").await;
        let window: Vec<f64> = trips_since(&good, second as f64 - 1.0);
        println!(
            "{second:4}   {:8.1}   {busy:11.0}   {conns:11.0}   {:10}   {:6.2}   {:6.2}   {}",
            rss as f64 / 1024.0,
            window.len(),
            quantile(&window, 0.5),
            quantile(&window, 0.99),
            good.lost.load(Ordering::Relaxed)
        );
    }
    attack.stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.abort();
    }
    good.stop.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let settled = server.rss_kib()?;

    let mut all: Vec<f64> = trips_since(&good, 0.0);
    all.sort_by(f64::total_cmp);
    let p99 = quantile(&all, 0.99);
    println!("\nsummary over {} s:", args.seconds);
    println!(
        "  relay RSS: peak {:.1} MiB, {:.1} MiB 3 s after the attack; target < 200 MiB: {}",
        peak_kib as f64 / 1024.0,
        settled as f64 / 1024.0,
        if peak_kib < 200 * 1024 {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "  good pair: {} round trips, p50 {:.2} ms, p99 {p99:.2} ms, max {:.2} ms, lost {}; target p99 < 5 ms: {}",
        all.len(),
        quantile(&all, 0.5),
        quantile(&all, 1.0),
        good.lost.load(Ordering::Relaxed),
        if p99 < 5.0 { "met" } else { "MISSED" }
    );
    if let Some(why) = good
        .failed
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
    {
        println!("  good pair FAILED: {why}");
    }
    for (i, kind) in Kind::ALL.iter().enumerate() {
        println!(
            "  {}: {} connections opened, {} rounds ended by the relay",
            kind.label(),
            attack.connects[i].load(Ordering::Relaxed),
            attack.ended[i].load(Ordering::Relaxed)
        );
    }
    for (series, value) in bench::scrape(server.addr).await? {
        let interesting = series.starts_with("videochat_connections_dropped_total")
            || series.starts_with("videochat_errors_total")
            || series.starts_with("videochat_queue_bytes_high_water");
        if interesting && value > 0.0 {
            println!("  relay {series} {value}");
        }
    }
    Ok(())
}

/// The good pair's round trips (ms) recorded since `from` seconds.
fn trips_since(good: &good_pair::Record, from: f64) -> Vec<f64> {
    let trips = good.trips.lock().unwrap_or_else(|e| e.into_inner());
    let mut window: Vec<f64> = trips
        .iter()
        .filter(|(at, _)| *at >= from)
        .map(|(_, ms)| *ms)
        .collect();
    window.sort_by(f64::total_cmp);
    window
}

/// A gauge of the relay's `/metrics`, NaN if it cannot be read.
async fn gauge(server: &Server, name: &str) -> f64 {
    match bench::scrape(server.addr).await {
        Ok(samples) => samples
            .into_iter()
            .find(|(series, _)| series == name)
            .map_or(f64::NAN, |(_, value)| value),
        Err(_) => f64::NAN,
    }
}
