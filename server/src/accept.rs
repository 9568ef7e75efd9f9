//! The relay's listener: what happens to a socket as it is accepted, before
//! anything is read. A barred address's socket (`PerAddress::abused`) is
//! closed inside the accept loop, before the runtime knows of it: no task,
//! no epoll registration, no wake-up of another worker. A reconnecting
//! abuser then costs the relay an `accept` and a `close` and nothing that
//! queues in front of the calls it carries. The others get `TCP_NODELAY`
//! (signaling frames are small and latency-bound).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::connect_info::Connected;
use axum_server::{AddrListener, Address};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::net::TcpStream;

use crate::hub::Hub;

/// The address a client connected from: the relay's `axum_server::Address`.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl Address for Peer {
    type Stream = TcpStream;
    type Listener = RelayListener;
}

impl Connected<Peer> for SocketAddr {
    fn connect_info(peer: Peer) -> SocketAddr {
        peer.0
    }
}

/// A bound TCP listener that refuses barred addresses as it accepts.
pub struct RelayListener {
    listener: AsyncFd<std::net::TcpListener>,
    hub: Arc<Hub>,
}

impl RelayListener {
    /// Wraps a bound, listening socket. Must be called within the runtime.
    pub fn new(listener: std::net::TcpListener, hub: Arc<Hub>) -> io::Result<RelayListener> {
        listener.set_nonblocking(true)?;
        // SAFETY: the std listener owns its descriptor and keeps it open,
        // the same one, until the AsyncFd that owns the listener drops it.
        let listener = unsafe { AsyncFd::register_with_interest(listener, Interest::READABLE) }
            .map_err(|error| error.into_parts().1)?;
        Ok(RelayListener { listener, hub })
    }

    /// The next socket from an address that is not barred, registered with
    /// the runtime.
    async fn accept(&self) -> io::Result<(TcpStream, Peer)> {
        loop {
            let mut ready = self.listener.readable().await?;
            // Takes everything queued before waiting again: one readiness
            // event can stand for many barred connections.
            loop {
                let (stream, peer) = match ready.try_io(|listener| listener.get_ref().accept()) {
                    Ok(accepted) => accepted?,
                    Err(_would_block) => break,
                };
                if self.hub.is_barred(peer.ip()) {
                    // Not logged: a barred flood would flood the log.
                    drop(stream);
                    continue;
                }
                // A socket that cannot be set up (reset already) is that
                // client's loss; an error here would pause all accepting.
                let ready = stream.set_nonblocking(true).and(stream.set_nodelay(true));
                if let Ok(stream) = ready.and_then(|()| TcpStream::from_std(stream)) {
                    return Ok((stream, Peer(peer)));
                }
            }
        }
    }
}

impl AddrListener<TcpStream, Peer> for RelayListener {
    async fn bind_to(_addr: Peer) -> io::Result<Self> {
        // The relay binds its own socket (with its backlog) and wraps it.
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "a RelayListener wraps a socket the relay bound: use RelayListener::new",
        ))
    }

    async fn accept_stream(&self) -> io::Result<(TcpStream, Peer)> {
        self.accept().await
    }

    fn get_local_addr(&self) -> io::Result<Peer> {
        self.listener.get_ref().local_addr().map(Peer)
    }
}
