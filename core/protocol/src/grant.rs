//! What the relay hands a member with `created`, `joined` or `resumed`: a
//! session token to take its slot back, and ICE servers to use.

use serde::{Deserialize, Serialize};

/// Extra fields of `created`, `joined` and `resumed`; both are absent unless
/// the client asked to resume, or the relay hands out TURN credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// 128 random bits (32 hex digits): `join` with it takes this slot back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// ICE servers for this member, in `RTCIceServer`'s shape (so a browser
    /// can pass them to `RTCPeerConnection` as they are); usually one TURN
    /// server with a short-lived credential.
    #[serde(default, rename = "iceServers", skip_serializing_if = "Vec::is_empty")]
    pub ice_servers: Vec<IceServer>,
}

/// One STUN or TURN server, as `RTCIceServer`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

impl std::fmt::Debug for IceServer {
    // The credential is a secret: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field("credential", &self.credential.as_ref().map(|_| "<secret>"))
            .finish()
    }
}

/// A fresh unguessable token: 128 random bits as 32 hex digits (room names,
/// session tokens, call ids).
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
