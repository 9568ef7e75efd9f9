//! What the driver feeds into the [`Negotiator`](super::Negotiator), and the
//! peer-connection vocabulary it shares with the [`peer`](crate::peer) layer.

use videochat_protocol::{
    IceCandidate, Incoming, MediaState, PeerMessage, ProtocolError, RelayEvent,
};

/// One thing that happened, fed to [`Negotiator::handle`](super::Negotiator::handle)
/// together with the time it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The signaling WebSocket is open (answer to [`Action::ConnectSignaling`](super::Action::ConnectSignaling)).
    SignalingConnected,
    /// The signaling WebSocket could not be opened, or closed without our asking.
    SignalingLost,
    /// A ping or pong came from the relay: the socket is alive. (Every frame
    /// from the relay says so too.)
    SignalingAlive,
    /// A frame from the relay itself.
    Relay(RelayEvent),
    /// A frame relayed from the other peer.
    Peer(PeerMessage),
    /// A frame of a known type whose fields were wrong (from `Incoming::parse`).
    /// Frames of unknown types are not inputs: the driver drops them.
    Malformed(ProtocolError),
    /// Our camera and microphone are live and their tracks are on the peer connection.
    LocalMediaLive,
    /// [`Action::CreateOffer`](super::Action::CreateOffer) or
    /// [`Action::CreateAnswer`](super::Action::CreateAnswer) completed: the
    /// description was created and set as the local description.
    LocalDescription { kind: SdpKind, sdp: String },
    /// The ICE agent gathered one of our candidates.
    LocalCandidate(IceCandidate),
    /// The peer connection's state changed.
    ConnectionState(ConnectionState),
    /// No remote media for a while although the connection says connected
    /// (audio alone sends 50 packets a second, muted or not): the path is
    /// broken and ICE has not noticed yet. The UI shows `Reconnecting`.
    MediaStalled,
    /// Remote media arrives again after `MediaStalled`.
    MediaFlowing,
    /// A peer-connection operation the machine asked for (or the driver's
    /// making of the connection) failed.
    OperationFailed(PcOperation),
    /// The user muted or unmuted, or turned the camera off or on (the whole
    /// state, not a toggle, so a repeat is harmless).
    LocalMediaChanged(MediaState),
    /// The user hung up.
    HangUp,
    /// Nothing happened; time passed (see [`Output::Wait`](super::Output::Wait)).
    Tick,
}

/// The kind of a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpKind {
    /// `{"type":"offer"}`
    Offer,
    /// `{"type":"answer"}`
    Answer,
}

/// The peer connection's state, as `RTCPeerConnection.connectionState`
/// (ICE and DTLS together). The peer layer reports it; the machine acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Nothing tried yet.
    New,
    /// ICE checks or the DTLS handshake are under way.
    Connecting,
    /// Media can flow (DTLS-SRTP keys are in place).
    Connected,
    /// Connectivity lost; may come back by itself (or with an ICE restart).
    Disconnected,
    /// ICE or DTLS gave up: only an ICE restart can bring it back.
    Failed,
    /// Closed (treated like `Failed` when we did not ask for it).
    Closed,
}

/// The peer-connection operations the driver carries out, named in failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PcOperation {
    /// Making the peer connection itself (at start, or after a reset).
    CreateConnection,
    CreateOffer,
    CreateAnswer,
    SetRemoteDescription,
    AddRemoteCandidate,
}

impl PcOperation {
    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            PcOperation::CreateConnection => "create connection",
            PcOperation::CreateOffer => "create offer",
            PcOperation::CreateAnswer => "create answer",
            PcOperation::SetRemoteDescription => "set remote description",
            PcOperation::AddRemoteCandidate => "add remote candidate",
        }
    }
}

impl Input {
    /// True for what can only have come over an open signaling socket.
    pub fn is_from_relay(&self) -> bool {
        matches!(
            self,
            Input::SignalingAlive | Input::Relay(_) | Input::Peer(_) | Input::Malformed(_)
        )
    }

    /// The input for a received text frame, given `Incoming::parse(text)`;
    /// `None` for frames of unknown types, which peers ignore.
    pub fn from_frame(parsed: Result<Incoming, ProtocolError>) -> Option<Input> {
        match parsed {
            Ok(Incoming::Relay(event)) => Some(Input::Relay(event)),
            Ok(Incoming::Peer(message)) => Some(Input::Peer(message)),
            Ok(Incoming::Unknown) => None,
            Err(error) => Some(Input::Malformed(error)),
        }
    }
}

impl From<RelayEvent> for Input {
    fn from(event: RelayEvent) -> Self {
        Input::Relay(event)
    }
}

impl From<PeerMessage> for Input {
    fn from(message: PeerMessage) -> Self {
        Input::Peer(message)
    }
}
