//! Peer configuration: ICE servers, sockets, timers.

use std::time::Duration;

use rtc::ice::mdns::MulticastDnsMode;
use rtc::peer_connection::configuration::setting_engine::{SettingEngine, SettingEngineBuilder};
use rtc::peer_connection::configuration::{
    RTCConfiguration, RTCConfigurationBuilder, RTCIceTransportPolicy,
};
use rtc::peer_connection::transport::{RTCDtlsRole, RTCIceServer};

use super::send_rate::BitrateLimits;

/// Google's public STUN server (the web client's too), used when nothing else is configured.
pub const DEFAULT_STUN_URL: &str = "stun:stun.l.google.com:19302";

/// One STUN or TURN server (`stun:`, `turn:` URLs; TURN is UDP only in webrtc-rs 0.21).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct IceServer {
    /// `stun:host:port` or `turn:host:port?transport=udp`.
    pub urls: Vec<String>,
    /// TURN user name; empty for STUN.
    pub username: String,
    /// TURN password; empty for STUN.
    pub credential: String,
}

impl std::fmt::Debug for IceServer {
    // The credential is a secret: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IceServer")
            .field("urls", &self.urls)
            .field("username", &self.username)
            .field("credential", &"<secret>")
            .finish()
    }
}

/// A server the relay handed out (`iceServers` of `created`/`joined`).
impl From<videochat_protocol::IceServer> for IceServer {
    fn from(server: videochat_protocol::IceServer) -> Self {
        Self {
            urls: server.urls,
            username: server.username.unwrap_or_default(),
            credential: server.credential.unwrap_or_default(),
        }
    }
}

impl IceServer {
    /// A STUN server without credentials.
    pub fn stun(url: impl Into<String>) -> Self {
        Self {
            urls: vec![url.into()],
            ..Self::default()
        }
    }

    /// A TURN server with its credentials.
    pub fn turn(
        url: impl Into<String>,
        username: impl Into<String>,
        credential: impl Into<String>,
    ) -> Self {
        Self {
            urls: vec![url.into()],
            username: username.into(),
            credential: credential.into(),
        }
    }
}

/// How a [`Peer`](super::Peer) reaches the network.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerConfig {
    /// STUN/TURN servers. Empty works on a LAN or loopback (host candidates only).
    pub ice_servers: Vec<IceServer>,
    /// Local UDP addresses to bind. A wildcard means every non-loopback interface of
    /// that family (webrtc-rs binds one socket per interface address). Default:
    /// `0.0.0.0:0` and `[::]:0`.
    pub udp_addrs: Vec<String>,
    /// Also offer loopback host candidates (for tests on one machine without a LAN).
    pub include_loopback: bool,
    /// Time between ICE connectivity checks while connecting. webrtc-rs defaults to
    /// 200 ms, which a loopback call then waits for; 20 ms connects in ~20 ms.
    pub ice_check_interval: Duration,
    /// How long a candidate pair is tried before it counts as failed (checks are sent
    /// every `ice_check_interval` until then).
    pub ice_pair_timeout: Duration,
    /// No traffic for this long: state becomes `Disconnected`.
    pub ice_disconnected_timeout: Duration,
    /// How often a consent check goes out on the selected pair. webrtc-rs counts
    /// only STUN, not media, as traffic for `ice_disconnected_timeout`: at its 2 s,
    /// a lost check or two under 20% loss showed `Disconnected` for a second in
    /// about half of the 20 s calls while video flowed.
    pub ice_keepalive_interval: Duration,
    /// Then, after this much more: `Failed`.
    pub ice_failed_timeout: Duration,
    /// How long the controlling side waits, from the start of checks, before it may
    /// nominate a pair through a STUN-mapped (srflx) address (webrtc-rs: 500 ms).
    pub srflx_acceptance_wait: Duration,
    /// The same for a TURN relay pair (webrtc-rs: 2 s): gives direct paths a head start.
    pub relay_acceptance_wait: Duration,
    /// Resolve the remote's `.local` mDNS host candidates. Off by default: it binds
    /// port 5353, which phones and sandboxes often refuse.
    pub resolve_mdns_candidates: bool,
    /// Gather and use TURN relay candidates only (`iceTransportPolicy: "relay"`).
    pub relay_only: bool,
    /// Where congestion control starts and the bounds it keeps to.
    pub send_rate: BitrateLimits,
}

impl Default for PeerConfig {
    fn default() -> Self {
        Self {
            ice_servers: vec![IceServer::stun(DEFAULT_STUN_URL)],
            udp_addrs: vec!["0.0.0.0:0".to_owned(), "[::]:0".to_owned()],
            include_loopback: false,
            ice_check_interval: Duration::from_millis(20),
            ice_pair_timeout: Duration::from_secs(3),
            // Audio alone sends 50 packets a second: 3 s of silence is a
            // broken path, and every second counts after a network change.
            ice_disconnected_timeout: Duration::from_secs(3),
            ice_failed_timeout: Duration::from_secs(15),
            ice_keepalive_interval: Duration::from_millis(500),
            srflx_acceptance_wait: Duration::from_millis(100),
            relay_acceptance_wait: Duration::from_millis(500),
            resolve_mdns_candidates: false,
            relay_only: false,
            send_rate: BitrateLimits::default(),
        }
    }
}

impl PeerConfig {
    /// A configuration for two peers on this machine: no STUN, loopback only.
    pub fn loopback() -> Self {
        Self {
            ice_servers: Vec::new(),
            udp_addrs: vec!["127.0.0.1:0".to_owned()],
            include_loopback: true,
            ..Self::default()
        }
    }

    /// Whether a TURN server is among the ICE servers (relay-only needs one).
    pub fn has_turn(&self) -> bool {
        self.ice_servers
            .iter()
            .flat_map(|s| &s.urls)
            .any(|url| url.starts_with("turn:") || url.starts_with("turns:"))
    }

    pub(crate) fn rtc_configuration(&self) -> RTCConfiguration {
        let servers = self
            .ice_servers
            .iter()
            .filter(|s| !s.urls.is_empty())
            .map(|s| RTCIceServer {
                urls: s.urls.clone(),
                username: s.username.clone(),
                credential: s.credential.clone(),
            })
            .collect();
        let policy = if self.relay_only {
            RTCIceTransportPolicy::Relay
        } else {
            RTCIceTransportPolicy::All
        };
        RTCConfigurationBuilder::new()
            .with_ice_servers(servers)
            .with_ice_transport_policy(policy)
            .build()
    }

    pub(crate) fn setting_engine(&self) -> SettingEngine {
        let interval = self.ice_check_interval.max(Duration::from_millis(1));
        let attempts = (self.ice_pair_timeout.as_millis() / interval.as_millis()).clamp(7, 1000);
        let mdns = if self.resolve_mdns_candidates {
            MulticastDnsMode::QueryOnly
        } else {
            MulticastDnsMode::Disabled
        };
        SettingEngineBuilder::new()
            .with_ice_connection_attempts(
                Some(interval),
                // In range by the clamp above.
                Some(attempts as u16),
            )
            .with_ice_timeouts(
                Some(self.ice_disconnected_timeout),
                Some(self.ice_failed_timeout),
                Some(self.ice_keepalive_interval),
            )
            // A peer-reflexive pair is one the remote's check proved direct; it shows
            // up whenever a check outruns the trickled candidate. webrtc-rs waits 1 s
            // before nominating one: on loopback that was every fifth call's setup.
            .with_prflx_acceptance_min_wait(Some(Duration::ZERO))
            .with_srflx_acceptance_min_wait(Some(self.srflx_acceptance_wait))
            .with_relay_acceptance_min_wait(Some(self.relay_acceptance_wait))
            .with_multicast_dns_mode(mdns)
            .with_include_loopback_candidate(self.include_loopback)
            // Answering as DTLS server lets the offerer's ClientHello go out the moment
            // ICE succeeds; as client the answerer waited for a timer (~100-200 ms).
            .with_answering_dtls_role(RTCDtlsRole::Server)
            // An ICE restart rebinds the sockets on the interfaces that exist now:
            // after Wi-Fi to cellular the old address is gone, and candidates
            // gathered on it (or sockets bound to it) can never work again.
            .with_discard_local_candidates_during_ice_restart(true)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_uses_the_public_stun_server_and_both_ip_families() {
        let c = PeerConfig::default();
        assert_eq!(c.ice_servers, vec![IceServer::stun(DEFAULT_STUN_URL)]);
        assert!(c.udp_addrs.iter().any(|a| a.starts_with("0.0.0.0")));
        assert!(c.udp_addrs.iter().any(|a| a.starts_with("[::]")));
        assert_eq!(c.rtc_configuration().ice_servers().len(), 1);
    }

    #[test]
    fn turn_credentials_reach_the_rtc_configuration() {
        let c = PeerConfig {
            ice_servers: vec![IceServer::turn("turn:example.org:3478", "u", "p")],
            ..PeerConfig::default()
        };
        let rtc = c.rtc_configuration();
        let server = &rtc.ice_servers()[0];
        assert_eq!(server.username, "u");
        assert_eq!(server.credential, "p");
    }

    #[test]
    fn servers_without_urls_are_ignored() {
        let c = PeerConfig {
            ice_servers: vec![IceServer::default()],
            ..PeerConfig::default()
        };
        assert!(c.rtc_configuration().ice_servers().is_empty());
    }
}
