//! Two negotiators back to back through a simulated relay and simulated
//! peer connections, with the order of events chosen by a list of numbers.
//!
//! What is kept in order, as in reality: each direction of each WebSocket
//! (FIFO), and each peer connection's state callbacks. Everything else (when
//! media goes live, when descriptions and candidates are reported, which
//! socket the relay reads first) happens in whatever order the choices say.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::next_deadline;
use videochat_core::negotiation::{
    Action, CallState, ConnectionState, Input, Negotiator, Output, PcOperation, SdpKind,
};
use videochat_protocol::{ClientFrame, ClientRequest, IceCandidate, Incoming, RelayEvent, RoomId};

/// A peer connection reduced to what negotiation can get wrong.
#[derive(Debug, Default)]
struct SimPc {
    local: Option<(SdpKind, String)>,
    remote: Option<(SdpKind, String)>,
    /// Remote candidates applied since the remote description was set.
    applied: u32,
    /// ICE broke; only new descriptions (a restart) mend it.
    broken: bool,
    connected: bool,
}

/// One client: its machine, its connection, its socket queues.
#[derive(Debug)]
pub struct SimPeer {
    pub machine: Negotiator,
    name: &'static str,
    pc: SimPc,
    /// Bumped by `ResetPeerConnection`; events of older connections are dropped.
    generation: u32,
    /// Media, socket and peer-connection results, deliverable in any order.
    /// `None`: not tied to a peer connection.
    events: Vec<(Option<u32>, Input)>,
    pc_states: VecDeque<(u32, ConnectionState)>,
    up: VecDeque<String>,
    down: VecDeque<String>,
    serial: u32,
    /// Every state the machine reported, in order.
    pub states: Vec<CallState>,
    /// A candidate was added before any remote description (a bug).
    pub early_candidate_added: bool,
}

/// The two peers and the relay's one room.
pub struct World {
    pub peers: [SimPeer; 2],
    members: Vec<usize>,
    now: Instant,
    choices: Vec<u32>,
    next: usize,
}

enum Move {
    Event(usize, usize),
    PcState(usize),
    RelayReads(usize),
    ClientReads(usize),
}

impl World {
    pub fn new(choices: Vec<u32>) -> Self {
        let now = Instant::now();
        let room = RoomId::parse("sim").expect("a valid room name");
        let peer = |name: &'static str| SimPeer {
            // Each peer its own call id.
            machine: Negotiator::with_seed(
                room.clone(),
                super::table_config(),
                name.bytes().map(u64::from).sum(),
            ),
            name,
            pc: SimPc::default(),
            generation: 0,
            events: vec![(None, Input::LocalMediaLive)],
            pc_states: VecDeque::new(),
            up: VecDeque::new(),
            down: VecDeque::new(),
            serial: 0,
            states: Vec::new(),
            early_candidate_added: false,
        };
        let mut world = World {
            peers: [peer("a"), peer("b")],
            members: Vec::new(),
            now,
            choices,
            next: 0,
        };
        world.carry_out(0);
        world.carry_out(1);
        world
    }

    fn choose(&mut self, len: usize) -> usize {
        let choice = self.choices.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        choice as usize % len.max(1)
    }

    /// Runs until `done` or `max_steps`; returns whether `done` was reached.
    pub fn run_until(&mut self, done: impl Fn(&World) -> bool, max_steps: usize) -> bool {
        for _ in 0..max_steps {
            if done(self) {
                return true;
            }
            let delay = Duration::from_millis(self.choose(40) as u64);
            self.now += delay;
            let moves = self.moves();
            if moves.is_empty() {
                // Idle: jump to the earliest timer, if any.
                let due = (0..2)
                    .filter_map(|i| Some((next_deadline(&mut self.peers[i].machine)?, i)))
                    .min();
                let Some((at, i)) = due else {
                    return done(self);
                };
                self.now = self.now.max(at);
                self.deliver(i, Input::Tick);
                continue;
            }
            let pick = self.choose(moves.len());
            match moves[pick] {
                Move::Event(i, index) => {
                    let (generation, input) = self.peers[i].events.remove(index);
                    if generation.is_none_or(|g| g == self.peers[i].generation) {
                        self.deliver(i, input);
                    }
                }
                Move::PcState(i) => {
                    let current = self.peers[i].generation;
                    match self.peers[i].pc_states.pop_front() {
                        Some((generation, state)) if generation == current => {
                            self.deliver(i, Input::ConnectionState(state));
                        }
                        _ => {}
                    }
                }
                Move::RelayReads(i) => self.relay_reads(i),
                Move::ClientReads(i) => {
                    let Some(text) = self.peers[i].down.pop_front() else {
                        continue;
                    };
                    if let Some(input) = Input::from_frame(Incoming::parse(&text)) {
                        self.deliver(i, input);
                    }
                }
            }
        }
        done(self)
    }

    fn moves(&self) -> Vec<Move> {
        let mut moves = Vec::new();
        for (i, peer) in self.peers.iter().enumerate() {
            moves.extend((0..peer.events.len()).map(|index| Move::Event(i, index)));
            if !peer.pc_states.is_empty() {
                moves.push(Move::PcState(i));
            }
            if !peer.up.is_empty() {
                moves.push(Move::RelayReads(i));
            }
            if !peer.down.is_empty() {
                moves.push(Move::ClientReads(i));
            }
        }
        moves
    }

    fn deliver(&mut self, i: usize, input: Input) {
        self.peers[i].machine.handle(input, self.now);
        self.carry_out(i);
        self.check_links();
    }

    /// The relay of docs/protocol.md, for one room.
    fn relay_reads(&mut self, i: usize) {
        let Some(text) = self.peers[i].up.pop_front() else {
            return;
        };
        let other = 1 - i;
        let member = self.members.contains(&i);
        let event = |room: &str, make: fn(String) -> RelayEvent| make(room.to_owned()).to_json();
        match ClientFrame::parse(&text) {
            Ok(ClientFrame::Join { room, .. }) if !member && self.members.len() < 2 => {
                self.members.push(i);
                if self.members.len() == 1 {
                    self.peers[i]
                        .down
                        .push_back(event(&room, |room| RelayEvent::Created {
                            room,
                            grant: Default::default(),
                        }));
                } else {
                    self.peers[i]
                        .down
                        .push_back(event(&room, |room| RelayEvent::Joined {
                            room,
                            grant: Default::default(),
                        }));
                    let joined = event(&room, |room| RelayEvent::PeerJoined { room });
                    self.peers[other].down.push_back(joined);
                }
            }
            Ok(ClientFrame::Join { room, .. }) if !member => {
                self.peers[i]
                    .down
                    .push_back(event(&room, |room| RelayEvent::Full { room }));
            }
            Ok(ClientFrame::Bye) if member => {
                self.forward(i, text);
                self.leave(i);
            }
            Ok(ClientFrame::Relay) if member => self.forward(i, text),
            _ => {}
        }
    }

    fn forward(&mut self, from: usize, text: String) {
        if self.members.contains(&(1 - from)) {
            self.peers[1 - from].down.push_back(text);
        }
    }

    fn leave(&mut self, i: usize) {
        self.members.retain(|&m| m != i);
        if self.members.contains(&(1 - i)) {
            let left = RelayEvent::PeerLeft {
                room: "sim".to_owned(),
            }
            .to_json();
            self.peers[1 - i].down.push_back(left);
        }
    }

    /// The driver: carries out the machine's actions against the fakes.
    fn carry_out(&mut self, i: usize) {
        while let Output::Action(action) = self.peers[i].machine.poll_output() {
            let peer = &mut self.peers[i];
            let generation = Some(peer.generation);
            let failed = |op| (generation, Input::OperationFailed(op));
            match action {
                Action::ConnectSignaling => peer.events.push((None, Input::SignalingConnected)),
                Action::SendJoin { room, .. } => {
                    let join = ClientRequest::Join {
                        room: room.to_string(),
                        resume: false,
                        session: None,
                    };
                    peer.up
                        .push_back(serde_json::to_string(&join).expect("join serializes"));
                }
                Action::Send(message) => peer.up.push_back(message.to_json()),
                // The fake relay is always alive and hands out no ICE servers.
                Action::PingSignaling => peer.events.push((None, Input::SignalingAlive)),
                Action::DisconnectSignaling | Action::UseIceServers(_) => {}
                Action::CreateOffer { .. } => peer.describe(SdpKind::Offer),
                Action::CreateAnswer if matches!(peer.pc.remote, Some((SdpKind::Offer, _))) => {
                    peer.describe(SdpKind::Answer);
                }
                Action::CreateAnswer => peer.events.push(failed(PcOperation::CreateAnswer)),
                Action::SetRemoteDescription { kind, sdp } => {
                    let offered = matches!(peer.pc.local, Some((SdpKind::Offer, _)));
                    if kind == SdpKind::Offer || offered {
                        peer.pc.remote = Some((kind, sdp));
                        peer.pc.applied = 0;
                        peer.pc.broken = false;
                    } else {
                        peer.events.push(failed(PcOperation::SetRemoteDescription));
                    }
                }
                Action::AddRemoteCandidate(_) if peer.pc.remote.is_none() => {
                    peer.early_candidate_added = true;
                    peer.events.push(failed(PcOperation::AddRemoteCandidate));
                }
                Action::AddRemoteCandidate(_) => peer.pc.applied += 1,
                Action::ResetPeerConnection => {
                    peer.generation += 1;
                    peer.pc = SimPc::default();
                }
                Action::Close => {
                    peer.up.clear();
                    if self.members.contains(&i) {
                        self.leave(i);
                    }
                }
                Action::StateChanged(state) => peer.states.push(state),
                // The sim's peers never mute (negotiation_media_state tests that).
                Action::RemoteMediaChanged(_) => {}
            }
        }
    }

    /// ICE connects once both sides hold each other's descriptions and each
    /// applied a candidate of the other.
    fn check_links(&mut self) {
        let ready = |x: &SimPeer, y: &SimPeer| {
            let theirs = y.pc.local.as_ref().map(|(_, sdp)| sdp);
            x.pc.local.is_some()
                && x.pc.remote.as_ref().map(|(_, sdp)| sdp) == theirs
                && x.pc.applied >= 1
                && !x.pc.broken
        };
        let [a, b] = &mut self.peers;
        if ready(a, b) && ready(b, a) {
            for peer in [a, b] {
                if !peer.pc.connected {
                    peer.pc.connected = true;
                    peer.pc_states
                        .push_back((peer.generation, ConnectionState::Connected));
                }
            }
        }
    }

    /// The network breaks under both connections: each reports `failed`.
    pub fn break_ice(&mut self) {
        for peer in &mut self.peers {
            peer.pc.broken = true;
            if peer.pc.connected {
                peer.pc.connected = false;
                peer.pc_states
                    .push_back((peer.generation, ConnectionState::Failed));
            }
        }
    }

    pub fn both_in(&self, state: &CallState) -> bool {
        self.peers.iter().all(|peer| peer.machine.state() == state)
    }

    /// Both machines show `state` and no connection state change is still
    /// on its way to them.
    pub fn both_settled_in(&self, state: &CallState) -> bool {
        self.both_in(state) && self.peers.iter().all(|peer| peer.pc_states.is_empty())
    }
}

impl SimPeer {
    /// Creates and sets a local description, then gathers two candidates.
    fn describe(&mut self, kind: SdpKind) {
        self.serial += 1;
        let sdp = format!("v=0 {kind:?} of {} #{}", self.name, self.serial);
        self.pc.local = Some((kind, sdp.clone()));
        let generation = Some(self.generation);
        let description = Input::LocalDescription { kind, sdp };
        self.events.push((generation, description));
        for k in 0..2 {
            let candidate = IceCandidate {
                candidate: format!(
                    "candidate:{}{k} 1 udp 2122260223 192.0.2.{k} 5000{k} typ host",
                    self.serial
                ),
                sdp_mline_index: Some(0),
                sdp_mid: Some("0".to_owned()),
                username_fragment: None,
            };
            let gathered = Input::LocalCandidate(candidate);
            self.events.push((generation, gathered));
        }
    }
}
