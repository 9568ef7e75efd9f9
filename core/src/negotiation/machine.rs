//! The negotiator: the relay link, the input dispatch, the end of the call,
//! and the call state shown to the user. What happens with one peer is the
//! [`PeerSession`]'s.

use std::collections::VecDeque;
use std::time::Instant;

use videochat_protocol::{
    ErrorCode, Grant, IceServer, PeerMessage, ProtocolError, RelayEvent, RoomId,
};

use super::backoff::Backoff;
use super::config::NegotiationConfig;
use super::input::{Input, PcOperation};
use super::media_sync::MediaSync;
use super::output::{Action, Output};
use super::session::{Outcome, PeerSession};
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
    /// Our side's random id, told to every peer we meet: a peer that meets us
    /// again after a relay restart knows it is the same call.
    call_id: String,
    outbox: VecDeque<Action>,
    /// The state last reported with `StateChanged`.
    shown: CallState,
    /// Set once the call is over; every later input is ignored.
    ended: Option<CallState>,
    link: RelayLink,
    /// The session with a peer we are out of touch with (our socket or its
    /// was lost) whose connection may still carry media: kept, not torn
    /// down, until the peer is back or proves to be someone else.
    held: Option<Box<PeerSession>>,
    /// The relay's token for our slot, to take it back after a loss.
    session_token: Option<String>,
    /// The liveness of the open socket: when we last heard from the relay,
    /// and when we ping next.
    last_heard: Instant,
    next_ping: Instant,
    backoff: Backoff,
    /// Whether we were ever in the room, to tell connecting from reconnecting.
    was_in_room: bool,
    /// A join went out on a socket lost before its reply: the relay may hold
    /// that socket in our place until it notices it is gone, so a `full`
    /// may mean ourselves, and is retried like a refused join.
    join_may_have_landed: bool,
    /// Our camera and microphone are live (a new session starts with it).
    local_media: bool,
    /// Remote media stopped although ICE says connected (shown as reconnecting).
    media_stalled: bool,
    /// Our microphone and camera state, told to the peer; and the peer's.
    media: MediaSync,
}

/// Where we are with the relay.
#[derive(Debug)]
enum RelayLink {
    /// `ConnectSignaling` was asked for; waiting for the socket.
    Connecting,
    /// The socket is open and `join` sent; waiting for `created`/`joined`/`resumed`.
    Joining,
    /// In the room, with whoever is or comes there.
    InRoom(Box<PeerSession>),
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

    fn socket_open(&self) -> bool {
        matches!(self, RelayLink::Joining | RelayLink::InRoom(_))
    }
}

impl Negotiator {
    /// A machine for a call in `room`, with a random call id and jitter.
    /// Its first actions are `StateChanged(Connecting)` and `ConnectSignaling`.
    pub fn new(room: RoomId, config: NegotiationConfig) -> Self {
        let token = videochat_protocol::random_token();
        let seed = u64::from_str_radix(&token[..16], 16).unwrap_or(1);
        Self::with_seed(room, config, seed)
    }

    /// As [`new`](Self::new), with the call id and the jitter drawn from
    /// `seed`, so a test can replay a run.
    pub fn with_seed(room: RoomId, config: NegotiationConfig, seed: u64) -> Self {
        let mut backoff = Backoff::new(seed);
        let call_id = format!("{:016x}{:016x}", backoff.next_u64(), backoff.next_u64());
        // Never read before the socket opens, which sets both.
        let epoch = Instant::now();
        Negotiator {
            room,
            config,
            call_id,
            outbox: VecDeque::from([
                Action::StateChanged(CallState::Connecting),
                Action::ConnectSignaling,
            ]),
            shown: CallState::Connecting,
            ended: None,
            link: RelayLink::Connecting,
            held: None,
            session_token: None,
            last_heard: epoch,
            next_ping: epoch,
            backoff,
            was_in_room: false,
            join_may_have_landed: false,
            local_media: false,
            media_stalled: false,
            media: MediaSync::default(),
        }
    }

    /// Takes in one input that happened at `now`. Timers due at `now` fire too.
    pub fn handle(&mut self, input: Input, now: Instant) {
        if self.ended.is_some() {
            return;
        }
        if input.is_from_relay() && self.link.socket_open() {
            self.last_heard = now;
        }
        match input {
            Input::SignalingConnected => self.on_signaling_connected(now),
            Input::SignalingLost => self.on_signaling_lost(now),
            Input::SignalingAlive => {}
            Input::Relay(event) => self.on_relay(event, now),
            Input::Peer(PeerMessage::Bye) if self.in_room() => {
                self.finish(CallState::Ended(EndReason::PeerLeft), false);
            }
            // Outside the held-session check: it says nothing of who the peer is.
            Input::Peer(PeerMessage::Media(state)) if self.in_room() => {
                self.outbox.extend(self.media.on_remote(state));
            }
            Input::Peer(message) => self.on_peer_message(message, now),
            Input::Malformed(error) => self.on_malformed(&error),
            Input::LocalMediaLive => {
                self.local_media = true;
                if let Some(session) = self.link.session() {
                    let actions = session.local_media_live(now);
                    self.outbox.extend(actions);
                }
            }
            Input::LocalDescription { kind, sdp } => {
                if let Some(session) = self.link.negotiating() {
                    let actions = session.on_local_description(kind, sdp, now);
                    self.outbox.extend(actions);
                }
            }
            Input::LocalCandidate(candidate) => {
                if let Some(session) = self.link.negotiating() {
                    let actions = session.on_local_candidate(candidate);
                    self.outbox.extend(actions);
                }
            }
            Input::MediaStalled => self.media_stalled = true,
            Input::MediaFlowing => self.media_stalled = false,
            // The held session, if any, owns the connection in use.
            Input::ConnectionState(state) => {
                self.media_stalled = false;
                if let Some(session) = self.held.as_deref_mut().or(self.link.negotiating()) {
                    session.on_connection_state(state, now, &self.config);
                }
            }
            Input::OperationFailed(operation) => self.on_operation_failed(operation),
            Input::LocalMediaChanged(state) => self.media.set_local(state),
            Input::HangUp => {
                let bye = self.in_room();
                self.finish(CallState::Ended(EndReason::HungUp), bye);
            }
            Input::Tick => {}
        }
        self.fire_timers(now);
        self.publish_state();
        self.tell_media();
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

    /// The state last reported.
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

    /// Our side's call id (sent to the peer as `call-id`).
    pub fn call_id(&self) -> &str {
        &self.call_id
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

    /// A fresh session with whoever is or comes into the room. The one it
    /// replaces is held if its peer may come back to it, else its connection
    /// is replaced so the next peer negotiates from scratch.
    fn new_session(&mut self, role: Role, peer_present: bool, now: Instant) {
        let session = PeerSession::new(role, self.local_media, self.call_id.clone());
        self.media.new_peer();
        if let RelayLink::InRoom(old) =
            std::mem::replace(&mut self.link, RelayLink::InRoom(Box::new(session)))
        {
            self.retire(old);
        }
        // A held peer may still be the one we talk to: its state holds till then.
        if self.held.is_none() {
            self.outbox.extend(self.media.peer_gone());
        }
        if peer_present && let Some(session) = self.link.session() {
            let actions = session.peer_arrived(now);
            self.outbox.extend(actions);
        }
    }

    /// Puts away a session whose peer we lost touch with: held if its
    /// connection is negotiated (media may still flow), else dropped, and
    /// its connection replaced if it was used.
    fn retire(&mut self, old: Box<PeerSession>) {
        if self.held.is_none() && old.is_negotiated() {
            self.held = Some(old);
        } else if old.used_connection() {
            self.outbox.push_back(Action::ResetPeerConnection);
        }
    }

    /// Gives up the held session (someone else came, or its media is gone);
    /// its connection is replaced if it was used.
    fn drop_held(&mut self) {
        self.outbox.extend(self.media.peer_gone());
        if let Some(held) = self.held.take()
            && held.used_connection()
        {
            tracing::info!("the held connection is replaced");
            self.outbox.push_back(Action::ResetPeerConnection);
        }
    }

    fn on_signaling_connected(&mut self, now: Instant) {
        if matches!(self.link, RelayLink::Connecting) {
            self.link = RelayLink::Joining;
            self.last_heard = now;
            self.next_ping = now + self.config.ping_interval;
            self.outbox.push_back(Action::SendJoin {
                room: self.room.clone(),
                session: self.session_token.clone(),
            });
        }
    }

    /// The socket is gone (closed, broken, or silent past the timeout). The
    /// relay keeps our slot for a while when we have a token, and the
    /// connection may still carry media: keep the session, reconnect after a
    /// growing, jittered delay, and take the slot back. The call ends only
    /// when the retries run out with no media flowing.
    fn on_signaling_lost(&mut self, now: Instant) {
        if matches!(self.link, RelayLink::RetryAt(_)) {
            return;
        }
        if matches!(self.link, RelayLink::Joining) {
            self.join_may_have_landed = true;
        }
        // Held as it is, negotiated or not: `resumed` gives it back intact.
        // (A session already held is the one with the connection; the
        // current one then has not used it.)
        if let RelayLink::InRoom(session) = std::mem::replace(&mut self.link, RelayLink::Connecting)
            && self.held.is_none()
        {
            self.held = Some(session);
        }
        let media_flows = self.held.as_ref().is_some_and(|s| s.is_connected());
        if self.backoff.attempts() >= self.config.max_signaling_retries && !media_flows {
            self.finish(CallState::Ended(EndReason::SignalingLost), false);
            return;
        }
        let delay = self.backoff.next_delay(&self.config);
        tracing::info!(
            ?delay,
            attempt = self.backoff.attempts(),
            "reconnecting to the relay"
        );
        self.link = RelayLink::RetryAt(now + delay);
    }

    fn on_relay(&mut self, event: RelayEvent, now: Instant) {
        let joining = matches!(self.link, RelayLink::Joining);
        let role = self.role();
        match event {
            RelayEvent::Created { grant, .. } if joining => {
                self.enter_room(grant, Role::Initiator, false, now)
            }
            RelayEvent::Joined { grant, .. } if joining => {
                self.enter_room(grant, Role::Answerer, true, now)
            }
            RelayEvent::Resumed { grant, .. } if joining => self.resume(grant, now),
            // The relay sends peer-joined only to the one waiting. A second
            // one without peer-left in between means a new peer: start afresh.
            RelayEvent::PeerJoined { .. } if role == Some(Role::Initiator) => {
                self.new_session(Role::Initiator, true, now);
            }
            // The one who stays becomes the initiator for whoever comes next
            // (perhaps the same peer, back through a fresh join).
            RelayEvent::PeerLeft { .. } if role.is_some() => {
                self.new_session(Role::Initiator, false, now);
            }
            RelayEvent::PeerAway { .. } => tracing::info!("the peer's link to the relay is down"),
            RelayEvent::PeerBack { .. } => {
                tracing::info!("the peer is back");
                self.media.retell();
                if let Some(session) = self.link.session() {
                    let actions = session.reachable_again(now, &self.config);
                    self.outbox.extend(actions);
                }
            }
            RelayEvent::Full { .. }
                if joining
                    && self.join_may_have_landed
                    && self.backoff.attempts() < self.config.max_signaling_retries =>
            {
                tracing::warn!("room full, perhaps with our own lost socket: trying again");
                self.outbox.push_back(Action::DisconnectSignaling);
                self.on_signaling_lost(now);
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
            // A relay under load refused the join for now: try again later,
            // as after a lost socket (backoff, jitter, a bounded count).
            RelayEvent::Error {
                code: code @ (ErrorCode::RateLimited | ErrorCode::RelayBusy),
                ..
            } if joining => {
                tracing::warn!(?code, "the relay refused our join for now");
                self.outbox.push_back(Action::DisconnectSignaling);
                self.on_signaling_lost(now);
            }
            RelayEvent::Error { code, .. } => {
                // The others concern one frame; a fatal one closes the socket,
                // which arrives as `SignalingLost`.
                tracing::warn!(?code, "the relay refused a frame");
            }
            other => tracing::debug!(?other, "relay event out of place ignored"),
        }
    }

    /// A fresh place in the room (the first, or the relay forgot our slot).
    fn enter_room(&mut self, grant: Grant, role: Role, peer_present: bool, now: Instant) {
        let ice_servers = self.admitted(grant);
        // Only a negotiated connection is worth carrying on with the peer it
        // may meet again; otherwise the connection is (or becomes) unused,
        // and new ICE servers apply to it by making it anew.
        let mut reset = false;
        if self.held.as_ref().is_some_and(|s| !s.is_negotiated()) {
            reset = self.held.take().is_some_and(|s| s.used_connection());
        }
        if !ice_servers.is_empty() {
            self.outbox.push_back(Action::UseIceServers(ice_servers));
            reset |= self.held.is_none();
        }
        if reset {
            self.outbox.push_back(Action::ResetPeerConnection);
        }
        self.new_session(role, peer_present, now);
    }

    /// Our slot back, role and peer as they were: the held session goes on
    /// (new ICE servers apply to the next connection).
    fn resume(&mut self, grant: Grant, now: Instant) {
        let ice_servers = self.admitted(grant);
        if !ice_servers.is_empty() {
            self.outbox.push_back(Action::UseIceServers(ice_servers));
        }
        self.media.retell();
        match self.held.take() {
            Some(mut session) => {
                let actions = session.reachable_again(now, &self.config);
                self.outbox.extend(actions);
                self.link = RelayLink::InRoom(session);
            }
            None => {
                tracing::debug!("resumed with nothing held");
                self.new_session(Role::Initiator, false, now);
            }
        }
    }

    /// Back in the room: the token to keep, the ICE servers to use.
    fn admitted(&mut self, grant: Grant) -> Vec<IceServer> {
        self.backoff.reset();
        self.was_in_room = true;
        self.join_may_have_landed = false;
        if grant.session.is_some() {
            self.session_token = grant.session;
        }
        grant.ice_servers
    }

    /// A peer message in the room. With a session held, the first message of
    /// the peer decides: its `call-id` equal to the held peer's carries the
    /// held connection on; anything else means someone else.
    fn on_peer_message(&mut self, message: PeerMessage, now: Instant) {
        let Some(session) = self.link.session() else {
            tracing::debug!(kind = message.kind(), "peer message outside a room ignored");
            return;
        };
        if let Some(held) = &self.held {
            let same_call = matches!(&message, PeerMessage::CallId { id }
                if held.peer_call_id() == Some(id.as_str()));
            if same_call {
                let role = session.role();
                let mut held = self.held.take().expect("checked above");
                tracing::info!(?role, "the same call: carrying on with its connection");
                held.carry_on(role, now, &self.config);
                self.link = RelayLink::InRoom(held);
                self.media.retell();
                return;
            }
            self.drop_held();
        }
        if let Some(session) = self.link.session() {
            let actions = session.on_peer_message(message, now);
            self.outbox.extend(actions);
        }
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
        let link = match &self.link {
            RelayLink::RetryAt(at) => Some(*at),
            RelayLink::InRoom(session) => session.deadline(&self.config),
            RelayLink::Connecting | RelayLink::Joining => None,
        };
        let liveness = self.link.socket_open().then(|| {
            self.next_ping
                .min(self.last_heard + self.config.signaling_timeout)
        });
        let held = self
            .held
            .as_ref()
            .and_then(|s| s.unreachable_deadline(&self.config));
        [link, liveness, held].into_iter().flatten().min()
    }

    fn fire_timers(&mut self, now: Instant) {
        if self.ended.is_some() {
            return;
        }
        self.fire_liveness(now);
        // In the room we would hear from the peer if it were there: a held
        // connection that lost its media too is no use.
        if self.in_room() && self.held.as_ref().is_some_and(|s| !s.is_connected()) {
            self.drop_held();
        }
        if let Some(held) = &self.held
            && held
                .unreachable_deadline(&self.config)
                .is_some_and(|at| at <= now)
        {
            tracing::info!("media lost and the peer out of reach");
            return self.finish(CallState::Ended(EndReason::IceFailed), self.in_room());
        }
        let outcome = match &mut self.link {
            RelayLink::RetryAt(at) if *at <= now => {
                self.link = RelayLink::Connecting;
                self.outbox.push_back(Action::ConnectSignaling);
                return;
            }
            RelayLink::InRoom(session) => session.on_deadline(now, &self.config),
            _ => return,
        };
        match outcome {
            Outcome::Continue(actions) => self.outbox.extend(actions),
            Outcome::End(reason) => self.finish(CallState::Ended(reason), true),
        }
    }

    /// Pings the relay while the socket is open, and declares the socket
    /// lost when the relay has been silent too long.
    fn fire_liveness(&mut self, now: Instant) {
        if !self.link.socket_open() {
            return;
        }
        if now >= self.last_heard + self.config.signaling_timeout {
            tracing::warn!("nothing heard from the relay: the socket is dead");
            self.outbox.push_back(Action::DisconnectSignaling);
            self.on_signaling_lost(now);
        } else if now >= self.next_ping {
            self.next_ping = now + self.config.ping_interval;
            self.outbox.push_back(Action::PingSignaling);
        }
    }

    /// Sends our media state if the peer in the room does not know it.
    fn tell_media(&mut self) {
        if self.ended.is_some() {
            return;
        }
        let reachable = self.link.negotiating().is_some();
        self.outbox.extend(self.media.poll_send(reachable));
    }

    /// The state the UI should show now.
    fn current_state(&self) -> CallState {
        if let Some(ended) = &self.ended {
            return ended.clone();
        }
        // Media decides while a held connection carries the call.
        if let Some(held) = &self.held {
            return if held.is_connected() && !self.media_stalled {
                CallState::Connected
            } else {
                CallState::Reconnecting
            };
        }
        match &self.link {
            RelayLink::InRoom(s) if !s.is_present() => CallState::WaitingForPeer,
            RelayLink::InRoom(s) if s.is_connected() && !self.media_stalled => CallState::Connected,
            RelayLink::InRoom(s) if s.is_connected() => CallState::Reconnecting,
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
            if state == CallState::Connected {
                self.media.retell();
            }
            self.shown = state.clone();
            self.outbox.push_back(Action::StateChanged(state));
        }
    }
}
