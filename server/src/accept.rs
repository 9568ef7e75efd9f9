//! The relay's listener: what happens to a socket as it is accepted, before
//! anything is read.
//!
//! - A barred address's socket (`PerAddress::abused`) is closed inside the
//!   accept loop, before the runtime knows of it: no task, no epoll
//!   registration, no wake-up of another worker. A reconnecting abuser then
//!   costs the relay an `accept` and a `close`, nothing that queues in front
//!   of the calls it carries.
//! - The others are paced (`Limits::accepts_per_second`): a crowd arriving at
//!   once (a flood from many addresses, every client of a restarted relay)
//!   waits its turn in the kernel's backlog instead of putting hundreds of
//!   upgrades in the runtime's queues ahead of the frames of calls in
//!   progress.
//! - They get `TCP_NODELAY`: signaling frames are small and latency-bound.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::connect_info::Connected;
use axum_server::{AddrListener, Address};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::net::TcpStream;

use crate::hub::Hub;
use crate::limits::Limits;

/// The address a client connected from: the relay's `axum_server::Address`,
/// which handlers read as `ConnectInfo<SocketAddr>`.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddr(pub SocketAddr);

impl Address for ClientAddr {
    type Stream = TcpStream;
    type Listener = RelayListener;
}

impl Connected<ClientAddr> for SocketAddr {
    fn connect_info(client: ClientAddr) -> SocketAddr {
        client.0
    }
}

/// A bound TCP listener that refuses barred addresses as it accepts.
pub struct RelayListener {
    listener: AsyncFd<std::net::TcpListener>,
    hub: Arc<Hub>,
    pace: Mutex<Pace>,
}

impl RelayListener {
    /// Wraps a bound, listening socket. Must be called within the runtime.
    pub fn new(
        listener: std::net::TcpListener,
        hub: Arc<Hub>,
        limits: &Limits,
    ) -> io::Result<RelayListener> {
        listener.set_nonblocking(true)?;
        // SAFETY: the std listener owns its descriptor and keeps it open,
        // the same one, until the AsyncFd that owns the listener drops it.
        let listener = unsafe { AsyncFd::register_with_interest(listener, Interest::READABLE) }
            .map_err(|error| error.into_parts().1)?;
        let pace = Pace::new(limits.accept_burst, limits.accepts_per_second);
        Ok(RelayListener {
            listener,
            hub,
            pace: Mutex::new(pace),
        })
    }

    /// The next socket from an address that is not barred, in its turn,
    /// registered with the runtime.
    async fn accept(&self) -> io::Result<(TcpStream, ClientAddr)> {
        let wait = self
            .pace
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .turn(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        loop {
            let mut ready = self.listener.readable().await?;
            // Takes everything queued before waiting again: one readiness
            // event can stand for many barred connections.
            loop {
                let (stream, peer) = match ready.try_io(|listener| listener.get_ref().accept()) {
                    Ok(Ok(accepted)) => accepted,
                    // One client's loss, not the listener's: an error
                    // returned here would pause all accepting for 50 ms.
                    Ok(Err(error)) if is_per_connection(&error) => continue,
                    Ok(Err(error)) => return Err(error),
                    Err(_would_block) => break,
                };
                if self.hub.is_barred(peer.ip()) {
                    // Not logged: a barred flood would flood the log.
                    drop(stream);
                    continue;
                }
                // A socket that cannot be set up (reset already) is likewise
                // that client's loss.
                let set_up = stream.set_nonblocking(true).and(stream.set_nodelay(true));
                if let Ok(stream) = set_up.and_then(|()| TcpStream::from_std(stream)) {
                    return Ok((stream, ClientAddr(peer)));
                }
            }
        }
    }
}

/// An `accept` error that concerns the connection taken, not the listener
/// (which, out of descriptors say, is worth a pause).
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

impl AddrListener<TcpStream, ClientAddr> for RelayListener {
    async fn bind_to(_addr: ClientAddr) -> io::Result<Self> {
        // The relay binds its own socket (with its backlog) and wraps it.
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a RelayListener wraps a socket the relay bound: use RelayListener::new",
        ))
    }

    async fn accept_stream(&self) -> io::Result<(TcpStream, ClientAddr)> {
        self.accept().await
    }

    fn get_local_addr(&self) -> io::Result<ClientAddr> {
        self.listener.get_ref().local_addr().map(ClientAddr)
    }
}

/// New connections at a steady pace, after a burst: a token bucket kept as
/// the time the bucket would be full again (GCRA), so a turn is a delay.
#[derive(Debug)]
struct Pace {
    /// Time per connection; zero: unpaced.
    interval: Duration,
    /// How far ahead of now the schedule may run before a turn waits.
    burst: Duration,
    /// When the last turn handed out ends.
    booked_until: Option<Instant>,
}

impl Pace {
    fn new(burst: u32, per_second: u32) -> Pace {
        let interval = match per_second {
            0 => Duration::ZERO,
            n => Duration::from_secs(1) / n,
        };
        Pace {
            interval,
            burst: interval * burst,
            booked_until: None,
        }
    }

    /// Books the next connection's turn at `now`: how long to wait for it.
    fn turn(&mut self, now: Instant) -> Duration {
        if self.interval.is_zero() {
            return Duration::ZERO;
        }
        let booked = self.booked_until.map_or(now, |until| until.max(now)) + self.interval;
        self.booked_until = Some(booked);
        booked
            .saturating_duration_since(now)
            .saturating_sub(self.burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_at_once_and_the_rest_wait_their_turn() {
        let mut pace = Pace::new(5, 100);
        let now = Instant::now();
        let waits: Vec<Duration> = (0..8).map(|_| pace.turn(now)).collect();
        let ms = Duration::from_millis;
        assert_eq!(waits[..5], [Duration::ZERO; 5]);
        assert_eq!(waits[5..], [ms(10), ms(20), ms(30)]);
    }

    #[test]
    fn a_quiet_spell_refills_the_burst_and_no_more() {
        let mut pace = Pace::new(5, 100);
        let start = Instant::now();
        for _ in 0..8 {
            pace.turn(start);
        }
        // The last booked turn ended at 80 ms; a second later the whole
        // burst is back, but not a second's worth of connections.
        let later = start + Duration::from_secs(1);
        let waits: Vec<Duration> = (0..7).map(|_| pace.turn(later)).collect();
        assert_eq!(waits[..5], [Duration::ZERO; 5]);
        assert_eq!(
            waits[5..],
            [Duration::from_millis(10), Duration::from_millis(20)]
        );
    }

    #[test]
    fn zero_per_second_is_unpaced() {
        let mut pace = Pace::new(5, 0);
        let now = Instant::now();
        assert!((0..1000).all(|_| pace.turn(now).is_zero()));
    }
}
