//! The records and enums of the foreign API.
//!
//! Where the core's type is exactly what the UI needs (`VideoSettings`, `CameraFacing`,
//! `EndReason`), it is declared again with `#[uniffi::remote]` so UniFFI can generate it; the
//! compiler checks the declarations agree, and no conversion is written. The others are shaped
//! for the UI (owned strings, optional fields, the frame format) and convert from the core's.

use videochat_core::call as core_call;
pub use videochat_core::call::{CameraFacing, EndReason, MediaState, VideoSettings};
use videochat_core::peer as core_peer;

use crate::frame::FrameFormat;

/// Everything needed to place a call. Kotlin: `CallConfig(relayUrl = ..., room = ...)`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CallConfig {
    /// The relay's WebSocket URL, `ws://host:port/ws` or `wss://host/ws`.
    pub relay_url: String,
    /// The room both people enter (1-64 letters, digits, `-` or `_`).
    pub room: String,
    /// STUN and TURN servers. Empty: host candidates only (same LAN). Google's public STUN
    /// server is `default_ice_servers()`.
    #[uniffi(default = [])]
    pub ice_servers: Vec<IceServer>,
    /// Limits for the video we send.
    #[uniffi(default)]
    pub video: VideoSettings,
    /// The pixel layout remote frames are delivered in (`Rgba` for a Bitmap, `I420` for a GPU).
    pub remote_video_format: FrameFormat,
    /// Use the loopback interface only (127.0.0.1): two peers on one machine (tests, demos).
    #[uniffi(default = false)]
    pub include_loopback: bool,
    /// Media only through TURN (`iceTransportPolicy: "relay"`): the other side never
    /// learns this device's addresses. Needs a TURN server, configured or from the relay.
    #[uniffi(default = false)]
    pub relay_only: bool,
}

/// One STUN or TURN server (TURN over UDP only).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IceServer {
    /// `stun:host:port` or `turn:host:port?transport=udp` URLs of one server.
    pub urls: Vec<String>,
    /// TURN user name; `null` for STUN.
    #[uniffi(default = None)]
    pub username: Option<String>,
    /// TURN password; `null` for STUN.
    #[uniffi(default = None)]
    pub credential: Option<String>,
}

/// Limits for the video we send; the bitrate controller adapts within them.
#[uniffi::remote(Record)]
pub struct VideoSettings {
    /// Frame rate the encoder plans for (1-60); faster camera input is thinned.
    #[uniffi(default = 30)]
    pub max_fps: u32,
    /// The bitrate controller never goes below this.
    #[uniffi(default = 150)]
    pub min_bitrate_kbps: u32,
    /// The bitrate the call starts with (between min and max).
    #[uniffi(default = 600)]
    pub start_bitrate_kbps: u32,
    /// The bitrate controller never goes above this.
    #[uniffi(default = 2500)]
    pub max_bitrate_kbps: u32,
}

/// Which camera feeds the call, in the W3C `facingMode` words the web client uses.
#[uniffi::remote(Enum)]
pub enum CameraFacing {
    /// The front camera, facing the user. Its self-view is mirrored (see
    /// `mirrors_self_view`); what is sent never is.
    User,
    /// The rear camera, facing the scene. Never mirrored.
    Environment,
}

/// Whether the other person's microphone and camera are on (`CallListener.onRemoteMediaChanged`).
#[uniffi::remote(Record)]
pub struct MediaState {
    /// The microphone is on; false: show "Muted" on the remote tile.
    pub audio: bool,
    /// The camera is on; false: show an avatar or "Camera off", not the last frame.
    pub video: bool,
}

/// Where a call is, for the UI. The last state of every call is `Ended` or `Failed`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CallState {
    /// Reaching the relay and joining the room.
    Connecting,
    /// In the room alone, waiting for the other person.
    WaitingForPeer,
    /// The other person is here; offer, answer and ICE are under way.
    Negotiating,
    /// Media flows both ways.
    Connected,
    /// Media or the relay was lost; trying to get it back.
    Reconnecting,
    /// The call is over for an ordinary reason.
    Ended {
        /// Why.
        reason: EndReason,
    },
    /// The call broke; no retry can fix it.
    Failed {
        /// What broke.
        failure: CallFailure,
    },
}

/// Why a call ended.
#[uniffi::remote(Enum)]
pub enum EndReason {
    /// We hung up.
    HungUp,
    /// The other person hung up or left.
    PeerLeft,
    /// Two people were already in the room.
    RoomFull,
    /// Media could not be restored (network changed for good, or no route between peers).
    IceFailed,
    /// The relay could not be reached again, and no media carried the call on.
    SignalingLost,
    /// The other side stopped replying (its offer or answer never came).
    PeerUnresponsive,
}

/// What broke a call.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CallFailure {
    /// The other side sent a message we cannot use (a bug or an incompatible app version).
    MalformedMessage {
        /// The message type, e.g. "offer".
        kind: String,
    },
    /// The relay refused the room name.
    BadRoom,
    /// The other side's session description was refused (no common codec, or an app that
    /// speaks another dialect): updating one of the apps may help.
    IncompatiblePeer,
    /// This device's WebRTC stack failed to set the call up (a bug or an exhausted resource).
    Internal,
}

/// Google's public STUN server (`stun:stun.l.google.com:19302`), as in the web client: enough for most home
/// networks; add a TURN server for symmetric NATs and strict mobile networks.
#[uniffi::export]
pub fn default_ice_servers() -> Vec<IceServer> {
    vec![IceServer {
        urls: vec![videochat_core::peer::DEFAULT_STUN_URL.to_owned()],
        username: None,
        credential: None,
    }]
}

impl From<core_call::CallFailure> for CallFailure {
    fn from(failure: core_call::CallFailure) -> Self {
        match failure {
            core_call::CallFailure::MalformedMessage { kind } => Self::MalformedMessage {
                kind: kind.to_owned(),
            },
            core_call::CallFailure::BadRoom => Self::BadRoom,
            core_call::CallFailure::IncompatiblePeer => Self::IncompatiblePeer,
            core_call::CallFailure::Internal => Self::Internal,
        }
    }
}

impl From<core_call::CallState> for CallState {
    fn from(state: core_call::CallState) -> Self {
        match state {
            core_call::CallState::Connecting => Self::Connecting,
            core_call::CallState::WaitingForPeer => Self::WaitingForPeer,
            core_call::CallState::Negotiating => Self::Negotiating,
            core_call::CallState::Connected => Self::Connected,
            core_call::CallState::Reconnecting => Self::Reconnecting,
            core_call::CallState::Ended(reason) => Self::Ended { reason },
            core_call::CallState::Failed(error) => Self::Failed {
                failure: error.into(),
            },
        }
    }
}

impl From<CallConfig> for core_call::CallConfig {
    fn from(config: CallConfig) -> Self {
        Self {
            relay_url: config.relay_url,
            room: config.room,
            ice_servers: config.ice_servers.into_iter().map(Into::into).collect(),
            video: config.video,
            include_loopback: config.include_loopback,
            relay_only: config.relay_only,
        }
    }
}

impl From<IceServer> for core_peer::IceServer {
    fn from(server: IceServer) -> Self {
        Self {
            urls: server.urls,
            username: server.username.unwrap_or_default(),
            credential: server.credential.unwrap_or_default(),
        }
    }
}

/// Whether the local preview of `facing` should be mirrored: only the user camera's, as a
/// mirror would show it.
#[uniffi::export]
pub fn mirrors_self_view(facing: CameraFacing) -> bool {
    facing.mirrors_self_view()
}
