//! The negotiator: the relay link, the input dispatch, the end of the call,
//! and the call state shown to the user. What happens with one peer is the
//! [`PeerSession`]'s.

use std::collections::VecDeque;
use std::time::Instant;

use videochat_protocol::{ErrorCode, PeerMessage, ProtocolError, RelayEvent, RoomId};

use super::config::NegotiationConfig;
use super::input::{Input, PcOperation};
use super::output::{Action, Output};
use super::session::{IceOutcome, PeerSession};
use super::state::{CallFailure, CallState, EndReason, Role};

/// The sans-IO negotiation state machine of one call.
///
/// Feed it [`Input`]s with [`handle`](Self::handle), then drain
/// [`poll_output`](Self::poll_output) until it says [`Output::Wait`],
/// carrying out each [`Action`] in order. It never panics on any input, in
/// any order.
#[derive(Debug)]
pub struct Negotiator {
    room: RoomId,
    config: NegotiationConfig,
    outbox: VecDeque<Action>,
    /// The state last reported with `StateChanged`.
    shown: CallState,
    /// Set once the call is over; every later input is ignored.
    ended: Option<CallState>,
    link: RelayLink,
    /// Reconnections to the relay since we were last in the room.
    relay_retries: u32,
    /// Whether we were ever in the room, to tell connecting from reconnecting.
    was_in_room: bool,
    /// Our camera and microphone are live (a new session starts with it).
    local_media: bool,
}

/// Where we are with the relay.
#[derive(Debug)]
enum RelayLink {
    /// `ConnectSignaling` was asked for; waiting for the socket.
    Connecting,
    /// The socket is open and `join` sent; waiting for `created`/`joined`.
    Joining,
    /// In the room, with whoever is or comes there.
    InRoom(PeerSession),
    /// The socket was lost; reconnect at this time.
    RetryAt(Instant),
}

impl RelayLink {
    fn session(&mut self) -> Option<&mut PeerSession> {
        match self {
            RelayLink::InRoom(session) => Some(session),
            _ => None,
        }
    }

    /// The session, if a peer is there: events of a connection nobody
    /// negotiates on are late events of an old one.
    fn negotiating(&mut self) -> Option<&mut PeerSession> {
        self.session().filter(|s| s.is_present())
    }
}

impl Negotiator {
    /// A machine for a call in `room`. Its first actions are
    /// `StateChanged(Connecting)` and `ConnectSignaling`.
    pub fn new(room: RoomId, config: NegotiationConfig) -> Self {
        Negotiator {
            room,
            config,
            outbox: VecDeque::from([
                Action::StateChanged(CallState::Connecting),
                Action::ConnectSignaling,
            ]),
            shown: CallState::Connecting,
            ended: None,
            link: RelayLink::Connecting,
            relay_retries: 0,
            was_in_room: false,
            local_media: false,
        }
    }

    /// Takes in one input that happened at `now`. Timers due at `now` fire too.
    pub fn handle(&mut self, input: Input, now: Instant) {
        if self.ended.is_some() {
            return;
        }
        match input {
            Input::SignalingConnected => self.on_signaling_connected(),
            Input::SignalingLost => self.on_signaling_lost(now),
            Input::Relay(event) => self.on_relay(event),
            Input::Peer(PeerMessage::Bye) if self.in_room() => {
                self.finish(CallState::Ended(EndReason::PeerLeft), false);
            }
            Input::Peer(message) => match self.link.session() {
                Some(session) => {
                    let actions = session.on_peer_message(message);
                    self.outbox.extend(actions);
                }
                None => {
                    tracing::debug!(kind = message.kind(), "peer message outside a room ignored")
                }
            },
            Input::Malformed(error) => self.on_malformed(&error),
            Input::LocalMediaLive => {
                self.local_media = true;
                if let Some(session) = self.link.session() {
                    let actions = session.local_media_live();
                    self.outbox.extend(actions);
                }
            }
            Input::LocalDescription { kind, sdp } => {
                if let Some(session) = self.link.negotiating() {
                    let actions = session.on_local_description(kind, sdp);
                    self.outbox.extend(actions);
                }
            }
            Input::LocalCandidate(candidate) => {
                if let Some(session) = self.link.negotiating() {
                    let actions = session.on_local_candidate(candidate);
                    self.outbox.extend(actions);
                }
            }
            Input::ConnectionState(state) => {
                if let Some(session) = self.link.negotiating() {
                    session.on_connection_state(state, now, &self.config);
                }
            }
            Input::OperationFailed(operation) => self.on_operation_failed(operation),
            Input::HangUp => {
                let bye = self.in_room();
                self.finish(CallState::Ended(EndReason::HungUp), bye);
            }
            Input::Tick => {}
        }
        self.fire_timers(now);
        self.publish_state();
    }

    /// The next thing to do, or how long to wait: drain it until `Wait`.
    pub fn poll_output(&mut self) -> Output {
        match self.outbox.pop_front() {
            Some(action) => Output::Action(action),
            None => Output::Wait {
                until: self.next_deadline(),
            },
        }
    }

    /// The call state last reported.
    pub fn state(&self) -> &CallState {
        &self.shown
    }

    /// Our role in the room, while we are in it.
    pub fn role(&self) -> Option<Role> {
        match &self.link {
            RelayLink::InRoom(session) => Some(session.role()),
            _ => None,
        }
    }

    fn in_room(&self) -> bool {
        matches!(self.link, RelayLink::InRoom(_))
    }

    /// Ends the call: optionally says `bye` to the peer, then closes.
    fn finish(&mut self, state: CallState, send_bye: bool) {
        // A socket not yet opened would only be opened to be closed.
        self.outbox.retain(|a| *a != Action::ConnectSignaling);
        if send_bye {
            self.outbox.push_back(Action::Send(PeerMessage::Bye));
        }
        self.outbox.push_back(Action::Close);
        self.ended = Some(state);
    }

    /// Moves to `link`; a peer connection used with the old session's peer
    /// is replaced, so the next one negotiates from scratch.
    fn set_link(&mut self, link: RelayLink) {
        if let RelayLink::InRoom(old) = std::mem::replace(&mut self.link, link)
            && old.used_connection()
        {
            self.outbox.push_back(Action::ResetPeerConnection);
        }
    }

    /// A fresh session with whoever is or comes into the room.
    fn new_session(&mut self, role: Role, peer_present: bool) {
        self.set_link(RelayLink::InRoom(PeerSession::new(role, self.local_media)));
        if peer_present && let Some(session) = self.link.session() {
            let actions = session.peer_arrived();
            self.outbox.extend(actions);
        }
    }

    fn on_signaling_connected(&mut self) {
        if matches!(self.link, RelayLink::Connecting) {
            self.link = RelayLink::Joining;
            self.outbox.push_back(Action::SendJoin(self.room.clone()));
        }
    }

    /// The relay drops us from the room when our socket goes, and tells the
    /// peer `peer-left`, whose machine then starts afresh: so do we, and
    /// rejoin after a delay, taking whatever role the relay gives us then.
    fn on_signaling_lost(&mut self, now: Instant) {
        if matches!(self.link, RelayLink::RetryAt(_)) {
            return;
        }
        if self.relay_retries >= self.config.max_signaling_retries {
            self.set_link(RelayLink::Connecting);
            self.finish(CallState::Ended(EndReason::SignalingLost), false);
            return;
        }
        self.relay_retries += 1;
        self.set_link(RelayLink::RetryAt(now + self.config.signaling_retry_delay));
    }

    fn on_relay(&mut self, event: RelayEvent) {
        let joining = matches!(self.link, RelayLink::Joining);
        let role = self.role();
        match event {
            RelayEvent::Created { .. } if joining => self.enter_room(Role::Initiator, false),
            RelayEvent::Joined { .. } if joining => self.enter_room(Role::Answerer, true),
            // The relay sends peer-joined only to the one waiting. A second
            // one without peer-left in between means a new peer: start afresh.
            RelayEvent::PeerJoined { .. } if role == Some(Role::Initiator) => {
                self.new_session(Role::Initiator, true);
            }
            // The one who stays becomes the initiator for whoever comes next.
            RelayEvent::PeerLeft { .. } if role.is_some() => {
                self.new_session(Role::Initiator, false);
            }
            RelayEvent::Full { .. } if role.is_none() => {
                self.finish(CallState::Ended(EndReason::RoomFull), false);
            }
            RelayEvent::Error {
                code: ErrorCode::BadRoom,
                ..
            } => {
                self.finish(CallState::Failed(CallFailure::BadRoom), false);
            }
            RelayEvent::Error { code, .. } => {
                // The others concern one frame; a fatal one closes the socket,
                // which arrives as `SignalingLost`.
                tracing::warn!(?code, "the relay refused a frame");
            }
            other => tracing::debug!(?other, "relay event out of place ignored"),
        }
    }

    fn enter_room(&mut self, role: Role, peer_present: bool) {
        self.relay_retries = 0;
        self.was_in_room = true;
        self.new_session(role, peer_present);
    }

    fn on_malformed(&mut self, error: &ProtocolError) {
        let kind = match error {
            ProtocolError::NotJson => "non-JSON",
            ProtocolError::Malformed { kind } => kind,
        };
        tracing::warn!(kind, "malformed message: the call fails");
        let bye = self.in_room();
        self.finish(
            CallState::Failed(CallFailure::MalformedMessage { kind }),
            bye,
        );
    }

    fn on_operation_failed(&mut self, operation: PcOperation) {
        let failure = match operation {
            // Without a connection there is no call, in a room or not.
            PcOperation::CreateConnection => CallFailure::Internal,
            _ if self.link.negotiating().is_none() => return, // an old connection's
            // One unusable candidate (e.g. an address family we lack) is no
            // reason to end the call; ICE tries the others.
            PcOperation::AddRemoteCandidate => {
                tracing::debug!("a remote candidate was rejected");
                return;
            }
            PcOperation::SetRemoteDescription => CallFailure::IncompatiblePeer,
            PcOperation::CreateOffer | PcOperation::CreateAnswer => CallFailure::Internal,
        };
        tracing::warn!(operation = operation.name(), "negotiation failed");
        let bye = self.in_room();
        self.finish(CallState::Failed(failure), bye);
    }

    fn next_deadline(&self) -> Option<Instant> {
        if self.ended.is_some() {
            return None;
        }
        match &self.link {
            RelayLink::RetryAt(at) => Some(*at),
            RelayLink::InRoom(session) => session.ice_deadline(&self.config),
            RelayLink::Connecting | RelayLink::Joining => None,
        }
    }

    fn fire_timers(&mut self, now: Instant) {
        if self.ended.is_some() {
            return;
        }
        let outcome = match &mut self.link {
            RelayLink::RetryAt(at) if *at <= now => {
                self.link = RelayLink::Connecting;
                self.outbox.push_back(Action::ConnectSignaling);
                return;
            }
            RelayLink::InRoom(session) => session.on_ice_deadline(now, &self.config),
            _ => return,
        };
        match outcome {
            IceOutcome::Continue(actions) => self.outbox.extend(actions),
            IceOutcome::GaveUp => self.finish(CallState::Ended(EndReason::IceFailed), true),
        }
    }

    /// The state the UI should show now.
    fn current_state(&self) -> CallState {
        if let Some(ended) = &self.ended {
            return ended.clone();
        }
        match &self.link {
            RelayLink::InRoom(s) if !s.is_present() => CallState::WaitingForPeer,
            RelayLink::InRoom(s) if s.is_connected() => CallState::Connected,
            RelayLink::InRoom(s) if s.was_connected() => CallState::Reconnecting,
            RelayLink::InRoom(_) => CallState::Negotiating,
            _ if self.was_in_room => CallState::Reconnecting,
            _ => CallState::Connecting,
        }
    }

    fn publish_state(&mut self) {
        let state = self.current_state();
        if state != self.shown {
            tracing::info!(?state, "call state");
            self.shown = state.clone();
            self.outbox.push_back(Action::StateChanged(state));
        }
    }
}
