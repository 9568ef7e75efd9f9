//! The `/ws` route: the WebSocket handshake (RFC 6455 section 4.2), done by
//! hand on hyper's upgrade so the relay runs on the workspace's
//! tokio-tungstenite and keeps the raw socket for a lingering close.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

use crate::burst_read::BurstRead;
use crate::connection;
use crate::hub::{Hub, Refusal};
use crate::limits::Limits;
use crate::origin::OriginPolicy;

/// What the WebSocket route needs.
#[derive(Debug, Clone)]
pub struct RelayState {
    pub hub: Arc<Hub>,
    pub limits: Arc<Limits>,
    pub origins: Arc<OriginPolicy>,
}

/// Upgrades `GET /ws` to a WebSocket and serves it in its own task.
pub async fn ws_handler(
    State(state): State<RelayState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
) -> Response {
    let headers = request.headers();
    if request.method() != Method::GET
        || !has_token(headers, header::CONNECTION, "upgrade")
        || !has_token(headers, header::UPGRADE, "websocket")
    {
        return (StatusCode::UPGRADE_REQUIRED, "WebSocket upgrade required").into_response();
    }
    if headers.get(header::SEC_WEBSOCKET_VERSION) != Some(&HeaderValue::from_static("13")) {
        return (StatusCode::BAD_REQUEST, "unsupported WebSocket version").into_response();
    }
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
        return (StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key").into_response();
    };
    let origin = headers.get(header::ORIGIN).map(HeaderValue::to_str);
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok());
    let allowed = match origin {
        None => state.origins.allows(None, host),
        Some(Ok(origin)) => state.origins.allows(Some(origin), host),
        Some(Err(_)) => false,
    };
    if !allowed {
        return (
            StatusCode::FORBIDDEN,
            "this page's origin may not use the relay",
        )
            .into_response();
    }
    let accept = derive_accept_key(key.as_bytes());
    let admission = match state.hub.admit(peer.ip()) {
        Ok(admission) => admission,
        Err(Refusal::Relay) => {
            tracing::warn!("connection limit reached: refusing a WebSocket");
            return (StatusCode::SERVICE_UNAVAILABLE, "too many connections").into_response();
        }
        Err(Refusal::Address) => {
            // Not logged per refusal: a flood would flood the log too.
            return (
                StatusCode::TOO_MANY_REQUESTS,
                "too many connections from your address",
            )
                .into_response();
        }
    };

    let on_upgrade = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(upgraded) => upgraded,
            Err(error) => {
                tracing::debug!(%error, "WebSocket upgrade failed");
                return;
            }
        };
        let limits = &state.limits;
        let config = WebSocketConfig::default()
            .read_buffer_size(limits.read_buffer_bytes)
            .write_buffer_size(0)
            .max_write_buffer_size(limits.max_write_buffer_bytes)
            .max_message_size(Some(limits.max_message_bytes))
            .max_frame_size(Some(limits.max_message_bytes));
        let socket = WebSocketStream::from_raw_socket(
            BurstRead::new(TokioIo::new(upgraded)),
            Role::Server,
            Some(config),
        )
        .await;
        let (mut sink, mut stream) = socket.split();
        let end =
            connection::serve(&mut sink, &mut stream, &state.hub, limits, admission.ip()).await;
        if end.is_abuse() {
            admission.abused();
        }
        if end.wants_linger()
            && let Ok(socket) = sink.reunite(stream)
        {
            linger(socket.into_inner(), limits).await;
        }
        // Before the socket closes (at the end of this task): a client that
        // saw it close may connect again at once.
        drop(admission);
    });

    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// Half-closes the socket and reads (discarding) until the client closes
/// too, so our close frame is not wiped out by a reset for unread data.
async fn linger<S>(mut io: S, limits: &Limits)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let drain = async {
        let _ = io.shutdown().await;
        let mut buffer = [0u8; 4096];
        let mut budget = 16 * limits.max_message_bytes;
        while budget > 0 {
            match io.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => budget = budget.saturating_sub(n),
            }
        }
    };
    let _ = tokio::time::timeout(limits.linger, drain).await;
}

/// True if the comma-separated header `name` lists `token` (any case).
fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|part| part.trim().eq_ignore_ascii_case(token))
}
