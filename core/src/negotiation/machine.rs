//! The negotiator: its fields, the input dispatch, the relay and signaling
//! rules, and the call state shown to the user.

use std::collections::VecDeque;
use std::time::Instant;

use videochat_protocol::{ErrorCode, PeerMessage, ProtocolError, RelayEvent, RoomId};

use super::config::NegotiationConfig;
use super::input::Input;
use super::output::Action;
use super::session::PeerSession;
use super::state::{CallError, CallState, EndReason, Role};

/// The sans-IO negotiation state machine of one call.
///
/// Feed it [`Input`]s with [`handle`](Self::handle), then drain the
/// [`Action`]s with [`poll_action`](Self::poll_action) and carry them out in
/// order; call `handle(Input::Tick, now)` at [`poll_timeout`](Self::poll_timeout).
/// It never panics on any input, in any order.
#[derive(Debug)]
pub struct Negotiator {
    pub(super) room: RoomId,
    pub(super) config: NegotiationConfig,
    pub(super) actions: VecDeque<Action>,
    /// The state last reported with `StateChanged`.
    shown: CallState,
    /// Set once the call is over; every later input is ignored.
    terminal: Option<CallState>,
    signaling: Signaling,
    /// Reconnections to the relay since we were last in the room.
    signaling_retries: u32,
    /// Whether we were ever in the room, to tell connecting from reconnecting.
    was_in_room: bool,
    /// Some once the relay placed us in the room.
    pub(super) role: Option<Role>,
    pub(super) local_media: bool,
    /// Whether the peer connection was used since it was made, so a new
    /// negotiation needs a fresh one.
    pub(super) pc_used: bool,
    /// Everything about the current peer; reset when a peer leaves or joins.
    pub(super) session: PeerSession,
}

/// Where we are with the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signaling {
    /// `ConnectSignaling` was asked for; waiting for the socket.
    Connecting,
    /// The socket is open and `join` sent; waiting for `created`/`joined`.
    Joining,
    /// In the room.
    InRoom,
    /// The socket was lost; reconnect at this time.
    RetryAt(Instant),
}

impl Negotiator {
    /// A machine for a call in `room`. Its first actions are
    /// `StateChanged(Connecting)` and `ConnectSignaling`.
    pub fn new(room: RoomId, config: NegotiationConfig) -> Self {
        let mut machine = Negotiator {
            room,
            config,
            actions: VecDeque::new(),
            shown: CallState::Connecting,
            terminal: None,
            signaling: Signaling::Connecting,
            signaling_retries: 0,
            was_in_room: false,
            role: None,
            local_media: false,
            pc_used: false,
            session: PeerSession::default(),
        };
        machine.push(Action::StateChanged(CallState::Connecting));
        machine.push(Action::ConnectSignaling);
        machine
    }

    /// Takes in one input that happened at `now`. Timers due at `now` fire too.
    pub fn handle(&mut self, input: Input, now: Instant) {
        if self.terminal.is_some() {
            return;
        }
        match input {
            Input::SignalingConnected => self.on_signaling_connected(),
            Input::SignalingLost => self.on_signaling_lost(now),
            Input::Relay(event) => self.on_relay(event),
            Input::Peer(message) if self.in_room() => self.on_peer_message(message),
            Input::Peer(message) => {
                tracing::debug!(kind = message.kind(), "peer message outside a room ignored");
            }
            Input::Malformed(error) => self.on_malformed(&error),
            Input::LocalMediaLive => self.on_local_media_live(),
            Input::PeerConnection(event) if self.in_room() => self.on_pc_event(event, now),
            Input::PeerConnection(_) => {}
            Input::HangUp => {
                let bye = self.in_room();
                self.finish(CallState::Ended(EndReason::HungUp), bye);
            }
            Input::Tick => {}
        }
        self.fire_timers(now);
        self.publish_state();
    }

    /// The next action to carry out, or `None` when there is nothing to do
    /// until the next input.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Drains every pending action, in order.
    pub fn drain_actions(&mut self) -> impl Iterator<Item = Action> + '_ {
        self.actions.drain(..)
    }

    /// When to call `handle(Input::Tick, ..)` next, if a timer is pending.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.terminal.is_some() {
            return None;
        }
        let retry = match self.signaling {
            Signaling::RetryAt(at) => Some(at),
            _ => None,
        };
        let ice = if self.in_room() {
            self.ice_deadline()
        } else {
            None
        };
        [retry, ice].into_iter().flatten().min()
    }

    /// The call state last reported.
    pub fn state(&self) -> &CallState {
        &self.shown
    }

    /// Our role in the room, once the relay gave us one.
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    /// The room of this call.
    pub fn room(&self) -> &RoomId {
        &self.room
    }

    pub(super) fn push(&mut self, action: Action) {
        self.actions.push_back(action);
    }

    pub(super) fn in_room(&self) -> bool {
        self.signaling == Signaling::InRoom
    }

    /// Ends the call: optionally says `bye` to the peer, then closes.
    pub(super) fn finish(&mut self, state: CallState, send_bye: bool) {
        if send_bye {
            self.push(Action::Send(PeerMessage::Bye));
        }
        self.push(Action::Close);
        self.terminal = Some(state);
    }

    /// Forgets the current peer; the next one negotiates on a fresh connection.
    pub(super) fn reset_session(&mut self) {
        if self.pc_used {
            self.push(Action::ResetPeerConnection);
            self.pc_used = false;
        }
        self.session = PeerSession::default();
    }

    fn on_signaling_connected(&mut self) {
        if self.signaling == Signaling::Connecting {
            self.signaling = Signaling::Joining;
            self.push(Action::SendJoin(self.room.clone()));
        }
    }

    /// The relay drops us from the room when our socket goes, and tells the
    /// peer `peer-left`, whose machine then starts afresh: so do we, and
    /// rejoin after a delay, taking whatever role the relay gives us then.
    fn on_signaling_lost(&mut self, now: Instant) {
        if matches!(self.signaling, Signaling::RetryAt(_)) {
            return;
        }
        self.reset_session();
        self.role = None;
        if self.signaling_retries >= self.config.max_signaling_retries {
            self.finish(CallState::Ended(EndReason::SignalingLost), false);
            return;
        }
        self.signaling_retries += 1;
        self.signaling = Signaling::RetryAt(now + self.config.signaling_retry_delay);
    }

    fn on_relay(&mut self, event: RelayEvent) {
        match event {
            RelayEvent::Created { .. } if self.signaling == Signaling::Joining => {
                self.enter_room(Role::Initiator);
            }
            RelayEvent::Joined { .. } if self.signaling == Signaling::Joining => {
                self.enter_room(Role::Answerer);
                self.session.present = true;
                self.maybe_send_ready();
            }
            // The relay sends peer-joined only to the one waiting. A second
            // one without peer-left in between means a new peer: start afresh.
            RelayEvent::PeerJoined { .. }
                if self.in_room() && self.role == Some(Role::Initiator) =>
            {
                self.reset_session();
                self.session.present = true;
                self.maybe_send_ready();
            }
            // The one who stays becomes the initiator for whoever comes next.
            RelayEvent::PeerLeft { .. } if self.in_room() => {
                self.reset_session();
                self.role = Some(Role::Initiator);
            }
            RelayEvent::Full { .. } if !self.in_room() => {
                self.finish(CallState::Ended(EndReason::RoomFull), false);
            }
            RelayEvent::Error {
                code: ErrorCode::BadRoom,
                ..
            } => {
                self.finish(CallState::Failed(CallError::BadRoom), false);
            }
            RelayEvent::Error { code, .. } => {
                // The others concern one frame; a fatal one closes the socket,
                // which arrives as `SignalingLost`.
                tracing::warn!(?code, "the relay refused a frame");
            }
            other => tracing::debug!(?other, "relay event out of place ignored"),
        }
    }

    fn enter_room(&mut self, role: Role) {
        self.signaling = Signaling::InRoom;
        self.signaling_retries = 0;
        self.was_in_room = true;
        self.reset_session();
        self.role = Some(role);
    }

    fn on_malformed(&mut self, error: &ProtocolError) {
        let kind = match error {
            ProtocolError::NotJson => "non-JSON",
            ProtocolError::Malformed { kind } => kind,
        };
        tracing::warn!(kind, "malformed message: the call fails");
        let bye = self.in_room();
        self.finish(CallState::Failed(CallError::MalformedMessage { kind }), bye);
    }

    fn fire_timers(&mut self, now: Instant) {
        if matches!(self.signaling, Signaling::RetryAt(at) if at <= now) {
            self.signaling = Signaling::Connecting;
            self.push(Action::ConnectSignaling);
        }
        if self.in_room() && self.terminal.is_none() {
            self.fire_ice_timers(now);
        }
    }

    /// The state the UI should show now.
    fn current_state(&self) -> CallState {
        if let Some(terminal) = &self.terminal {
            return terminal.clone();
        }
        match self.signaling {
            Signaling::InRoom if !self.session.present => CallState::WaitingForPeer,
            Signaling::InRoom if self.session.pc_connected => CallState::Connected,
            Signaling::InRoom if self.session.connected_once => CallState::Reconnecting,
            Signaling::InRoom => CallState::Negotiating,
            _ if self.was_in_room => CallState::Reconnecting,
            _ => CallState::Connecting,
        }
    }

    fn publish_state(&mut self) {
        let state = self.current_state();
        if state != self.shown {
            tracing::info!(?state, "call state");
            self.shown = state.clone();
            self.push(Action::StateChanged(state));
        }
    }
}
