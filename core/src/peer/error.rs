//! The one error type of the peer layer.

/// The errors webrtc-rs reports.
pub type WebRtcError = webrtc::error::Error;

/// Why a peer operation failed.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// The remote's SDP is larger than any real one.
    #[error("session description of {0} bytes is too large")]
    SdpTooLarge(usize),
    /// The remote's SDP could not be parsed or applied.
    #[error("bad session description: {0}")]
    BadSdp(#[source] WebRtcError),
    /// The remote's candidate line is longer than any real one.
    #[error("ICE candidate line of {0} bytes is too long")]
    CandidateTooLong(usize),
    /// The remote's ICE candidate could not be parsed or applied (also: no
    /// remote description yet; the negotiator holds early candidates back).
    #[error("bad ICE candidate: {0}")]
    BadCandidate(#[source] WebRtcError),
    /// The configuration was refused (e.g. a malformed ICE server URL).
    #[error("bad peer configuration: {0}")]
    BadConfig(#[source] WebRtcError),
    /// ICE or DTLS failed; media cannot flow until an ICE restart succeeds.
    #[error("ICE/DTLS connection failed")]
    ConnectionFailed,
    /// Media cannot be sent or requested yet (not connected).
    #[error("not connected")]
    NotConnected,
    /// The peer was closed.
    #[error("peer closed")]
    Closed,
    /// webrtc-rs panicked on remote input; the panic was caught. Always a bug
    /// to report upstream, never a normal refusal (tests assert it never happens).
    #[error("webrtc-rs panicked during {operation}")]
    Panicked { operation: &'static str },
    /// webrtc-rs failed in a way the caller cannot fix.
    #[error("internal WebRTC error: {0}")]
    Internal(#[source] WebRtcError),
}
