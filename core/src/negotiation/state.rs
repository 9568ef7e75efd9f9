//! The call states a UI shows, and why a call ended or failed.

/// The state of the call, for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallState {
    /// Connecting to the relay and joining the room.
    Connecting,
    /// In the room, alone: waiting for the other person.
    WaitingForPeer,
    /// The other person is here; offer, answer and ICE are under way.
    Negotiating,
    /// Media flows.
    Connected,
    /// Media or signaling was lost; trying to get it back (ICE restart or
    /// reconnecting to the relay).
    Reconnecting,
    /// The call is over for an ordinary reason. Terminal.
    Ended(EndReason),
    /// The call broke. Terminal.
    Failed(CallFailure),
}

impl CallState {
    /// True for `Ended` and `Failed`: nothing happens after them.
    pub fn is_terminal(&self) -> bool {
        matches!(self, CallState::Ended(_) | CallState::Failed(_))
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndReason {
    /// We hung up.
    HungUp,
    /// The other person hung up (`bye`).
    PeerLeft,
    /// Two people were already in the room.
    RoomFull,
    /// Media could not be restored after the allowed ICE restarts.
    IceFailed,
    /// The relay could not be reached again after the allowed retries, and
    /// no media flowed to carry the call on without it.
    SignalingLost,
    /// The other side stopped replying: an offer or answer never came,
    /// even after ours was sent again.
    PeerUnresponsive,
}

/// Why a call failed: something no retry can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallFailure {
    /// The other peer sent a known message type with wrong fields.
    #[error("the other peer sent a malformed {kind} message")]
    MalformedMessage { kind: &'static str },
    /// The relay refused our room name.
    #[error("the relay refused the room name")]
    BadRoom,
    /// The other peer's session description was refused (no common codec, or
    /// an app that speaks another dialect).
    #[error("the other peer's session description was refused")]
    IncompatiblePeer,
    /// Our own WebRTC stack failed to make a connection, an offer or an answer.
    #[error("the WebRTC stack failed")]
    Internal,
}

/// Who makes the offer. The relay assigns it: `created` (or being the one who
/// stays after `peer-left`) makes the initiator; `joined` the answerer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Initiator,
    Answerer,
}
