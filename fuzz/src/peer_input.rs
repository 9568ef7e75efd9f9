//! What the peer layer does with a remote SDP or candidate line before
//! webrtc-rs applies it (`videochat_core::peer::{parse_description,
//! check_candidate}`): refuse it with an error, or accept it; never panic.
//! A webrtc-rs panic that the peer layer catches still fails this target
//! (it is a bug to report upstream): under libFuzzer its panic hook aborts
//! first, elsewhere the caught panic's error is asserted against.

use videochat_core::negotiation::SdpKind;
use videochat_core::peer::{PeerError, check_candidate, parse_description};
use videochat_protocol::IceCandidate;

/// Input: one selector byte (candidate, offer or answer), then the text.
pub fn peer_input(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let result = match which % 3 {
        0 => {
            let candidate = IceCandidate {
                candidate: text,
                sdp_mline_index: Some(0),
                sdp_mid: Some("0".to_owned()),
                username_fragment: None,
            };
            check_candidate(&candidate)
        }
        1 => parse_description(SdpKind::Offer, text).map(drop),
        _ => parse_description(SdpKind::Answer, text).map(drop),
    };
    if let Err(error @ PeerError::Panicked { .. }) = result {
        panic!("{error}");
    }
}
