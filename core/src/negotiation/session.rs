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
use super::reply::{ReplyStep, ReplyWait};
use super::sdp::dtls_fingerprint;
use super::state::{EndReason, Role};

/// Candidates held back at most, each way; more is a misbehaving peer (the
/// relay's rate limit bounds it too) and the extra ones are dropped.
const MAX_QUEUED_CANDIDATES: usize = 256;

/// Everything about the current peer. A new peer gets a new one.
#[derive(Debug)]
pub(super) struct PeerSession {
    role: Role,
    /// Our call id, told to the peer before anything else.
    call_id: String,
    /// We told this peer our call id.
    call_id_sent: bool,
    /// The peer's call id, once it told us (clients that do not know
    /// `call-id` never do).
    peer_call_id: Option<String>,
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
    /// Our last description and the candidates sent after it: sent again
    /// when the peer's reply does not come (the first may have been lost).
    last_local: Option<PeerMessage>,
    sent_local: Vec<IceCandidate>,
    /// Waiting for the answer (initiator) or an offer (answerer).
    reply: Option<ReplyWait>,
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

/// What a passed deadline led to.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Still trying: carry these out (a restart offer, a frame sent again, or nothing yet).
    Continue(Vec<Action>),
    /// Media cannot be restored, or the peer stopped replying: the call ends.
    End(EndReason),
}

impl PeerSession {
    pub(super) fn new(role: Role, local_media: bool, call_id: String) -> Self {
        PeerSession {
            role,
            call_id,
            call_id_sent: false,
            peer_call_id: None,
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
            last_local: None,
            sent_local: Vec::new(),
            reply: None,
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

    pub(super) fn peer_call_id(&self) -> Option<&str> {
        self.peer_call_id.as_deref()
    }

    /// Offer and answer are applied: the connection carries this peer's media
    /// (or did, until it was lost), so it is worth keeping for this peer.
    pub(super) fn is_negotiated(&self) -> bool {
        self.phase == SdpPhase::Stable
    }

    /// Takes this negotiated session up again after the peer came back
    /// through a fresh join (a restarted relay, or its slot expired), in the
    /// role the relay gave us now. Nothing is negotiated again; if media was
    /// lost meanwhile, an initiator restarts ICE at once.
    pub(super) fn carry_on(&mut self, role: Role, now: Instant, config: &NegotiationConfig) {
        self.role = role;
        self.present = true;
        self.call_id_sent = true;
        self.ready_sent = self.local_media;
        self.peer_ready = true;
        self.offered = true;
        self.reply = None;
        self.recovery.restart_now(now, config);
    }

    /// The relay says a peer is here (or it spoke to us): our call id goes
    /// first, then `ready` if our media is live.
    pub(super) fn peer_arrived(&mut self, now: Instant) -> Vec<Action> {
        self.present = true;
        let mut out = Vec::new();
        if !self.call_id_sent {
            self.call_id_sent = true;
            out.push(Action::Send(PeerMessage::CallId {
                id: self.call_id.clone(),
            }));
        }
        self.maybe_send_ready(now, &mut out);
        out
    }

    pub(super) fn local_media_live(&mut self, now: Instant) -> Vec<Action> {
        let mut out = Vec::new();
        if self.local_media {
            return out;
        }
        self.local_media = true;
        self.maybe_send_ready(now, &mut out);
        self.maybe_offer(&mut out);
        if let Some(offer) = self.pending_offer.take() {
            self.apply_offer(offer, &mut out);
        }
        out
    }

    /// A message from the peer; `bye` is the machine's (it ends the call).
    pub(super) fn on_peer_message(&mut self, message: PeerMessage, now: Instant) -> Vec<Action> {
        // The relay only forwards from a member of our room.
        let mut out = if self.present {
            Vec::new()
        } else {
            self.peer_arrived(now)
        };
        match message {
            PeerMessage::Ready => self.on_ready(now, &mut out),
            PeerMessage::Offer { sdp } => self.on_offer(sdp, &mut out),
            PeerMessage::Answer { sdp } => self.on_answer(sdp, now, &mut out),
            PeerMessage::Candidate(candidate) => self.on_remote_candidate(candidate, &mut out),
            PeerMessage::CallId { id } => self.peer_call_id = Some(id),
            // The driver runs the security-code exchange; the machine handles
            // `bye` (ends the call) and `media` (reported).
            PeerMessage::Sas(_) | PeerMessage::Bye | PeerMessage::Media(_) => {}
        }
        out
    }

    /// Our description is set: send it, then the candidates that waited.
    pub(super) fn on_local_description(
        &mut self,
        kind: SdpKind,
        sdp: String,
        now: Instant,
    ) -> Vec<Action> {
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
        if kind == SdpKind::Offer {
            self.reply = Some(ReplyWait::new(now));
        }
        self.last_local = Some(match kind {
            SdpKind::Offer => PeerMessage::Offer { sdp },
            SdpKind::Answer => PeerMessage::Answer { sdp },
        });
        self.sent_local = std::mem::take(&mut self.early_local);
        self.local_again()
    }

    /// Our last description and every candidate sent after it.
    fn local_again(&self) -> Vec<Action> {
        self.last_local
            .iter()
            .cloned()
            .chain(self.sent_local.iter().cloned().map(PeerMessage::Candidate))
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
            if self.sent_local.len() < MAX_QUEUED_CANDIDATES {
                self.sent_local.push(candidate.clone());
            }
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

    /// The next time this session wants to act: an ICE rule of our role if
    /// the connection is lost, or the end of a wait for the peer's reply.
    pub(super) fn deadline(&self, config: &NegotiationConfig) -> Option<Instant> {
        let ice = self.recovery.deadline(self.role, self.offered, config);
        let reply = self
            .reply
            .as_ref()
            .map(|r| r.deadline(self.reply_timeout(config)));
        ice.into_iter().chain(reply).min()
    }

    /// Acts on passed deadlines: send again what got no reply, restart ICE
    /// (initiator), or give up.
    pub(super) fn on_deadline(&mut self, now: Instant, config: &NegotiationConfig) -> Outcome {
        let mut out = Vec::new();
        let timeout = self.reply_timeout(config);
        if let Some(reply) = self.reply.as_mut().filter(|r| r.deadline(timeout) <= now) {
            match reply.on_deadline(now, config.max_resends) {
                ReplyStep::GiveUp => {
                    tracing::info!(role = ?self.role, "the peer stopped replying");
                    return Outcome::End(EndReason::PeerUnresponsive);
                }
                ReplyStep::Resend => {
                    tracing::info!(role = ?self.role, "no reply: sending again");
                    match self.role {
                        Role::Initiator => out.extend(self.local_again()),
                        Role::Answerer => out.push(Action::Send(PeerMessage::Ready)),
                    }
                }
            }
        }
        let ice = self.recovery.deadline(self.role, self.offered, config);
        if ice.is_some_and(|at| at <= now) {
            match self.recovery.on_deadline(now, self.role, config) {
                RecoveryStep::GiveUp => return Outcome::End(EndReason::IceFailed),
                RecoveryStep::RestartIce => self.start_offer(true, &mut out),
                RecoveryStep::Replace => {
                    // The peer's candidates were for the old connection.
                    self.early_remote.clear();
                    out.push(Action::ResetPeerConnection);
                    self.start_offer(false, &mut out);
                }
            }
        }
        Outcome::Continue(out)
    }

    /// The peer can hear us again after its socket or ours was lost (it
    /// resumed, or we did): frames in flight were lost with the dead socket,
    /// so what awaits a reply is sent again; and a loss of both signaling and
    /// media is most likely a network change, so a lost connection is
    /// restarted now rather than after the grace period.
    pub(super) fn reachable_again(
        &mut self,
        now: Instant,
        config: &NegotiationConfig,
    ) -> Vec<Action> {
        self.recovery.restart_now(now, config);
        if self.reply.is_none() {
            return Vec::new();
        }
        self.reply = Some(ReplyWait::new(now));
        match self.role {
            Role::Initiator if self.phase == SdpPhase::AwaitingAnswer => self.local_again(),
            Role::Answerer if self.ready_sent => vec![Action::Send(PeerMessage::Ready)],
            _ => Vec::new(),
        }
    }

    /// When a connection whose peer we cannot reach gives up: it was lost
    /// for as long as an answerer would wait for a restart.
    pub(super) fn unreachable_deadline(&self, config: &NegotiationConfig) -> Option<Instant> {
        self.recovery
            .lost_since()
            .map(|at| at + config.answerer_patience())
    }

    fn reply_timeout(&self, config: &NegotiationConfig) -> std::time::Duration {
        match self.role {
            Role::Initiator => config.answer_timeout,
            Role::Answerer => config.offer_timeout,
        }
    }

    /// Both peers say `ready` once their media is live and a peer is there;
    /// the answerer then waits for an offer.
    fn maybe_send_ready(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.present && self.local_media && !self.ready_sent {
            self.ready_sent = true;
            out.push(Action::Send(PeerMessage::Ready));
            if self.role == Role::Answerer && self.last_offer.is_none() {
                self.reply = Some(ReplyWait::new(now));
            }
        }
    }

    /// `ready` from the peer. Again, while we wait for its answer, means our
    /// offer never reached it: send it again.
    fn on_ready(&mut self, now: Instant, out: &mut Vec<Action>) {
        if self.peer_ready && self.phase == SdpPhase::AwaitingAnswer {
            out.extend(self.local_again());
            return;
        }
        self.peer_ready = true;
        self.maybe_send_ready(now, out);
        self.maybe_offer(out);
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
            // Our answer was lost, or is on its way: send it again.
            if self.phase == SdpPhase::Stable {
                out.extend(self.local_again());
            }
        } else if !self.local_media {
            // Answer with our tracks on, once they are (latest offer wins).
            self.pending_offer = Some(sdp);
        } else {
            self.apply_offer(sdp, out);
        }
    }

    /// Sets the offer, asks for the answer, then applies early candidates.
    /// A new offer in a stable session is an ICE restart or a renegotiation.
    /// An offer with a new DTLS fingerprint comes from a fresh connection
    /// (the initiator replaced one that never came up): ours is replaced
    /// too, as a DTLS transport cannot take a new certificate.
    fn apply_offer(&mut self, sdp: String, out: &mut Vec<Action>) {
        let previous = self.last_offer.as_deref().map(dtls_fingerprint);
        if previous.is_some_and(|fingerprint| fingerprint != dtls_fingerprint(&sdp)) {
            tracing::info!("the peer made a fresh connection: so do we");
            self.recovery.replaced();
            out.push(Action::ResetPeerConnection);
        }
        self.used_connection = true;
        self.reply = None;
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

    fn on_answer(&mut self, sdp: String, now: Instant, out: &mut Vec<Action>) {
        if self.role != Role::Initiator || self.phase != SdpPhase::AwaitingAnswer {
            // An answer without our offer, a duplicate, or a stale one.
            tracing::debug!(phase = ?self.phase, "answer out of place ignored");
            return;
        }
        self.phase = SdpPhase::Stable;
        self.remote_set = true;
        self.reply = None;
        self.recovery.negotiated(now);
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
