//! Table-test helpers for the negotiation machine: cases labelled by
//! transition, inputs stamped with virtual milliseconds.

#![allow(dead_code)] // each test file uses a different subset

pub mod sim;

use std::time::{Duration, Instant};

use videochat_core::negotiation::{
    Action, CallState, ConnectionState, Input, NegotiationConfig, Negotiator, Output, Role, SdpKind,
};
use videochat_protocol::{Grant, IceCandidate, PeerMessage, RelayEvent, RoomId};

/// One transition: after `given`, feeding `when` yields exactly `then`.
pub struct Case {
    pub transition: &'static str,
    pub given: Vec<(u64, Input)>,
    pub when: Vec<(u64, Input)>,
    pub then: Vec<Action>,
    pub state: CallState,
}

/// The seed of every table's machine, so its call id is known.
pub const SEED: u64 = 42;

/// The limits of the tables: the defaults, with the signaling liveness and
/// the reply deadlines far away, so each table sees only its own rules (the
/// liveness and reply tables use [`check_all_with`] and their own config).
pub fn table_config() -> NegotiationConfig {
    let far = Duration::from_secs(3600);
    NegotiationConfig {
        ping_interval: far,
        signaling_timeout: far,
        answer_timeout: far,
        offer_timeout: far,
        ..NegotiationConfig::default()
    }
}

/// A machine as the tables make it.
pub fn machine_with(config: NegotiationConfig) -> Negotiator {
    Negotiator::with_seed(room(), config, SEED)
}

/// The call id of a table's machine.
pub fn call_id() -> String {
    machine_with(table_config()).call_id().to_owned()
}

/// Our call id going out: the first thing a peer hears from us.
pub fn send_call_id() -> Action {
    Action::Send(PeerMessage::CallId { id: call_id() })
}

/// The peer's call id coming in.
pub fn peer_call_id(id: &str) -> Input {
    Input::Peer(PeerMessage::CallId { id: id.to_owned() })
}

/// Joining the room, with the relay's token for our slot if we have one.
pub fn send_join(session: Option<&str>) -> Action {
    Action::SendJoin {
        room: room(),
        session: session.map(str::to_owned),
    }
}

/// Runs every case with [`table_config`]; reports each failing transition by its label.
pub fn check_all(cases: Vec<Case>) {
    check_all_with(table_config(), cases)
}

/// Runs every case on a machine with `config`.
pub fn check_all_with(config: NegotiationConfig, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        let start = Instant::now();
        let mut machine = machine_with(config.clone());
        for (ms, input) in case.given {
            machine.handle(input, start + Duration::from_millis(ms));
        }
        drain(&mut machine);
        let mut actions = Vec::new();
        for (ms, input) in case.when {
            machine.handle(input, start + Duration::from_millis(ms));
            actions.extend(drain(&mut machine));
        }
        if actions != case.then || *machine.state() != case.state {
            failures.push(format!(
                "{}\n  actions: {:?}\n  wanted:  {:?}\n  state: {:?}, wanted {:?}",
                case.transition,
                actions,
                case.then,
                machine.state(),
                case.state
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "failing transitions:\n{}",
        failures.join("\n")
    );
}

/// Drains every action the machine has for now.
pub fn drain(machine: &mut Negotiator) -> Vec<Action> {
    let mut actions = Vec::new();
    while let Output::Action(action) = machine.poll_output() {
        actions.push(action);
    }
    actions
}

/// The deadline of a machine with nothing left to do.
pub fn next_deadline(machine: &mut Negotiator) -> Option<Instant> {
    match machine.poll_output() {
        Output::Wait { until } => until,
        Output::Action(action) => panic!("an action was left undone: {action:?}"),
    }
}

/// Inputs all at time 0.
pub fn at0(inputs: Vec<Input>) -> Vec<(u64, Input)> {
    inputs.into_iter().map(|input| (0, input)).collect()
}

pub fn room() -> RoomId {
    RoomId::parse("kitchen-42").expect("a valid room name")
}

pub fn relay(event: fn(String) -> RelayEvent) -> Input {
    Input::Relay(event(room().to_string()))
}

/// The relay's token for our slot in the tables.
pub const SESSION: &str = "5e5510115e5510115e5510115e551011";

fn grant() -> Grant {
    Grant {
        session: Some(SESSION.to_owned()),
        ..Grant::default()
    }
}

pub fn created() -> Input {
    relay(|room| RelayEvent::Created {
        room,
        grant: grant(),
    })
}
pub fn joined() -> Input {
    relay(|room| RelayEvent::Joined {
        room,
        grant: grant(),
    })
}
pub fn resumed() -> Input {
    relay(|room| RelayEvent::Resumed {
        room,
        grant: grant(),
    })
}
pub fn peer_joined() -> Input {
    relay(|room| RelayEvent::PeerJoined { room })
}
pub fn peer_left() -> Input {
    relay(|room| RelayEvent::PeerLeft { room })
}

/// A host candidate in the tutorial's shape, numbered so order is visible.
pub fn candidate(n: u16) -> IceCandidate {
    IceCandidate {
        candidate: format!(
            "candidate:{n} 1 udp 2122260223 192.0.2.{n} {} typ host",
            50000 + n
        ),
        sdp_mline_index: Some(0),
        sdp_mid: Some("0".to_owned()),
        username_fragment: None,
    }
}

pub fn remote_candidate(n: u16) -> Input {
    Input::Peer(PeerMessage::Candidate(candidate(n)))
}
pub fn local_candidate(n: u16) -> Input {
    Input::LocalCandidate(candidate(n))
}
pub fn add(n: u16) -> Action {
    Action::AddRemoteCandidate(candidate(n))
}
pub fn send_candidate(n: u16) -> Action {
    Action::Send(PeerMessage::Candidate(candidate(n)))
}

pub fn sdp(kind: &str, n: u32) -> String {
    format!("v=0\r\no=- {n} 2 IN IP4 127.0.0.1\r\ns=-\r\na=x-{kind}:{n}\r\n")
}
pub fn offer(n: u32) -> PeerMessage {
    PeerMessage::Offer {
        sdp: sdp("offer", n),
    }
}
pub fn answer(n: u32) -> PeerMessage {
    PeerMessage::Answer {
        sdp: sdp("answer", n),
    }
}
pub fn local_offer(n: u32) -> Input {
    Input::LocalDescription {
        kind: SdpKind::Offer,
        sdp: sdp("offer", n),
    }
}
pub fn local_answer(n: u32) -> Input {
    Input::LocalDescription {
        kind: SdpKind::Answer,
        sdp: sdp("answer", n),
    }
}
pub fn set_remote_offer(n: u32) -> Action {
    Action::SetRemoteDescription {
        kind: SdpKind::Offer,
        sdp: sdp("offer", n),
    }
}
pub fn set_remote_answer(n: u32) -> Action {
    Action::SetRemoteDescription {
        kind: SdpKind::Answer,
        sdp: sdp("answer", n),
    }
}
pub fn pc_state(state: ConnectionState) -> Input {
    Input::ConnectionState(state)
}
pub fn peer(message: PeerMessage) -> Input {
    Input::Peer(message)
}
pub fn state(state: CallState) -> Action {
    Action::StateChanged(state)
}

/// The call id of the tables' peer.
pub const PEER_CALL_ID: &str = "0123456789abcdef0123456789abcdef";

/// Initiator with media, a peer, the peer's call id and ready: the offer was asked for.
pub fn initiator_creating_offer() -> Vec<Input> {
    vec![
        Input::SignalingConnected,
        created(),
        Input::LocalMediaLive,
        peer_joined(),
        peer_call_id(PEER_CALL_ID),
        peer(PeerMessage::Ready),
    ]
}

/// Initiator whose offer 1 went out.
pub fn initiator_awaiting_answer() -> Vec<Input> {
    let mut inputs = initiator_creating_offer();
    inputs.push(local_offer(1));
    inputs
}

/// Initiator whose peer connection is up.
pub fn initiator_connected() -> Vec<Input> {
    let mut inputs = initiator_awaiting_answer();
    inputs.extend([peer(answer(1)), pc_state(ConnectionState::Connected)]);
    inputs
}

/// Answerer with media, joined.
pub fn answerer_ready() -> Vec<Input> {
    vec![Input::SignalingConnected, Input::LocalMediaLive, joined()]
}

/// Answerer whose answer to offer 1 went out and whose connection is up.
pub fn answerer_connected() -> Vec<Input> {
    let mut inputs = answerer_ready();
    inputs.extend([
        peer_call_id(PEER_CALL_ID),
        peer(offer(1)),
        local_answer(1),
        pc_state(ConnectionState::Connected),
    ]);
    inputs
}

/// The role a machine has after `inputs` (for role re-assignment checks).
pub fn role_after(inputs: Vec<Input>) -> Option<Role> {
    let start = Instant::now();
    let mut machine = machine_with(table_config());
    for input in inputs {
        machine.handle(input, start);
    }
    machine.role()
}
