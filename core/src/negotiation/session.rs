//! The offer/answer exchange with the current peer: `ready`, descriptions and
//! trickled candidates, with the queues that keep them in a legal order.

use std::time::Instant;

use videochat_protocol::{IceCandidate, PeerMessage};

use super::input::{PcEvent, PcOperation, SdpKind};
use super::machine::Negotiator;
use super::output::Action;
use super::state::{CallError, CallState, EndReason, Role};

/// Candidates held back at most, each way; more is a misbehaving peer (the
/// relay's rate limit bounds it too) and the extra ones are dropped.
const MAX_QUEUED_CANDIDATES: usize = 256;

/// Everything about the current peer. A new peer gets a new one.
#[derive(Debug, Default)]
pub(super) struct PeerSession {
    /// A peer is in the room with us.
    pub(super) present: bool,
    /// We told this peer `ready`.
    ready_sent: bool,
    /// This peer told us `ready`.
    peer_ready: bool,
    /// (Initiator) The first offer to this peer was asked for.
    pub(super) offered: bool,
    pub(super) phase: SdpPhase,
    /// Descriptions asked for and not yet reported. When one supersedes
    /// another (an ICE restart during an offer), only the last goes out.
    creating: u32,
    /// Our current local description went out: our candidates may follow it.
    local_sent: bool,
    /// The remote description of the current round is set: candidates apply.
    remote_set: bool,
    /// Remote candidates that came before the remote description, in order.
    early_remote: Vec<IceCandidate>,
    /// Our candidates gathered before our description went out, in order.
    early_local: Vec<IceCandidate>,
    /// (Answerer) The last offer applied, to drop a duplicate.
    last_offer: Option<String>,
    /// (Answerer) An offer that came before our media was live.
    pending_offer: Option<String>,
    /// The peer connection reports `connected`.
    pub(super) pc_connected: bool,
    /// It did at least once with this peer (so a loss is "reconnecting").
    pub(super) connected_once: bool,
    /// When the connection was lost, if it is.
    pub(super) lost_since: Option<Instant>,
    /// (Initiator) When to restart ICE next, while the connection is lost.
    pub(super) next_restart_at: Option<Instant>,
    /// ICE restarts since the connection was last up.
    pub(super) restarts: u32,
}

/// Where the offer/answer exchange stands (the signaling state, roughly).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum SdpPhase {
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

impl Negotiator {
    pub(super) fn on_local_media_live(&mut self) {
        if self.local_media {
            return;
        }
        self.local_media = true;
        self.maybe_send_ready();
        self.maybe_offer();
        if let Some(offer) = self.session.pending_offer.take() {
            self.apply_offer(offer);
        }
    }

    /// Both peers say `ready` once their media is live and a peer is there.
    pub(super) fn maybe_send_ready(&mut self) {
        let s = &self.session;
        if self.in_room() && s.present && self.local_media && !s.ready_sent {
            self.session.ready_sent = true;
            self.push(Action::Send(PeerMessage::Ready));
        }
    }

    /// The seed's `everythingReady()`: the initiator offers once it has its
    /// own media and the peer's `ready`, whichever came last, and only once.
    fn maybe_offer(&mut self) {
        let s = &self.session;
        let ready = s.present && s.peer_ready && self.local_media && !s.offered;
        if ready && self.role == Some(Role::Initiator) {
            self.session.offered = true;
            self.start_offer(false);
        }
    }

    /// Asks for an offer; our candidates wait for it to go out, and the
    /// peer's wait for its answer.
    pub(super) fn start_offer(&mut self, ice_restart: bool) {
        self.pc_used = true;
        self.session.phase = SdpPhase::CreatingOffer;
        self.session.creating += 1;
        self.session.local_sent = false;
        self.session.remote_set = false;
        self.push(Action::CreateOffer { ice_restart });
    }

    pub(super) fn on_peer_message(&mut self, message: PeerMessage) {
        // The relay only forwards from a member of our room.
        self.session.present = true;
        match message {
            PeerMessage::Ready => {
                self.session.peer_ready = true;
                self.maybe_send_ready();
                self.maybe_offer();
            }
            PeerMessage::Offer { sdp } => self.on_offer(sdp),
            PeerMessage::Answer { sdp } => self.on_answer(sdp),
            PeerMessage::Candidate(candidate) => self.on_remote_candidate(candidate),
            PeerMessage::Bye => self.finish(CallState::Ended(EndReason::PeerLeft), false),
        }
    }

    fn on_offer(&mut self, sdp: String) {
        if self.role != Some(Role::Answerer) {
            // Only the initiator offers, so this is glare from a confused
            // peer: as the impolite peer of "perfect negotiation", ignore it.
            tracing::warn!("offer received by the initiator ignored");
        } else if self.session.last_offer.as_ref() == Some(&sdp) {
            tracing::debug!("duplicate offer ignored");
        } else if !self.local_media {
            // Answer with our tracks on, once they are (latest offer wins).
            self.session.pending_offer = Some(sdp);
        } else {
            self.apply_offer(sdp);
        }
    }

    /// Sets the offer, asks for the answer, then applies early candidates.
    /// A new offer in a stable session is an ICE restart or a renegotiation.
    fn apply_offer(&mut self, sdp: String) {
        self.pc_used = true;
        self.session.last_offer = Some(sdp.clone());
        self.session.phase = SdpPhase::CreatingAnswer;
        self.session.creating += 1;
        self.session.local_sent = false;
        self.session.remote_set = true;
        self.push(Action::SetRemoteDescription {
            kind: SdpKind::Offer,
            sdp,
        });
        self.push(Action::CreateAnswer);
        self.flush_early_remote();
    }

    fn on_answer(&mut self, sdp: String) {
        let expected =
            self.role == Some(Role::Initiator) && self.session.phase == SdpPhase::AwaitingAnswer;
        if !expected {
            // An answer without our offer, a duplicate, or a stale one.
            tracing::debug!(phase = ?self.session.phase, "answer out of place ignored");
            return;
        }
        self.session.phase = SdpPhase::Stable;
        self.session.remote_set = true;
        self.push(Action::SetRemoteDescription {
            kind: SdpKind::Answer,
            sdp,
        });
        self.flush_early_remote();
    }

    fn on_remote_candidate(&mut self, candidate: IceCandidate) {
        if candidate.is_end_of_candidates() {
            return;
        }
        if self.session.remote_set {
            self.push(Action::AddRemoteCandidate(candidate));
        } else if self.session.early_remote.len() < MAX_QUEUED_CANDIDATES {
            self.session.early_remote.push(candidate);
        } else {
            tracing::warn!("too many early remote candidates; dropped one");
        }
    }

    fn flush_early_remote(&mut self) {
        for candidate in std::mem::take(&mut self.session.early_remote) {
            self.push(Action::AddRemoteCandidate(candidate));
        }
    }

    pub(super) fn on_pc_event(&mut self, event: PcEvent, now: Instant) {
        if !self.session.present {
            // No negotiation is under way: a late event of an old connection.
            return;
        }
        match event {
            PcEvent::LocalDescription { kind, sdp } => self.on_local_description(kind, sdp),
            PcEvent::LocalCandidate(candidate) => self.on_local_candidate(candidate),
            PcEvent::StateChanged(state) => self.on_pc_state(state, now),
            PcEvent::OperationFailed(PcOperation::AddRemoteCandidate) => {
                // One unusable candidate (e.g. an address family we lack) is
                // no reason to end the call; ICE tries the others.
                tracing::debug!("a remote candidate was rejected");
            }
            PcEvent::OperationFailed(operation) => {
                tracing::warn!(operation = operation.name(), "negotiation failed");
                let error = CallError::Negotiation(operation);
                self.finish(CallState::Failed(error), true);
            }
        }
    }

    /// Our description is set: send it, then the candidates that waited.
    fn on_local_description(&mut self, kind: SdpKind, sdp: String) {
        let (expected, next_phase) = match self.session.phase {
            SdpPhase::CreatingOffer => (SdpKind::Offer, SdpPhase::AwaitingAnswer),
            SdpPhase::CreatingAnswer => (SdpKind::Answer, SdpPhase::Stable),
            _ => (kind, self.session.phase),
        };
        let s = &mut self.session;
        if kind != expected || next_phase == s.phase || s.creating == 0 {
            tracing::debug!(?kind, phase = ?s.phase, "local description out of place ignored");
            return;
        }
        s.creating -= 1;
        if s.creating > 0 {
            // Another one was asked for since; the connection ends up with it.
            return;
        }
        s.phase = next_phase;
        s.local_sent = true;
        let early = std::mem::take(&mut s.early_local);
        self.push(Action::Send(match kind {
            SdpKind::Offer => PeerMessage::Offer { sdp },
            SdpKind::Answer => PeerMessage::Answer { sdp },
        }));
        for candidate in early {
            self.push(Action::Send(PeerMessage::Candidate(candidate)));
        }
    }

    /// Trickle: each candidate goes out as it comes, but never before the
    /// description it belongs to (a browser rejects it otherwise).
    fn on_local_candidate(&mut self, candidate: IceCandidate) {
        if candidate.is_end_of_candidates() {
            return;
        }
        if self.session.local_sent {
            self.push(Action::Send(PeerMessage::Candidate(candidate)));
        } else if self.session.early_local.len() < MAX_QUEUED_CANDIDATES {
            self.session.early_local.push(candidate);
        }
    }
}
