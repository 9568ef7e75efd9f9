//! The videochat signaling relay (`docs/protocol.md`) and the web client's
//! file server.
//!
//! Each WebSocket on `/ws` gets one task ([`connection::serve`]) that reads
//! frames, writes its bounded queue, pings, and watches for silence. The
//! [`hub::Hub`] holds the rooms ([`rooms::Rooms`]) and routes frames between
//! the two members of a room by `try_send` into the other's queue, or keeps
//! them for a member that is away (lost its socket, may resume):
//!
//! ```text
//! client A ──ws──▶ connection A ──try_send──▶ queue B ──▶ connection B ──ws──▶ client B
//!                        └──── Hub { rooms: room → (initiator, other) } ────┘
//!                                       └─ away member: kept frames (bounded) until it
//!                                          resumes or its grace expires
//! ```

pub mod accept;
mod burst_read;
pub mod cluster;
pub mod config;
pub mod connection;
pub mod frame;
pub mod handle;
pub mod hub;
pub mod kept;
pub mod limits;
pub mod metrics;
pub mod open_files;
pub mod origin;
pub mod per_address;
pub mod rate_limit;
pub mod redis_target;
pub mod rooms;
pub mod static_files;
pub mod tls;
pub mod turn;
pub mod upgrade;

use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use axum_server::tls_rustls::RustlsAcceptor;
use tokio::net::TcpSocket;
use videochat_protocol::WS_PATH;

use crate::accept::{ClientAddr, RelayListener};
use crate::config::Config;
use crate::hub::Hub;
use crate::upgrade::RelayState;

/// Pending connections the kernel queues before `accept`.
const LISTEN_BACKLOG: u32 = 4096;

/// Why the relay could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Cluster(#[from] cluster::ClusterError),
    #[error("the server stopped: {0}")]
    Serve(#[from] std::io::Error),
}

/// The HTTP routes: `/ws`, `/healthz`, `/metrics`, and the web client.
pub fn router(hub: Arc<Hub>, config: &Config) -> Router {
    let metrics_hub = hub.clone();
    let metrics = get(|| async move {
        let content_type = "text/plain; version=0.0.4; charset=utf-8";
        (
            [(header::CONTENT_TYPE, content_type)],
            metrics_hub.render_metrics().await,
        )
    });
    let state = RelayState {
        hub,
        limits: Arc::new(config.limits.clone()),
        origins: Arc::new(config.origins.clone()),
    };
    Router::new()
        .route(WS_PATH, get(upgrade::ws_handler))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", metrics)
        .fallback(get(static_files::serve))
        .with_state(state)
}

/// Binds, prints `listening on <scheme>://<addr>` as the first stdout line,
/// and serves until the process ends.
pub async fn run(config: Config) -> Result<(), ServerError> {
    let bind_error = |source| ServerError::Bind {
        addr: config.listen,
        source,
    };
    let listener = bind(config.listen).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let tls = config.tls.as_ref().map(tls::load).transpose()?;
    match open_files::raise_to_hard_limit() {
        Ok(open_files) => {
            tracing::info!(open_files, "open-file limit");
            // Each connection is a descriptor; a few more are the listener,
            // stdio and the runtime's own.
            if open_files < config.limits.max_connections as u64 + 64 {
                tracing::warn!(
                    open_files,
                    max_connections = config.limits.max_connections,
                    "the open-file limit is below --max-connections: raise the hard limit \
                     (LimitNOFILE= in systemd, ulimit -Hn)"
                );
            }
        }
        Err(error) => tracing::warn!(%error, "cannot raise the open-file limit"),
    }
    let cluster = match &config.redis {
        Some(redis) => Some(cluster::Cluster::connect(redis, &config.limits).await?),
        None => None,
    };
    let hub = Hub::with_cluster(&config.limits, config.turn.clone(), cluster);
    tokio::spawn(hub.clone().expire_away_members());
    let listener = RelayListener::new(listener, hub.clone(), &config.limits).map_err(bind_error)?;
    let app = router(hub, &config);
    let server = axum_server::Server::<ClientAddr>::from_listener(listener);

    let scheme = if tls.is_some() { "https" } else { "http" };
    announce(&format!("listening on {scheme}://{addr}"))?;
    tracing::info!(tls = tls.is_some(), "relay started");

    match tls {
        Some(tls) => {
            server
                .acceptor(RustlsAcceptor::new(tls))
                .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                .await?;
        }
        None => {
            server
                .serve(app.into_make_service_with_connect_info::<SocketAddr>())
                .await?;
        }
    }
    Ok(())
}

/// Binds with a backlog long enough for a crowd connecting at once (std's
/// default of 128 makes the rest wait a SYN retransmission, a second).
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)?.into_std()
}

/// Writes the line scripts wait for, flushed at once.
fn announce(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}
