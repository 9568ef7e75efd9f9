//! Keeping media up: the connection state, ICE restarts by the initiator,
//! and when each side gives up.
//!
//! ```text
//! connected --disconnected--> lost; initiator restarts after the grace period
//! connected --failed/closed--> lost; initiator restarts at once
//! lost --restart timeout--> next restart, up to max_ice_restarts, then IceFailed
//! lost (answerer) --answerer_patience--> IceFailed (it cannot restart itself)
//! lost --connected--> connected; the restart count starts over
//! ```

use std::time::Instant;

use super::input::PcState;
use super::machine::Negotiator;
use super::state::{CallState, EndReason, Role};

impl Negotiator {
    pub(super) fn on_pc_state(&mut self, state: PcState, now: Instant) {
        let s = &mut self.session;
        match state {
            PcState::New | PcState::Connecting => {}
            PcState::Connected => {
                s.pc_connected = true;
                s.connected_once = true;
                s.lost_since = None;
                s.next_restart_at = None;
                s.restarts = 0;
            }
            PcState::Disconnected => {
                s.pc_connected = false;
                s.lost_since.get_or_insert(now);
                s.next_restart_at
                    .get_or_insert(now + self.config.disconnect_grace);
            }
            PcState::Failed | PcState::Closed => {
                s.pc_connected = false;
                s.lost_since.get_or_insert(now);
                // No use waiting out the grace period; a restart under way
                // keeps its own timeout, though.
                if s.restarts == 0 {
                    s.next_restart_at = Some(now);
                }
            }
        }
    }

    /// The next ICE deadline of our role, if the connection is lost.
    pub(super) fn ice_deadline(&self) -> Option<Instant> {
        let s = &self.session;
        match self.role {
            Some(Role::Initiator) if s.offered => s.next_restart_at,
            Some(Role::Answerer) => s.lost_since.map(|at| at + self.config.answerer_patience()),
            _ => None,
        }
    }

    pub(super) fn fire_ice_timers(&mut self, now: Instant) {
        if self.ice_deadline().is_none_or(|at| at > now) {
            return;
        }
        if self.role == Some(Role::Answerer) {
            tracing::info!("no ICE restart came in time");
            self.finish(CallState::Ended(EndReason::IceFailed), true);
        } else if self.session.restarts >= self.config.max_ice_restarts {
            tracing::info!(restarts = self.session.restarts, "ICE restarts exhausted");
            self.finish(CallState::Ended(EndReason::IceFailed), true);
        } else {
            self.session.restarts += 1;
            self.session.next_restart_at = Some(now + self.config.ice_restart_timeout);
            tracing::info!(attempt = self.session.restarts, "restarting ICE");
            self.start_offer(true);
        }
    }
}
