//! Properties of two negotiators wired back to back through a simulated
//! relay (negotiation_support/sim.rs), and of one fed arbitrary inputs.

mod negotiation_support;

use std::time::{Duration, Instant};

use negotiation_support::sim::World;
use negotiation_support::{candidate, drain, room, sdp};
use proptest::prelude::*;
use videochat_core::negotiation::{
    Action, CallState, ConnectionState, Input, NegotiationConfig, Negotiator, PcOperation, SdpKind,
};
use videochat_protocol::{ErrorCode, PeerMessage, ProtocolError, RelayEvent};

const MAX_STEPS: usize = 5_000;

fn choices() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..400)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn two_peers_with_media_always_reach_connected(choices in choices()) {
        let mut world = World::new(choices);
        let connected = world.run_until(|w| w.both_in(&CallState::Connected), MAX_STEPS);
        prop_assert!(connected, "stuck in {:?}", world.peers.each_ref().map(|p| p.states.clone()));
        for peer in &world.peers {
            prop_assert!(!peer.early_candidate_added, "a candidate was added before its description");
        }
    }

    #[test]
    fn two_peers_reconnect_after_ice_fails(choices in choices(), failures in 1..3usize) {
        let mut world = World::new(choices);
        for _ in 0..failures {
            prop_assert!(world.run_until(|w| w.both_settled_in(&CallState::Connected), MAX_STEPS));
            world.break_ice();
            prop_assert!(world.run_until(|w| !w.both_in(&CallState::Connected), MAX_STEPS));
        }
        let connected = world.run_until(|w| w.both_settled_in(&CallState::Connected), MAX_STEPS);
        prop_assert!(connected, "stuck in {:?}", world.peers.each_ref().map(|p| p.states.clone()));
        for peer in &world.peers {
            prop_assert!(peer.states.contains(&CallState::Reconnecting));
            prop_assert!(!peer.early_candidate_added);
        }
    }

    #[test]
    fn any_inputs_in_any_order_never_panic_or_break_invariants(
        inputs in prop::collection::vec((0..5_000u64, input()), 0..80)
    ) {
        let start = Instant::now();
        let mut now = start;
        let mut machine = Negotiator::new(room(), NegotiationConfig::default());
        let mut shown = CallState::Connecting;
        let mut actions: Vec<Action> = drain(&mut machine);
        let mut ended = false;
        let mut remote_set = false;
        for (delay, input) in inputs {
            now += Duration::from_millis(delay);
            machine.handle(input, now);
            let new: Vec<Action> = drain(&mut machine);
            prop_assert!(!ended || new.is_empty(), "actions after the end: {:?}", new);
            for action in &new {
                match action {
                    Action::StateChanged(state) => {
                        prop_assert_ne!(state, &shown, "a state reported without a change");
                        shown = state.clone();
                        ended = state.is_terminal();
                    }
                    Action::SetRemoteDescription { .. } => remote_set = true,
                    Action::ResetPeerConnection => remote_set = false,
                    Action::AddRemoteCandidate(_) => prop_assert!(remote_set, "candidate before description"),
                    _ => {}
                }
            }
            actions.extend(new);
        }
        prop_assert_eq!(machine.state(), &shown);
        prop_assert!(actions.iter().filter(|a| **a == Action::Close).count() <= 1);
    }
}

/// Any input, including the nonsensical.
fn input() -> impl Strategy<Value = Input> {
    let relay = prop_oneof![
        Just(RelayEvent::Created {
            room: "r".into(),
            grant: Default::default()
        }),
        Just(RelayEvent::Joined {
            room: "r".into(),
            grant: Default::default()
        }),
        Just(RelayEvent::PeerJoined { room: "r".into() }),
        Just(RelayEvent::PeerLeft { room: "r".into() }),
        Just(RelayEvent::Full { room: "r".into() }),
        Just(RelayEvent::Error {
            code: ErrorCode::RateLimited,
            message: String::new()
        }),
        Just(RelayEvent::Error {
            code: ErrorCode::BadRoom,
            message: String::new()
        }),
    ];
    let peer = prop_oneof![
        Just(PeerMessage::Ready),
        (0..3u32).prop_map(|n| PeerMessage::Offer {
            sdp: sdp("offer", n)
        }),
        (0..3u32).prop_map(|n| PeerMessage::Answer {
            sdp: sdp("answer", n)
        }),
        (0..4u16).prop_map(|n| PeerMessage::Candidate(candidate(n))),
        Just(PeerMessage::Bye),
    ];
    let kind = prop_oneof![Just(SdpKind::Offer), Just(SdpKind::Answer)];
    let pc_state = prop_oneof![
        Just(ConnectionState::New),
        Just(ConnectionState::Connecting),
        Just(ConnectionState::Connected),
        Just(ConnectionState::Disconnected),
        Just(ConnectionState::Failed),
        Just(ConnectionState::Closed),
    ];
    let operation = prop_oneof![
        Just(PcOperation::CreateConnection),
        Just(PcOperation::CreateOffer),
        Just(PcOperation::CreateAnswer),
        Just(PcOperation::SetRemoteDescription),
        Just(PcOperation::AddRemoteCandidate),
    ];
    let pc = prop_oneof![
        (kind, 0..3u32).prop_map(|(kind, n)| Input::LocalDescription {
            kind,
            sdp: sdp("local", n)
        }),
        (0..4u16).prop_map(|n| Input::LocalCandidate(candidate(n))),
        pc_state.prop_map(Input::ConnectionState),
        operation.prop_map(Input::OperationFailed),
    ];
    prop_oneof![
        4 => relay.prop_map(Input::Relay),
        6 => peer.prop_map(Input::Peer),
        6 => pc,
        1 => Just(Input::Malformed(ProtocolError::Malformed { kind: "offer" })),
        2 => Just(Input::LocalMediaLive),
        2 => Just(Input::SignalingConnected),
        1 => Just(Input::SignalingLost),
        1 => Just(Input::HangUp),
        3 => Just(Input::Tick),
    ]
}
