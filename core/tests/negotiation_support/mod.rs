//! Table-test helpers for the negotiation machine: cases labelled by
//! transition, inputs stamped with virtual milliseconds.

#![allow(dead_code)] // each test file uses a different subset

pub mod sim;

use std::time::{Duration, Instant};

use videochat_core::negotiation::{
    Action, CallState, ConnectionState, Input, NegotiationConfig, Negotiator, Output, Role, SdpKind,
};
use videochat_protocol::{IceCandidate, PeerMessage, RelayEvent, RoomId};

/// One transition: after `given`, feeding `when` yields exactly `then`.
pub struct Case {
    pub transition: &'static str,
    pub given: Vec<(u64, Input)>,
    pub when: Vec<(u64, Input)>,
    pub then: Vec<Action>,
    pub state: CallState,
}

/// Runs every case; reports each failing transition by its label.
pub fn check_all(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in cases {
        let start = Instant::now();
        let mut machine = Negotiator::new(room(), NegotiationConfig::default());
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

pub fn created() -> Input {
    relay(|room| RelayEvent::Created {
        room,
        grant: Default::default(),
    })
}
pub fn joined() -> Input {
    relay(|room| RelayEvent::Joined {
        room,
        grant: Default::default(),
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

/// Initiator with media, a peer, the peer's ready: the offer was asked for.
pub fn initiator_creating_offer() -> Vec<Input> {
    vec![
        Input::SignalingConnected,
        created(),
        Input::LocalMediaLive,
        peer_joined(),
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
        peer(offer(1)),
        local_answer(1),
        pc_state(ConnectionState::Connected),
    ]);
    inputs
}

/// The role a machine has after `inputs` (for role re-assignment checks).
pub fn role_after(inputs: Vec<Input>) -> Option<Role> {
    let start = Instant::now();
    let mut machine = Negotiator::new(room(), NegotiationConfig::default());
    for input in inputs {
        machine.handle(input, start);
    }
    machine.role()
}
