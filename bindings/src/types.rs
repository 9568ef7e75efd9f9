//! FFI-owned records and enums, converted from and to the core's types.
//!
//! They mirror the core's types field for field but are owned here, so the core stays free of
//! UniFFI and the foreign API changes only when we choose.

use videochat_core::call as core_call;
use videochat_core::negotiation as core_neg;
use videochat_core::peer as core_peer;

use crate::frame::FrameFormat;

/// Everything needed to place a call. Kotlin: `CallConfig(relayUrl = ..., room = ...)`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CallConfig {
    /// The relay's WebSocket URL, `ws://host:port/ws` or `wss://host/ws`.
    pub relay_url: String,
    /// The room both people enter (1-64 letters, digits, `-` or `_`).
    pub room: String,
    /// STUN and TURN servers. Empty: host candidates only (same LAN). The seed's public STUN
    /// server is `default_ice_servers()`.
    #[uniffi(default = [])]
    pub ice_servers: Vec<IceServer>,
    /// Limits for the video we send.
    #[uniffi(default)]
    pub video: VideoSettings,
    /// The pixel layout remote frames are delivered in (`Rgba` for a Bitmap, `I420` for a GPU).
    pub remote_video_format: FrameFormat,
    /// Also offer loopback addresses: only for two peers on one machine (tests, demos).
    #[uniffi(default = false)]
    pub include_loopback: bool,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct VideoSettings {
    /// Frame rate the encoder plans for (1-60); faster camera input is thinned.
    #[uniffi(default = 30)]
    pub max_fps: u32,
    /// The bitrate controller never goes below this.
    #[uniffi(default = 150)]
    pub min_bitrate_kbps: u32,
    /// The bitrate the call starts with (between min and max).
    #[uniffi(default = 1200)]
    pub start_bitrate_kbps: u32,
    /// The bitrate controller never goes above this.
    #[uniffi(default = 2500)]
    pub max_bitrate_kbps: u32,
}

impl Default for VideoSettings {
    fn default() -> Self {
        core_call::VideoSettings::default().into()
    }
}

/// Which camera feeds the call, in the W3C words the seed uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CameraFacing {
    /// The front camera, facing the user. Its self-view is mirrored (see
    /// `mirrors_self_view`); what is sent never is.
    User,
    /// The rear camera, facing the scene. Never mirrored.
    Environment,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EndReason {
    /// We hung up.
    HungUp,
    /// The other person hung up or left.
    PeerLeft,
    /// Two people were already in the room.
    RoomFull,
    /// Media could not be restored (network changed for good, or no route between peers).
    IceFailed,
    /// The relay could not be reached again.
    SignalingLost,
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
    /// The WebRTC negotiation failed at one step.
    Negotiation {
        /// The step, e.g. "set remote description".
        operation: String,
    },
}

/// The seed's public STUN server (`stun:stun.l.google.com:19302`): enough for most home
/// networks; add a TURN server for symmetric NATs and strict mobile networks.
#[uniffi::export]
pub fn default_ice_servers() -> Vec<IceServer> {
    vec![IceServer {
        urls: vec![videochat_core::peer::DEFAULT_STUN_URL.to_owned()],
        username: None,
        credential: None,
    }]
}

impl From<core_neg::EndReason> for EndReason {
    fn from(reason: core_neg::EndReason) -> Self {
        match reason {
            core_neg::EndReason::HungUp => Self::HungUp,
            core_neg::EndReason::PeerLeft => Self::PeerLeft,
            core_neg::EndReason::RoomFull => Self::RoomFull,
            core_neg::EndReason::IceFailed => Self::IceFailed,
            core_neg::EndReason::SignalingLost => Self::SignalingLost,
        }
    }
}

impl From<core_neg::CallError> for CallFailure {
    fn from(error: core_neg::CallError) -> Self {
        match error {
            core_neg::CallError::MalformedMessage { kind } => Self::MalformedMessage {
                kind: kind.to_owned(),
            },
            core_neg::CallError::BadRoom => Self::BadRoom,
            core_neg::CallError::Negotiation(op) => Self::Negotiation {
                operation: op.name().to_owned(),
            },
        }
    }
}

impl From<core_neg::CallState> for CallState {
    fn from(state: core_neg::CallState) -> Self {
        match state {
            core_neg::CallState::Connecting => Self::Connecting,
            core_neg::CallState::WaitingForPeer => Self::WaitingForPeer,
            core_neg::CallState::Negotiating => Self::Negotiating,
            core_neg::CallState::Connected => Self::Connected,
            core_neg::CallState::Reconnecting => Self::Reconnecting,
            core_neg::CallState::Ended(reason) => Self::Ended {
                reason: reason.into(),
            },
            core_neg::CallState::Failed(error) => Self::Failed {
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
            video: config.video.into(),
            include_loopback: config.include_loopback,
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

impl From<VideoSettings> for core_call::VideoSettings {
    fn from(v: VideoSettings) -> Self {
        Self {
            max_fps: v.max_fps,
            min_bitrate_kbps: v.min_bitrate_kbps,
            start_bitrate_kbps: v.start_bitrate_kbps,
            max_bitrate_kbps: v.max_bitrate_kbps,
        }
    }
}

impl From<core_call::VideoSettings> for VideoSettings {
    fn from(v: core_call::VideoSettings) -> Self {
        Self {
            max_fps: v.max_fps,
            min_bitrate_kbps: v.min_bitrate_kbps,
            start_bitrate_kbps: v.start_bitrate_kbps,
            max_bitrate_kbps: v.max_bitrate_kbps,
        }
    }
}

impl From<CameraFacing> for core_call::CameraFacing {
    fn from(facing: CameraFacing) -> Self {
        match facing {
            CameraFacing::User => Self::User,
            CameraFacing::Environment => Self::Environment,
        }
    }
}

impl From<core_call::CameraFacing> for CameraFacing {
    fn from(facing: core_call::CameraFacing) -> Self {
        match facing {
            core_call::CameraFacing::User => Self::User,
            core_call::CameraFacing::Environment => Self::Environment,
        }
    }
}

/// Whether the local preview of `facing` should be mirrored: only the user camera's, as a
/// mirror would show it.
#[uniffi::export]
pub fn mirrors_self_view(facing: CameraFacing) -> bool {
    core_call::CameraFacing::from(facing).mirrors_self_view()
}
