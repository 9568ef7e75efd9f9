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
    /// ICE restarts in a row before the call ends with `IceFailed`.
    pub max_ice_restarts: u32,
    /// Delay before reconnecting to the relay after the signaling socket is lost.
    pub signaling_retry_delay: Duration,
    /// Reconnection attempts in a row before the call ends with `SignalingLost`.
    pub max_signaling_retries: u32,
}

impl Default for NegotiationConfig {
    fn default() -> Self {
        NegotiationConfig {
            disconnect_grace: Duration::from_millis(2500),
            ice_restart_timeout: Duration::from_secs(8),
            max_ice_restarts: 3,
            signaling_retry_delay: Duration::from_secs(1),
            max_signaling_retries: 5,
        }
    }
}

impl NegotiationConfig {
    /// How long the answerer, which cannot restart ICE itself, waits for the
    /// initiator's restarts before giving up: a little longer than the
    /// initiator would try, so the initiator's restarts get their chance.
    pub(crate) fn answerer_patience(&self) -> Duration {
        self.disconnect_grace + self.ice_restart_timeout * (self.max_ice_restarts + 1)
    }
}
