//! What happens to a socket as it is accepted, before anything is read:
//! a barred address's socket is closed at once (`PerAddress::abused`), the
//! others get `TCP_NODELAY` (signaling frames are small and latency-bound).

use std::future::{Ready, ready};
use std::io;
use std::sync::Arc;

use axum_server::accept::{Accept, NoDelayAcceptor};
use tokio::net::TcpStream;

use crate::hub::Hub;

/// The relay's acceptor; see the module docs.
#[derive(Clone)]
pub struct RelayAcceptor {
    hub: Arc<Hub>,
}

impl RelayAcceptor {
    pub fn new(hub: Arc<Hub>) -> Self {
        RelayAcceptor { hub }
    }
}

impl<S> Accept<TcpStream, S> for RelayAcceptor {
    type Stream = TcpStream;
    type Service = S;
    type Future = Ready<io::Result<(TcpStream, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let barred = stream
            .peer_addr()
            .is_ok_and(|peer| self.hub.is_barred(peer.ip()));
        if barred {
            // Not logged: a barred flood would flood the log.
            let barred = io::Error::new(io::ErrorKind::PermissionDenied, "address barred");
            return ready(Err(barred));
        }
        NoDelayAcceptor.accept(stream, service)
    }
}
