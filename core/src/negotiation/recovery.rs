//! Keeping media up with one peer: the connection state, when the initiator
//! restarts ICE, and when each side gives up.
//!
//! ```text
//! connected --disconnected--> lost; initiator restarts after the grace period
//! connected --failed/closed--> lost; initiator restarts at once
//! lost --restart timeout--> next restart, up to max_ice_restarts, then give up
//! lost (answerer) --answerer_patience--> give up (it cannot restart itself)
//! lost --connected--> connected; the restart count starts over
//! never up --failed, or connect_timeout after negotiation--> (initiator) replace it
//! ```
//!
//! A connection that never came up has nothing to keep and may be dead past
//! an ICE restart (its DTLS handshake gave up), so it is replaced instead.

use std::time::Instant;

use super::config::NegotiationConfig;
use super::input::ConnectionState;
use super::state::Role;

/// The connection's health as the recovery rules see it.
#[derive(Debug, Default)]
pub(super) struct IceRecovery {
    /// The peer connection reports `connected`.
    connected: bool,
    /// It did at least once (so a loss is "reconnecting").
    connected_once: bool,
    /// When the connection was lost, if it is.
    lost_since: Option<Instant>,
    /// (Initiator) When to restart ICE next, while the connection is lost.
    next_restart_at: Option<Instant>,
    /// ICE restarts (or replacements) since the connection was last up.
    restarts: u32,
    /// When offer and answer were applied to a connection that has not come
    /// up yet: it is replaced if it is not up `connect_timeout` later.
    negotiated_at: Option<Instant>,
    /// Until then a disconnection restarts at once, without the grace
    /// period: signaling was just lost too, most likely to a network change
    /// that media has not noticed yet.
    restart_promptly_until: Option<Instant>,
}

/// What to do when the deadline of [`IceRecovery::deadline`] passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RecoveryStep {
    RestartIce,
    /// A fresh connection and a fresh offer: this one never came up.
    Replace,
    GiveUp,
}

impl IceRecovery {
    pub(super) fn is_connected(&self) -> bool {
        self.connected
    }

    pub(super) fn was_connected(&self) -> bool {
        self.connected_once
    }

    /// When the connection was lost, if it is.
    pub(super) fn lost_since(&self) -> Option<Instant> {
        self.lost_since
    }

    /// The peer is reachable again after signaling was lost: if the
    /// connection is lost, the initiator restarts ICE now rather than at its
    /// scheduled time; if it is still up, a loss soon after skips the grace.
    pub(super) fn restart_now(&mut self, now: Instant, config: &NegotiationConfig) {
        if self.lost_since.is_some() {
            self.next_restart_at = Some(now);
        } else {
            self.restart_promptly_until = Some(now + config.disconnect_grace * 2);
        }
    }

    /// Offer and answer are applied: the connection should come up soon.
    pub(super) fn negotiated(&mut self, now: Instant) {
        if !self.connected && self.lost_since.is_none() {
            self.negotiated_at.get_or_insert(now);
        }
    }

    /// The connection was replaced by a fresh one: nothing of the old one's
    /// loss counts, but the restarts made so far do.
    pub(super) fn replaced(&mut self) {
        *self = IceRecovery {
            connected_once: self.connected_once,
            restarts: self.restarts,
            ..IceRecovery::default()
        };
    }

    pub(super) fn on_state(
        &mut self,
        state: ConnectionState,
        now: Instant,
        config: &NegotiationConfig,
    ) {
        match state {
            ConnectionState::New | ConnectionState::Connecting => {}
            ConnectionState::Connected => {
                *self = IceRecovery {
                    connected: true,
                    connected_once: true,
                    ..IceRecovery::default()
                };
            }
            // Never up: nothing to wait for, it is replaced now.
            ConnectionState::Disconnected | ConnectionState::Failed | ConnectionState::Closed
                if !self.connected_once =>
            {
                self.lost_since.get_or_insert(now);
                if self.restarts == 0 {
                    self.next_restart_at = Some(now);
                }
            }
            ConnectionState::Disconnected => {
                self.connected = false;
                self.lost_since.get_or_insert(now);
                let grace = if self
                    .restart_promptly_until
                    .is_some_and(|until| now <= until)
                {
                    std::time::Duration::ZERO
                } else {
                    config.disconnect_grace
                };
                self.next_restart_at.get_or_insert(now + grace);
            }
            ConnectionState::Failed | ConnectionState::Closed => {
                self.connected = false;
                self.lost_since.get_or_insert(now);
                // No use waiting out the grace period; a restart under way
                // keeps its own timeout, though.
                if self.restarts == 0 {
                    self.next_restart_at = Some(now);
                }
            }
        }
    }

    /// The next deadline for `role`, if the connection is lost. The initiator
    /// restarts only a connection it has offered on (`offered`).
    pub(super) fn deadline(
        &self,
        role: Role,
        offered: bool,
        config: &NegotiationConfig,
    ) -> Option<Instant> {
        match role {
            Role::Initiator if offered => {
                let connect_deadline = self.negotiated_at.map(|at| at + config.connect_timeout);
                self.next_restart_at
                    .into_iter()
                    .chain(connect_deadline)
                    .min()
            }
            Role::Initiator => None,
            Role::Answerer => self.lost_since.map(|at| at + config.answerer_patience()),
        }
    }

    /// The deadline passed at `now`: restart again, or give up.
    pub(super) fn on_deadline(
        &mut self,
        now: Instant,
        role: Role,
        config: &NegotiationConfig,
    ) -> RecoveryStep {
        if role == Role::Answerer {
            tracing::info!("no ICE restart came in time");
            RecoveryStep::GiveUp
        } else if self.restarts >= config.max_ice_restarts {
            tracing::info!(restarts = self.restarts, "ICE restarts exhausted");
            RecoveryStep::GiveUp
        } else if !self.connected_once {
            self.restarts += 1;
            self.replaced();
            tracing::info!(
                attempt = self.restarts,
                "the connection never came up: replacing it"
            );
            RecoveryStep::Replace
        } else {
            self.restarts += 1;
            self.next_restart_at = Some(now + config.ice_restart_timeout);
            tracing::info!(attempt = self.restarts, "restarting ICE");
            RecoveryStep::RestartIce
        }
    }
}
