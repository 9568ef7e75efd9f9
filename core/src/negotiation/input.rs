//! What the driver feeds into the [`Negotiator`](super::Negotiator).

use videochat_protocol::{IceCandidate, Incoming, PeerMessage, ProtocolError, RelayEvent};

/// One thing that happened, fed to [`Negotiator::handle`](super::Negotiator::handle)
/// together with the time it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The signaling WebSocket is open (answer to [`Action::ConnectSignaling`](super::Action::ConnectSignaling)).
    SignalingConnected,
    /// The signaling WebSocket could not be opened, or closed without our asking.
    SignalingLost,
    /// A frame from the relay itself.
    Relay(RelayEvent),
    /// A frame relayed from the other peer.
    Peer(PeerMessage),
    /// A frame of a known type whose fields were wrong (from `Incoming::parse`).
    /// Frames of unknown types are not inputs: the driver drops them.
    Malformed(ProtocolError),
    /// Our camera and microphone are live and their tracks are on the peer connection.
    LocalMediaLive,
    /// The peer connection event or result the driver observed.
    PeerConnection(PcEvent),
    /// The user hung up.
    HangUp,
    /// Nothing happened; time passed (see [`Negotiator::poll_timeout`](super::Negotiator::poll_timeout)).
    Tick,
}

/// Events and results from the peer connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PcEvent {
    /// [`Action::CreateOffer`](super::Action::CreateOffer) or
    /// [`Action::CreateAnswer`](super::Action::CreateAnswer) completed: the
    /// description was created and set as the local description.
    LocalDescription { kind: SdpKind, sdp: String },
    /// The ICE agent gathered one of our candidates (`on_ice_candidate`).
    /// The end of gathering (`None`) is not reported.
    LocalCandidate(IceCandidate),
    /// The peer connection's state changed (`on_peer_connection_state_change`).
    StateChanged(PcState),
    /// An operation the machine asked for failed.
    OperationFailed(PcOperation),
}

/// The kind of a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SdpKind {
    Offer,
    Answer,
}

/// `RTCPeerConnectionState`, mapped by the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PcState {
    New,
    Connecting,
    Connected,
    /// Connectivity lost, may come back by itself.
    Disconnected,
    /// ICE gave up: only an ICE restart can bring it back.
    Failed,
    /// Closed without our asking (treated like `Failed`).
    Closed,
}

/// The peer-connection operations the machine asks for, named in failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PcOperation {
    CreateOffer,
    CreateAnswer,
    SetRemoteDescription,
    AddRemoteCandidate,
}

impl PcOperation {
    /// A short name for logs and errors.
    pub fn name(self) -> &'static str {
        match self {
            PcOperation::CreateOffer => "create offer",
            PcOperation::CreateAnswer => "create answer",
            PcOperation::SetRemoteDescription => "set remote description",
            PcOperation::AddRemoteCandidate => "add remote candidate",
        }
    }
}

impl Input {
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

impl From<PcEvent> for Input {
    fn from(event: PcEvent) -> Self {
        Input::PeerConnection(event)
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
