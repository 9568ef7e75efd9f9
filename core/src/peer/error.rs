//! The one error type of the peer layer.

/// Why a peer operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerError {
    /// The remote's SDP could not be parsed or applied.
    #[error("bad session description: {0}")]
    BadSdp(String),
    /// The remote's ICE candidate could not be parsed or applied.
    #[error("bad ICE candidate: {0}")]
    BadCandidate(String),
    /// The configuration was refused (e.g. a malformed ICE server URL).
    #[error("bad peer configuration: {0}")]
    BadConfig(String),
    /// ICE or DTLS failed; media cannot flow until an ICE restart succeeds.
    #[error("ICE/DTLS connection failed")]
    ConnectionFailed,
    /// Media cannot be sent or requested yet (not connected).
    #[error("not connected")]
    NotConnected,
    /// The peer was closed.
    #[error("peer closed")]
    Closed,
    /// webrtc-rs failed in a way the caller cannot fix.
    #[error("internal WebRTC error: {0}")]
    Internal(String),
}

impl PeerError {
    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        Self::Internal(e.to_string())
    }
}
