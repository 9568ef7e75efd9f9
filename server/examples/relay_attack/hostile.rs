//! The hostile clients: each task keeps one kind of abuse going against the
//! relay, reconnecting whenever the relay drops it, until told to stop.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

use crate::bench::{self, Error, Ws};

/// One kind of abuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A pair: one member never reads, the other sends it 60 KB frames
    /// within the rate limit, so the relay's queue for the reader fills.
    SlowReader,
    /// Sends small frames far faster than the rate limit allows, never
    /// reading the errors.
    Flood,
    /// Sends frames four times the size limit.
    Oversize,
    /// Joins, leaves and joins another room as fast as it can.
    JoinStorm,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::SlowReader,
        Kind::Flood,
        Kind::Oversize,
        Kind::JoinStorm,
    ];

    /// Connections one task of this kind holds.
    pub fn connections(self) -> usize {
        match self {
            Kind::SlowReader => 2,
            _ => 1,
        }
    }

    /// The kind named `name` on the command line.
    pub fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "slow" => Kind::SlowReader,
            "flood" => Kind::Flood,
            "oversize" => Kind::Oversize,
            "join" => Kind::JoinStorm,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::SlowReader => "slow reader pairs",
            Kind::Flood => "floods",
            Kind::Oversize => "oversize frames",
            Kind::JoinStorm => "join storms",
        }
    }
}

/// What the hostile tasks share: where to attack, when to stop, and what
/// they did.
pub struct Attack {
    pub server: SocketAddr,
    pub stop: AtomicBool,
    /// Connections opened (each task's first and every reconnection).
    pub connects: [AtomicU64; 4],
    /// Connections the relay ended (or refused).
    pub ended: [AtomicU64; 4],
}

impl Attack {
    pub fn new(server: SocketAddr) -> Arc<Attack> {
        Arc::new(Attack {
            server,
            stop: AtomicBool::new(false),
            connects: Default::default(),
            ended: Default::default(),
        })
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Runs task `n` of `kind` from address `ip` until the attack stops.
pub async fn run(attack: Arc<Attack>, kind: Kind, n: usize, ip: IpAddr) {
    let index = Kind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
    let mut round = 0u64;
    while !attack.stopped() {
        round += 1;
        attack.connects[index].fetch_add(kind.connections() as u64, Ordering::Relaxed);
        let room = format!("hostile-{n}-{round}");
        let result = match kind {
            Kind::SlowReader => slow_reader(&attack, ip, &room).await,
            Kind::Flood => flood(&attack, ip, &room).await,
            Kind::Oversize => oversize(&attack, ip, &room).await,
            Kind::JoinStorm => join_storm(&attack, ip, &room).await,
        };
        if result.is_err() {
            attack.ended[index].fetch_add(1, Ordering::Relaxed);
            // A refused connection (per-address limit, the relay is full)
            // comes back soon, not at once: a real attacker has finite
            // sockets too, and this bench shares the relay's two cores.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A 60 KB frame, under the 64 KiB limit.
fn big_frame() -> Message {
    let sdp = "a".repeat(60_000);
    Message::text(format!(r#"{{"type":"offer","sdp":"{sdp}"}}"#))
}

async fn slow_reader(attack: &Attack, ip: IpAddr, room: &str) -> Result<(), Error> {
    // Held, never read: the relay's writes to it stall.
    let _reader = bench::joined(attack.server, ip, room).await?;
    let mut writer = bench::joined(attack.server, ip, room).await?;
    let frame = big_frame();
    // 10 frames a second: well within the rate limit of 50.
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    while !attack.stopped() {
        tokio::select! {
            _ = tick.tick() => writer.send(frame.clone()).await?,
            heard = writer.next() => match heard {
                // The relay dropped the reader: start over with a new pair.
                Some(Ok(Message::Text(text))) if text.contains("peer-left") => {
                    return Err("the reader was dropped".into())
                }
                Some(Ok(_)) => {}
                _ => return Err("the writer was dropped".into()),
            },
        }
    }
    Ok(())
}

async fn flood(attack: &Attack, ip: IpAddr, room: &str) -> Result<(), Error> {
    let mut ws = bench::joined(attack.server, ip, room).await?;
    let frame = Message::text(r#"{"type":"candidate","candidate":"flood"}"#);
    while !attack.stopped() {
        // One flush per 50 frames: a flood as fast as the socket takes it.
        for _ in 0..50 {
            ws.feed(frame.clone()).await?;
        }
        ws.flush().await?;
        tokio::task::yield_now().await;
    }
    Ok(())
}

async fn oversize(attack: &Attack, ip: IpAddr, room: &str) -> Result<(), Error> {
    let mut ws = bench::joined(attack.server, ip, room).await?;
    let sdp = "a".repeat(4 * videochat_protocol::MAX_MESSAGE_BYTES);
    ws.send(Message::text(format!(
        r#"{{"type":"offer","sdp":"{sdp}"}}"#
    )))
    .await?;
    drain(&mut ws).await
}

async fn join_storm(attack: &Attack, ip: IpAddr, room: &str) -> Result<(), Error> {
    let mut ws = bench::connect(attack.server, ip).await?;
    let mut n = 0u64;
    while !attack.stopped() {
        n += 1;
        ws.send(bench::join_frame(&format!("{room}-{n}"))).await?;
        bench::next_text(&mut ws, Duration::from_secs(5)).await?;
        ws.send(Message::text(r#"{"type":"bye"}"#)).await?;
    }
    Ok(())
}

/// Reads until the relay ends the connection.
async fn drain(ws: &mut Ws) -> Result<(), Error> {
    while let Some(Ok(_)) = ws.next().await {}
    Err("dropped".into())
}
