//! Timing and retry limits of the negotiation.

use std::time::Duration;

/// Limits of the [`Negotiator`](super::Negotiator); `Default` suits phones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiationConfig {
    /// How long a `disconnected` connection may recover on its own before the
    /// initiator restarts ICE (Wi-Fi to cellular handovers often do recover).
    pub disconnect_grace: Duration,
    /// How long one ICE restart may take before the next one.
    pub ice_restart_timeout: Duration,
    /// ICE restarts (or replacements of a connection that never came up) in
    /// a row before the call ends with `IceFailed`.
    pub max_ice_restarts: u32,
    /// How long a connection may take to come up after offer and answer are
    /// applied before the initiator replaces it. webrtc-rs's DTLS handshake
    /// gives up after about 8 s of lost flights, silently on one side.
    pub connect_timeout: Duration,
    /// How often we ping the relay while the socket is open.
    pub ping_interval: Duration,
    /// Nothing heard from the relay (frame, ping or pong) for this long: the
    /// socket is dead even if TCP has not noticed (a half-open connection).
    pub signaling_timeout: Duration,
    /// First delay before reconnecting to the relay; it doubles with every
    /// failed attempt, up to `max_reconnect_delay`. Each delay is drawn at
    /// random from its upper half, so the clients of a restarted relay do not
    /// all come back in the same instant.
    pub min_reconnect_delay: Duration,
    pub max_reconnect_delay: Duration,
    /// Reconnection attempts in a row before the call ends with
    /// `SignalingLost`, unless media still flows (then we keep trying).
    pub max_signaling_retries: u32,
    /// How long the initiator waits for the answer before sending its offer
    /// again (the answerer then sends its answer again).
    pub answer_timeout: Duration,
    /// How long the answerer waits for an offer after its `ready` before
    /// saying `ready` again (the initiator then offers, or offers again).
    pub offer_timeout: Duration,
    /// Times an offer or a `ready` is sent again without a reply before the
    /// call ends with `PeerUnresponsive`.
    pub max_resends: u32,
}

impl Default for NegotiationConfig {
    fn default() -> Self {
        NegotiationConfig {
            disconnect_grace: Duration::from_millis(2500),
            ice_restart_timeout: Duration::from_secs(8),
            max_ice_restarts: 3,
            connect_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(1),
            // Two and a half pings: a queue of half a second on a slow
            // uplink delays a pong, but not that much.
            signaling_timeout: Duration::from_millis(2500),
            min_reconnect_delay: Duration::from_millis(250),
            max_reconnect_delay: Duration::from_secs(4),
            max_signaling_retries: 8,
            answer_timeout: Duration::from_secs(4),
            offer_timeout: Duration::from_secs(10),
            max_resends: 3,
        }
    }
}

impl NegotiationConfig {
    /// How long the answerer, which cannot restart ICE itself, waits for the
    /// initiator's restarts before giving up: a little longer than the
    /// initiator would try, so the initiator's restarts get their chance.
    /// Also how long a connection whose peer we cannot reach may stay lost.
    pub(crate) fn answerer_patience(&self) -> Duration {
        self.disconnect_grace + self.ice_restart_timeout * (self.max_ice_restarts + 1)
    }
}
