//! The signaling client: one WebSocket to the relay (see `docs/protocol.md`).
//!
//! [`connect`] returns a sender and a receiver so the call driver can wait on
//! incoming frames while other tasks send.

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use videochat_protocol::{ClientRequest, Incoming, MAX_MESSAGE_BYTES, PeerMessage, ProtocolError};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What went wrong with the signaling connection.
#[derive(Debug, thiserror::Error)]
pub enum SignalingError {
    /// The relay URL is not a `ws://` or `wss://` URL.
    #[error("invalid relay URL: {0:?}")]
    InvalidUrl(String),
    /// The relay could not be reached or refused the WebSocket upgrade.
    #[error("cannot connect to the relay: {0}")]
    Connect(#[source] tungstenite::Error),
    /// The connection broke or was closed.
    #[error("the signaling connection was lost: {0}")]
    Lost(#[source] tungstenite::Error),
    /// A frame from the relay could not be understood (the connection stays up).
    #[error("bad frame from the relay: {0}")]
    Protocol(#[from] ProtocolError),
}

/// The sending half.
pub struct SignalingSender {
    sink: SplitSink<Socket, Message>,
}

/// The receiving half.
pub struct SignalingReceiver {
    stream: SplitStream<Socket>,
}

/// Whether `url` can be a relay's address: `ws://` or `wss://` and a host.
pub fn is_relay_url(url: &str) -> bool {
    ["ws://", "wss://"].iter().any(|scheme| {
        url.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// Opens a WebSocket to the relay at `url` (e.g. `ws://host:8080/ws`).
pub async fn connect(url: &str) -> Result<(SignalingSender, SignalingReceiver), SignalingError> {
    if !is_relay_url(url) {
        return Err(SignalingError::InvalidUrl(url.to_owned()));
    }
    // Small buffers: signaling frames are small and bounded by the protocol.
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0);
    let (socket, _response) = tokio_tungstenite::connect_async_with_config(url, Some(config), true)
        .await
        .map_err(|e| match e {
            tungstenite::Error::Url(_) => SignalingError::InvalidUrl(url.to_owned()),
            e => SignalingError::Connect(e),
        })?;
    let (sink, stream) = socket.split();
    Ok((SignalingSender { sink }, SignalingReceiver { stream }))
}

impl SignalingSender {
    /// Asks the relay to put us in `room`, resumably: with `session`, back
    /// into the slot that token names.
    pub async fn join(
        &mut self,
        room: &str,
        session: Option<String>,
    ) -> Result<(), SignalingError> {
        let request = ClientRequest::Join {
            room: room.to_owned(),
            resume: true,
            session,
        };
        let text = serde_json::to_string(&request).expect("a join request always serializes");
        self.send_text(text).await
    }

    /// Sends a message to the other peer, through the relay.
    pub async fn send(&mut self, message: &PeerMessage) -> Result<(), SignalingError> {
        self.send_text(message.to_json()).await
    }

    /// Sends a WebSocket ping; the relay's pong proves the socket alive.
    pub async fn ping(&mut self) -> Result<(), SignalingError> {
        self.sink
            .send(Message::Ping(Default::default()))
            .await
            .map_err(SignalingError::Lost)
    }

    /// Closes the WebSocket politely.
    pub async fn close(&mut self) -> Result<(), SignalingError> {
        self.sink.close().await.map_err(SignalingError::Lost)
    }

    async fn send_text(&mut self, text: String) -> Result<(), SignalingError> {
        self.sink
            .send(Message::text(text))
            .await
            .map_err(SignalingError::Lost)
    }
}

/// What came from the relay.
#[derive(Debug)]
pub enum Received {
    /// A text frame.
    Frame(Incoming),
    /// A ping or pong: the socket is alive.
    Alive,
}

impl SignalingReceiver {
    /// The next frame from the relay. `None` once the connection is closed;
    /// `Some(Err(Protocol))` for a frame that could not be understood (the
    /// connection stays up); `Some(Err(Lost))` when it broke.
    pub async fn next(&mut self) -> Option<Result<Received, SignalingError>> {
        loop {
            let message = match self.stream.next().await? {
                Ok(message) => message,
                Err(e) => return Some(Err(SignalingError::Lost(e))),
            };
            return Some(match message {
                Message::Text(text) => Incoming::parse(&text)
                    .map(Received::Frame)
                    .map_err(Into::into),
                // tungstenite answers pings itself.
                Message::Ping(_) | Message::Pong(_) => Ok(Received::Alive),
                Message::Close(_) => return None,
                // Binary frames are not ours.
                _ => continue,
            });
        }
    }
}
