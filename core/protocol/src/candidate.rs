use serde::{Deserialize, Serialize};

/// A trickled ICE candidate in the tutorial's shape (docs/protocol.md):
/// `{"type":"candidate","label":0,"id":"0","candidate":"candidate:..."}`.
///
/// Also accepts the field names of a browser's `RTCIceCandidate.toJSON()`
/// (`sdpMLineIndex`, `sdpMid`, `usernameFragment`), so a client that forwards
/// that object as is still interoperates. An empty `candidate` string is the
/// browser's end-of-candidates marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceCandidate {
    /// The `candidate:...` attribute line (without `a=`).
    pub candidate: String,
    /// The m-line index (`sdpMLineIndex`).
    #[serde(rename = "label", alias = "sdpMLineIndex", default)]
    pub sdp_mline_index: Option<u16>,
    /// The media id (`sdpMid`).
    #[serde(rename = "id", alias = "sdpMid", default)]
    pub sdp_mid: Option<String>,
    /// The ICE username fragment, when the sender gave one.
    #[serde(
        rename = "usernameFragment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub username_fragment: Option<String>,
}

impl IceCandidate {
    /// True for the end-of-candidates marker (an empty candidate line).
    pub fn is_end_of_candidates(&self) -> bool {
        self.candidate.is_empty()
    }
}
