//! The checks every remote SDP and candidate line passes before webrtc-rs
//! applies it: size bounds, then webrtc-rs's own parser with its panics
//! caught. Pure functions, so the fuzz targets (`fuzz/`) call exactly what
//! [`Peer`](super::Peer) calls.

use rtc::peer_connection::sdp::RTCSessionDescription;
use videochat_protocol::IceCandidate;

use super::error::PeerError;
use crate::negotiation::SdpKind;

/// Largest SDP we parse (browsers' offers are ~5 KB).
pub const MAX_SDP_BYTES: usize = 256 * 1024;
/// Largest candidate line we parse.
pub const MAX_CANDIDATE_BYTES: usize = 1024;

/// Parses a remote offer or answer.
pub fn parse_description(kind: SdpKind, sdp: String) -> Result<RTCSessionDescription, PeerError> {
    if sdp.len() > MAX_SDP_BYTES {
        return Err(PeerError::SdpTooLarge(sdp.len()));
    }
    std::panic::catch_unwind(|| match kind {
        SdpKind::Offer => RTCSessionDescription::offer(sdp),
        SdpKind::Answer => RTCSessionDescription::answer(sdp),
    })
    .map_err(|_| panicked("parse description"))?
    .map_err(PeerError::BadSdp)
}

/// Checks a remote candidate line (`candidate:...`, `a=` optional). The
/// end-of-candidates marker (empty line) passes.
pub fn check_candidate(candidate: &IceCandidate) -> Result<(), PeerError> {
    if candidate.is_end_of_candidates() {
        return Ok(());
    }
    if candidate.candidate.len() > MAX_CANDIDATE_BYTES {
        return Err(PeerError::CandidateTooLong(candidate.candidate.len()));
    }
    let line = candidate.candidate.trim();
    let line = line.strip_prefix("a=").unwrap_or(line);
    let line = line.strip_prefix("candidate:").unwrap_or(line);
    std::panic::catch_unwind(|| rtc::ice::candidate::unmarshal_candidate(line))
        .map_err(|_| panicked("parse candidate"))?
        .map(drop)
        .map_err(PeerError::BadCandidate)
}

/// Logs a panic webrtc-rs raised on remote input, as the error it becomes.
pub(super) fn panicked(operation: &'static str) -> PeerError {
    tracing::error!(operation, "webrtc-rs panicked; caught");
    PeerError::Panicked { operation }
}
