//! What a call is configured with, and why a configuration is refused.

use videochat_protocol::RoomId;

use crate::media::AudioError;
use crate::peer::{BitrateLimits, IceServer, PeerConfig};
use crate::signaling::is_relay_url;

/// Everything a call needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct CallConfig {
    /// The relay's WebSocket URL, e.g. `wss://relay.example/ws`.
    pub relay_url: String,
    /// The room to join (1-64 characters of `A-Z a-z 0-9 _ -`).
    pub room: String,
    /// STUN/TURN servers; empty works on a LAN.
    pub ice_servers: Vec<IceServer>,
    /// Limits for the video we send.
    pub video: VideoSettings,
    /// Use the loopback interface only (127.0.0.1): two peers on one machine.
    pub include_loopback: bool,
    /// Media only through TURN (`iceTransportPolicy: "relay"`), so the other
    /// side never learns our addresses.
    pub relay_only: bool,
}

/// Limits for the video we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoSettings {
    /// Frame rate the encoder plans for; faster input is thinned.
    pub max_fps: u32,
    /// The bitrate controller never goes below this.
    pub min_bitrate_kbps: u32,
    /// The bitrate the call starts with. The send rate doubles each second
    /// from it until the link pushes back, so a low start costs a clean path
    /// about a second and spares a slow link a full queue.
    pub start_bitrate_kbps: u32,
    /// The bitrate controller never goes above this.
    pub max_bitrate_kbps: u32,
}

impl Default for VideoSettings {
    fn default() -> Self {
        Self {
            max_fps: 30,
            min_bitrate_kbps: 150,
            start_bitrate_kbps: 600,
            max_bitrate_kbps: 2_500,
        }
    }
}

impl CallConfig {
    /// A configuration with the default STUN server and video settings.
    pub fn new(relay_url: impl Into<String>, room: impl Into<String>) -> Self {
        Self {
            relay_url: relay_url.into(),
            room: room.into(),
            ice_servers: PeerConfig::default().ice_servers,
            video: VideoSettings::default(),
            include_loopback: false,
            relay_only: false,
        }
    }

    /// Checks the configuration and returns the validated room.
    pub fn validate(&self) -> Result<RoomId, ConfigError> {
        if !is_relay_url(&self.relay_url) {
            return Err(ConfigError::RelayUrl(self.relay_url.clone()));
        }
        let room = RoomId::parse(&self.room).map_err(|_| ConfigError::Room(self.room.clone()))?;
        let v = &self.video;
        if v.max_fps == 0
            || v.max_fps > 60
            || v.min_bitrate_kbps == 0
            || v.min_bitrate_kbps > v.max_bitrate_kbps
            || !(v.min_bitrate_kbps..=v.max_bitrate_kbps).contains(&v.start_bitrate_kbps)
        {
            return Err(ConfigError::Video(format!("{v:?}")));
        }
        if let Some(server) = self.ice_servers.iter().find(|s| {
            s.urls.is_empty()
                || s.urls.iter().any(|u| {
                    !(u.starts_with("stun:") || u.starts_with("turn:") || u.starts_with("turns:"))
                })
        }) {
            return Err(ConfigError::IceServer(server.urls.join(" ")));
        }
        Ok(room)
    }

    pub(crate) fn peer_config(&self) -> PeerConfig {
        let mut config = if self.include_loopback {
            PeerConfig::loopback()
        } else {
            PeerConfig::default()
        };
        config.ice_servers = self.ice_servers.clone();
        config.relay_only = self.relay_only;
        config.send_rate = self.bitrate_limits();
        config
    }

    pub(crate) fn bitrate_limits(&self) -> BitrateLimits {
        BitrateLimits {
            min_bps: self.video.min_bitrate_kbps * 1000,
            start_bps: self.video.start_bitrate_kbps * 1000,
            max_bps: self.video.max_bitrate_kbps * 1000,
        }
    }
}

/// Why [`Call::start`](super::Call::start) refused a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("the relay URL must start with ws:// or wss://: {0:?}")]
    RelayUrl(String),
    #[error("a room name is 1 to 64 characters of A-Z a-z 0-9 _ -: {0:?}")]
    Room(String),
    #[error("video settings out of range: {0}")]
    Video(String),
    #[error("an ICE server URL must start with stun:, turn: or turns:: {0:?}")]
    IceServer(String),
}

/// Why [`Call::start`](super::Call::start) failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration cannot work.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A media thread could not be started (the process is out of threads or memory).
    #[error("cannot start a media thread: {0}")]
    Thread(#[source] std::io::Error),
    /// The Opus encoder could not be created.
    #[error("cannot create the audio encoder: {0}")]
    Audio(#[source] AudioError),
}
