//! The offer/answer exchange with the current peer: `ready`, descriptions and
//! trickled candidates, with the queues that keep them in a legal order.
//!
//! A [`PeerSession`] lives while one peer is in the room with us; each method
//! takes one event and returns the actions it calls for.

use std::time::Instant;

use videochat_protocol::{IceCandidate, PeerMessage};

use super::config::NegotiationConfig;
use super::input::{ConnectionState, SdpKind};
use super::output::Action;
use super::recovery::{IceRecovery, RecoveryStep};
use super::state::Role;

/// Candidates held back at most, each way; more is a misbehaving peer (the
/// relay's rate limit bounds it too) and the extra ones are dropped.
const MAX_QUEUED_CANDIDATES: usize = 256;

/// Everything about the current peer. A new peer gets a new one.
#[derive(Debug)]
pub(super) struct PeerSession {
    role: Role,
    /// Our camera and microphone are live.
    local_media: bool,
    /// A peer is in the room with us.
    present: bool,
    /// We told this peer `ready`.
    ready_sent: bool,
    /// This peer told us `ready`.
    peer_ready: bool,
    /// (Initiator) The first offer to this peer was asked for.
    offered: bool,
    phase: SdpPhase,
    /// Descriptions asked for and not yet reported. When one supersedes
    /// another (an ICE restart during an offer), only the last goes out.
    creating: u32,
    /// Our current local description went out: our candidates may follow it.
    local_sent: bool,
    /// The remote description of the current round is set: candidates apply.
    remote_set: bool,
    /// Remote candidates that came before the remote description, in order.
    /// The one queue of early candidates: the peer layer keeps none.
    early_remote: Vec<IceCandidate>,
    /// Our candidates gathered before our description went out, in order.
    early_local: Vec<IceCandidate>,
    /// (Answerer) The last offer applied, to drop a duplicate.
    last_offer: Option<String>,
    /// (Answerer) An offer that came before our media was live.
    pending_offer: Option<String>,
    /// The peer connection was used with this peer, so the next peer needs a fresh one.
    used_connection: bool,
    recovery: IceRecovery,
}

/// Where the offer/answer exchange stands (the signaling state, roughly).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum SdpPhase {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// (Initiator) `CreateOffer` asked; the offer is not out yet.
    CreatingOffer,
    /// (Initiator) The offer is out; waiting for the answer.
    AwaitingAnswer,
    /// (Answerer) The offer is set and `CreateAnswer` asked.
    CreatingAnswer,
    /// Offer and answer are both applied.
    Stable,
}

/// What an ICE deadline led to.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum IceOutcome {
    /// Still trying: carry these out (a restart offer, or nothing yet).
    Continue(Vec<Action>),
    /// Media cannot be restored: the call ends.
    GaveUp,
}

impl PeerSession {
    pub(super) fn new(role: Role, local_media: bool) -> Self {
        PeerSession {
            role,
            local_media,
            present: false,
            ready_sent: false,
            peer_ready: false,
            offered: false,
            phase: SdpPhase::Idle,
            creating: 0,
            local_sent: false,
            remote_set: false,
            early_remote: Vec::new(),
            early_local: Vec::new(),
            last_offer: None,
            pending_offer: None,
            used_connection: false,
            recovery: IceRecovery::default(),
        }
    }

    pub(super) fn role(&self) -> Role {
        self.role
    }

    pub(super) fn is_present(&self) -> bool {
        self.present
    }

    pub(super) fn used_connection(&self) -> bool {
        self.used_connection
    }

    pub(super) fn is_connected(&self) -> bool {
        self.recovery.is_connected()
    }

    pub(super) fn was_connected(&self) -> bool {
        self.recovery.was_connected()
    }

    /// The relay says a peer is here (or it spoke to us).
    pub(super) fn peer_arrived(&mut self) -> Vec<Action> {
        self.present = true;
        let mut out = Vec::new();
        self.maybe_send_ready(&mut out);
        out
    }

    pub(super) fn local_media_live(&mut self) -> Vec<Action> {
        let mut out = Vec::new();
        if self.local_media {
            return out;
        }
        self.local_media = true;
        self.maybe_send_ready(&mut out);
        self.maybe_offer(&mut out);
        if let Some(offer) = self.pending_offer.take() {
            self.apply_offer(offer, &mut out);
        }
        out
    }

    /// A message from the peer; `bye` is the machine's (it ends the call).
    pub(super) fn on_peer_message(&mut self, message: PeerMessage) -> Vec<Action> {
        // The relay only forwards from a member of our room.
        self.present = true;
        let mut out = Vec::new();
        match message {
            PeerMessage::Ready => {
                self.peer_ready = true;
                self.maybe_send_ready(&mut out);
                self.maybe_offer(&mut out);
            }
            PeerMessage::Offer { sdp } => self.on_offer(sdp, &mut out),
            PeerMessage::Answer { sdp } => self.on_answer(sdp, &mut out),
            PeerMessage::Candidate(candidate) => self.on_remote_candidate(candidate, &mut out),
            PeerMessage::Bye | PeerMessage::CallId { .. } => {}
        }
        out
    }

    /// Our description is set: send it, then the candidates that waited.
    pub(super) fn on_local_description(&mut self, kind: SdpKind, sdp: String) -> Vec<Action> {
        let (expected, next_phase) = match self.phase {
            SdpPhase::CreatingOffer => (SdpKind::Offer, SdpPhase::AwaitingAnswer),
            SdpPhase::CreatingAnswer => (SdpKind::Answer, SdpPhase::Stable),
            _ => (kind, self.phase),
        };
        if kind != expected || next_phase == self.phase || self.creating == 0 {
            tracing::debug!(?kind, phase = ?self.phase, "local description out of place ignored");
            return Vec::new();
        }
        self.creating -= 1;
        if self.creating > 0 {
            // Another one was asked for since; the connection ends up with it.
            return Vec::new();
        }
        self.phase = next_phase;
        self.local_sent = true;
        let description = match kind {
            SdpKind::Offer => PeerMessage::Offer { sdp },
            SdpKind::Answer => PeerMessage::Answer { sdp },
        };
        std::iter::once(description)
            .chain(self.early_local.drain(..).map(PeerMessage::Candidate))
            .map(Action::Send)
            .collect()
    }

    /// Trickle: each candidate goes out as it comes, but never before the
    /// description it belongs to (a browser rejects it otherwise).
    pub(super) fn on_local_candidate(&mut self, candidate: IceCandidate) -> Vec<Action> {
        if candidate.is_end_of_candidates() {
            return Vec::new();
        }
        if self.local_sent {
            return vec![Action::Send(PeerMessage::Candidate(candidate))];
        }
        if self.early_local.len() < MAX_QUEUED_CANDIDATES {
            self.early_local.push(candidate);
        }
        Vec::new()
    }

    pub(super) fn on_connection_state(
        &mut self,
        state: ConnectionState,
        now: Instant,
        config: &NegotiationConfig,
    ) {
        self.recovery.on_state(state, now, config);
    }

    /// When the ICE rules of our role want to act next, if the connection is lost.
    pub(super) fn ice_deadline(&self, config: &NegotiationConfig) -> Option<Instant> {
        self.recovery.deadline(self.role, self.offered, config)
    }

    /// Acts on a passed ICE deadline: restart ICE (initiator) or give up.
    pub(super) fn on_ice_deadline(
        &mut self,
        now: Instant,
        config: &NegotiationConfig,
    ) -> IceOutcome {
        if self.ice_deadline(config).is_none_or(|at| at > now) {
            return IceOutcome::Continue(Vec::new());
        }
        match self.recovery.on_deadline(now, self.role, config) {
            RecoveryStep::GiveUp => IceOutcome::GaveUp,
            RecoveryStep::RestartIce => {
                let mut out = Vec::new();
                self.start_offer(true, &mut out);
                IceOutcome::Continue(out)
            }
        }
    }

    /// Both peers say `ready` once their media is live and a peer is there.
    fn maybe_send_ready(&mut self, out: &mut Vec<Action>) {
        if self.present && self.local_media && !self.ready_sent {
            self.ready_sent = true;
            out.push(Action::Send(PeerMessage::Ready));
        }
    }

    /// The tutorial's `everythingReady()` (docs/protocol.md): the initiator
    /// offers once it has its own media and the peer's `ready`, whichever came
    /// last, and only once.
    fn maybe_offer(&mut self, out: &mut Vec<Action>) {
        let ready = self.present && self.peer_ready && self.local_media && !self.offered;
        if ready && self.role == Role::Initiator {
            self.offered = true;
            self.start_offer(false, out);
        }
    }

    /// Asks for an offer; our candidates wait for it to go out, and the
    /// peer's wait for its answer.
    fn start_offer(&mut self, ice_restart: bool, out: &mut Vec<Action>) {
        self.used_connection = true;
        self.phase = SdpPhase::CreatingOffer;
        self.creating += 1;
        self.local_sent = false;
        self.remote_set = false;
        out.push(Action::CreateOffer { ice_restart });
    }

    fn on_offer(&mut self, sdp: String, out: &mut Vec<Action>) {
        if self.role != Role::Answerer {
            // Only the initiator offers, so this is glare from a confused
            // peer: as the impolite peer of "perfect negotiation", ignore it.
            tracing::warn!("offer received by the initiator ignored");
        } else if self.last_offer.as_ref() == Some(&sdp) {
            tracing::debug!("duplicate offer ignored");
        } else if !self.local_media {
            // Answer with our tracks on, once they are (latest offer wins).
            self.pending_offer = Some(sdp);
        } else {
            self.apply_offer(sdp, out);
        }
    }

    /// Sets the offer, asks for the answer, then applies early candidates.
    /// A new offer in a stable session is an ICE restart or a renegotiation.
    fn apply_offer(&mut self, sdp: String, out: &mut Vec<Action>) {
        self.used_connection = true;
        self.last_offer = Some(sdp.clone());
        self.phase = SdpPhase::CreatingAnswer;
        self.creating += 1;
        self.local_sent = false;
        self.remote_set = true;
        out.push(Action::SetRemoteDescription {
            kind: SdpKind::Offer,
            sdp,
        });
        out.push(Action::CreateAnswer);
        self.flush_early_remote(out);
    }

    fn on_answer(&mut self, sdp: String, out: &mut Vec<Action>) {
        if self.role != Role::Initiator || self.phase != SdpPhase::AwaitingAnswer {
            // An answer without our offer, a duplicate, or a stale one.
            tracing::debug!(phase = ?self.phase, "answer out of place ignored");
            return;
        }
        self.phase = SdpPhase::Stable;
        self.remote_set = true;
        out.push(Action::SetRemoteDescription {
            kind: SdpKind::Answer,
            sdp,
        });
        self.flush_early_remote(out);
    }

    fn on_remote_candidate(&mut self, candidate: IceCandidate, out: &mut Vec<Action>) {
        if candidate.is_end_of_candidates() {
            return;
        }
        if self.remote_set {
            out.push(Action::AddRemoteCandidate(candidate));
        } else if self.early_remote.len() < MAX_QUEUED_CANDIDATES {
            self.early_remote.push(candidate);
        } else {
            tracing::warn!("too many early remote candidates; dropped one");
        }
    }

    fn flush_early_remote(&mut self, out: &mut Vec<Action>) {
        out.extend(self.early_remote.drain(..).map(Action::AddRemoteCandidate));
    }
}
