//! The negotiation's recovery and ending rules, one table row per
//! transition: ICE restarts, signaling loss, bye, full, hang-up, failures.

mod negotiation_support;

use std::time::{Duration, Instant};

use negotiation_support::*;
use videochat_core::negotiation::{
    Action, CallFailure, CallState, ConnectionState, EndReason, Input, PcOperation, SdpKind,
};
use videochat_protocol::{ErrorCode, PeerMessage, ProtocolError, RelayEvent};

fn restart() -> Action {
    Action::CreateOffer { ice_restart: true }
}

#[test]
fn the_initiator_restarts_ice_and_the_answerer_waits() {
    use CallState::*;
    let failed_at0 = |mut given: Vec<Input>| {
        given.push(pc_state(ConnectionState::Failed));
        at0(given)
    };
    check_all(vec![
        Case {
            transition: "initiator connected --failed--> ICE restart at once",
            given: at0(initiator_connected()),
            when: at0(vec![pc_state(ConnectionState::Failed)]),
            then: vec![restart(), state(Reconnecting)],
            state: Reconnecting,
        },
        Case {
            transition: "initiator connected --disconnected--> waits out the grace period",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Disconnected)),
                (2000, Input::Tick),
            ],
            then: vec![state(Reconnecting)],
            state: Reconnecting,
        },
        Case {
            transition: "disconnected --grace period over--> ICE restart",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Disconnected)),
                (2500, Input::Tick),
            ],
            then: vec![state(Reconnecting), restart()],
            state: Reconnecting,
        },
        Case {
            transition: "disconnected --connected within the grace period--> no restart",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Disconnected)),
                (1000, pc_state(ConnectionState::Connected)),
                (9000, Input::Tick),
            ],
            then: vec![state(Reconnecting), state(Connected)],
            state: Connected,
        },
        Case {
            transition: "restarting --new offer, early candidate, answer--> sent, applied in order",
            given: failed_at0(initiator_connected()),
            when: at0(vec![
                local_offer(2),
                remote_candidate(4),
                peer(answer(2)),
                pc_state(ConnectionState::Connected),
            ]),
            then: vec![
                Action::Send(offer(2)),
                set_remote_answer(2),
                add(4),
                state(Connected),
            ],
            state: Connected,
        },
        Case {
            transition: "restarting --restart timeout, twice more--> gives up with IceFailed",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Failed)),
                (8000, Input::Tick),
                (16000, Input::Tick),
                (24000, Input::Tick),
            ],
            then: vec![
                restart(),
                state(Reconnecting),
                restart(),
                restart(),
                Action::Send(PeerMessage::Bye),
                Action::Close,
                state(Ended(EndReason::IceFailed)),
            ],
            state: Ended(EndReason::IceFailed),
        },
        Case {
            transition: "restart during offer creation --both offers created--> only the last goes out",
            given: failed_at0(initiator_connected()),
            when: vec![
                (8000, Input::Tick),
                (8001, local_offer(2)),
                (8002, local_offer(3)),
            ],
            then: vec![restart(), Action::Send(offer(3))],
            state: Reconnecting,
        },
        Case {
            transition: "answerer connected --failed--> waits for the initiator's offer",
            given: at0(answerer_connected()),
            when: vec![(0, pc_state(ConnectionState::Failed)), (30000, Input::Tick)],
            then: vec![state(Reconnecting)],
            state: Reconnecting,
        },
        Case {
            transition: "answerer reconnecting --restart offer--> answers, connected again",
            given: failed_at0(answerer_connected()),
            when: at0(vec![
                peer(offer(2)),
                local_answer(2),
                pc_state(ConnectionState::Connected),
            ]),
            then: vec![
                set_remote_offer(2),
                Action::CreateAnswer,
                Action::Send(answer(2)),
                state(Connected),
            ],
            state: Connected,
        },
        Case {
            transition: "answerer lost --patience over--> gives up with IceFailed",
            given: at0(answerer_connected()),
            when: vec![(0, pc_state(ConnectionState::Failed)), (34500, Input::Tick)],
            then: vec![
                state(Reconnecting),
                Action::Send(PeerMessage::Bye),
                Action::Close,
                state(Ended(EndReason::IceFailed)),
            ],
            state: Ended(EndReason::IceFailed),
        },
    ]);
}

/// An SDP of connection `n` whose DTLS certificate is `certificate`.
fn sdp_of(kind: &str, n: u32, certificate: &str) -> String {
    format!("{}a=fingerprint:sha-256 {certificate}\r\n", sdp(kind, n))
}

fn replace() -> Vec<Action> {
    vec![
        Action::ResetPeerConnection,
        Action::CreateOffer { ice_restart: false },
    ]
}

#[test]
fn a_connection_that_never_came_up_is_replaced_on_both_sides() {
    use CallState::*;
    let negotiated = || [initiator_awaiting_answer(), vec![peer(answer(1))]].concat();
    let answered = |certificate: &str| {
        let mut inputs = answerer_ready();
        inputs.extend([
            peer_call_id(PEER_CALL_ID),
            peer(PeerMessage::Offer {
                sdp: sdp_of("offer", 1, certificate),
            }),
            local_answer(1),
        ]);
        inputs
    };
    check_all(vec![
        Case {
            transition: "never up --failed--> the initiator replaces it at once, still negotiating",
            given: at0(negotiated()),
            when: at0(vec![pc_state(ConnectionState::Failed)]),
            then: replace(),
            state: Negotiating,
        },
        Case {
            transition: "never up --disconnected--> replaced without the grace period",
            given: at0(negotiated()),
            when: at0(vec![pc_state(ConnectionState::Disconnected)]),
            then: replace(),
            state: Negotiating,
        },
        Case {
            transition: "negotiated, still connecting --connect timeout--> replaced",
            given: at0(negotiated()),
            when: vec![
                (0, pc_state(ConnectionState::Connecting)),
                (9999, Input::Tick),
                (10000, Input::Tick),
            ],
            then: replace(),
            state: Negotiating,
        },
        Case {
            transition: "replaced --fresh offer, answer, connected--> connected, early old candidates dropped",
            given: vec![(0, negotiated()), (0, vec![remote_candidate(7)])]
                .into_iter()
                .flat_map(|(at, inputs)| inputs.into_iter().map(move |i| (at, i)))
                .chain([(10000, Input::Tick)])
                .collect(),
            when: vec![
                (10001, local_offer(2)),
                (10002, peer(answer(2))),
                (10003, pc_state(ConnectionState::Connected)),
            ],
            then: vec![
                Action::Send(offer(2)),
                set_remote_answer(2),
                state(Connected),
            ],
            state: Connected,
        },
        Case {
            transition: "replaced three times, never up --fourth timeout--> IceFailed",
            given: at0(negotiated()),
            when: vec![
                (0, pc_state(ConnectionState::Failed)),
                (1, local_offer(2)),
                (2, peer(answer(2))),
                (10002, Input::Tick),
                (10003, local_offer(3)),
                (10004, peer(answer(3))),
                (20004, Input::Tick),
                (20005, local_offer(4)),
                (20006, peer(answer(4))),
                (30006, Input::Tick),
            ],
            then: [
                replace(),
                vec![Action::Send(offer(2)), set_remote_answer(2)],
                replace(),
                vec![Action::Send(offer(3)), set_remote_answer(3)],
                replace(),
                vec![Action::Send(offer(4)), set_remote_answer(4)],
                vec![
                    Action::Send(PeerMessage::Bye),
                    Action::Close,
                    state(Ended(EndReason::IceFailed)),
                ],
            ]
            .concat(),
            state: Ended(EndReason::IceFailed),
        },
        Case {
            transition: "answerer --offer with a new certificate--> a fresh connection, then the answer",
            given: at0(answered("AA:01")),
            when: at0(vec![peer(PeerMessage::Offer {
                sdp: sdp_of("offer", 2, "BB:02"),
            })]),
            then: vec![
                Action::ResetPeerConnection,
                Action::SetRemoteDescription {
                    kind: SdpKind::Offer,
                    sdp: sdp_of("offer", 2, "BB:02"),
                },
                Action::CreateAnswer,
            ],
            state: Negotiating,
        },
        Case {
            transition: "answerer --ICE restart offer, same certificate--> answered on the same connection",
            given: at0(answered("AA:01")),
            when: at0(vec![peer(PeerMessage::Offer {
                sdp: sdp_of("offer", 2, "AA:01"),
            })]),
            then: vec![
                Action::SetRemoteDescription {
                    kind: SdpKind::Offer,
                    sdp: sdp_of("offer", 2, "AA:01"),
                },
                Action::CreateAnswer,
            ],
            state: Negotiating,
        },
    ]);
}

#[test]
fn calls_end_on_bye_full_hang_up_and_fail_on_bad_input() {
    use CallState::*;
    let full = relay(|room| RelayEvent::Full { room });
    let relay_error = |code| {
        Input::Relay(RelayEvent::Error {
            code,
            message: "refused".to_owned(),
        })
    };
    let malformed = ProtocolError::Malformed { kind: "candidate" };
    let rejected = |operation| Input::OperationFailed(operation);
    check_all(vec![
        Case {
            transition: "joining --full--> ended RoomFull",
            given: at0(vec![Input::SignalingConnected]),
            when: at0(vec![full.clone()]),
            then: vec![Action::Close, state(Ended(EndReason::RoomFull))],
            state: Ended(EndReason::RoomFull),
        },
        Case {
            transition: "join sent, socket lost before the reply, rejoining --full--> tries again (our old socket may hold the place)",
            given: vec![
                (0, Input::SignalingConnected),
                (0, Input::SignalingLost),
                (250, Input::Tick),
                (260, Input::SignalingConnected),
            ],
            when: vec![(300, full.clone()), (1000, Input::Tick)],
            then: vec![Action::DisconnectSignaling, Action::ConnectSignaling],
            state: Connecting,
        },
        Case {
            transition: "rejoining after a lost join --full until the retries run out--> ended RoomFull",
            given: vec![(0, Input::SignalingConnected), (0, Input::SignalingLost)],
            // The first loss was attempt 1 of max_signaling_retries (8).
            when: (1..=8u64)
                .flat_map(|n| {
                    let at = n * 10_000;
                    [
                        (at, Input::Tick),
                        (at + 1, Input::SignalingConnected),
                        (at + 2, full.clone()),
                    ]
                })
                .collect(),
            then: (1..=7)
                .flat_map(|_| {
                    [
                        Action::ConnectSignaling,
                        send_join(None),
                        Action::DisconnectSignaling,
                    ]
                })
                .chain([
                    Action::ConnectSignaling,
                    send_join(None),
                    Action::Close,
                    state(Ended(EndReason::RoomFull)),
                ])
                .collect(),
            state: Ended(EndReason::RoomFull),
        },
        Case {
            transition: "connected --bye, then peer-left--> ended PeerLeft at once",
            given: at0(initiator_connected()),
            when: at0(vec![peer(PeerMessage::Bye), peer_left()]),
            then: vec![Action::Close, state(Ended(EndReason::PeerLeft))],
            state: Ended(EndReason::PeerLeft),
        },
        Case {
            transition: "connected --hang up--> bye, close, ended HungUp",
            given: at0(answerer_connected()),
            when: at0(vec![Input::HangUp]),
            then: vec![
                Action::Send(PeerMessage::Bye),
                Action::Close,
                state(Ended(EndReason::HungUp)),
            ],
            state: Ended(EndReason::HungUp),
        },
        Case {
            transition: "connecting --hang up--> close, no bye (not in a room)",
            given: vec![],
            when: at0(vec![Input::HangUp]),
            then: vec![Action::Close, state(Ended(EndReason::HungUp))],
            state: Ended(EndReason::HungUp),
        },
        Case {
            transition: "negotiating --malformed candidate--> bye, close, failed",
            given: at0(initiator_awaiting_answer()),
            when: at0(vec![Input::Malformed(malformed)]),
            then: vec![
                Action::Send(PeerMessage::Bye),
                Action::Close,
                state(Failed(CallFailure::MalformedMessage { kind: "candidate" })),
            ],
            state: Failed(CallFailure::MalformedMessage { kind: "candidate" }),
        },
        Case {
            transition: "negotiating --remote description rejected--> bye, close, failed",
            given: at0([initiator_awaiting_answer(), vec![peer(answer(1))]].concat()),
            when: at0(vec![rejected(PcOperation::SetRemoteDescription)]),
            then: vec![
                Action::Send(PeerMessage::Bye),
                Action::Close,
                state(Failed(CallFailure::IncompatiblePeer)),
            ],
            state: Failed(CallFailure::IncompatiblePeer),
        },
        Case {
            transition: "negotiating --our offer could not be made--> bye, close, failed internal",
            given: at0(initiator_awaiting_answer()),
            when: at0(vec![rejected(PcOperation::CreateOffer)]),
            then: vec![
                Action::Send(PeerMessage::Bye),
                Action::Close,
                state(Failed(CallFailure::Internal)),
            ],
            state: Failed(CallFailure::Internal),
        },
        Case {
            transition: "connected --remote candidate rejected--> ignored",
            given: at0(initiator_connected()),
            when: at0(vec![rejected(PcOperation::AddRemoteCandidate)]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "joining --error bad_room--> failed BadRoom",
            given: at0(vec![Input::SignalingConnected]),
            when: at0(vec![relay_error(ErrorCode::BadRoom)]),
            then: vec![Action::Close, state(Failed(CallFailure::BadRoom))],
            state: Failed(CallFailure::BadRoom),
        },
        Case {
            transition: "connected --error rate_limited--> ignored",
            given: at0(initiator_connected()),
            when: at0(vec![relay_error(ErrorCode::RateLimited)]),
            then: vec![],
            state: Connected,
        },
    ]);
}

#[test]
fn no_peer_connection_at_start_fails_the_call_without_touching_the_relay() {
    let mut machine = machine_with(table_config());
    machine.handle(
        Input::OperationFailed(PcOperation::CreateConnection),
        Instant::now(),
    );
    assert_eq!(
        drain(&mut machine),
        vec![
            state(CallState::Connecting),
            Action::Close,
            state(CallState::Failed(CallFailure::Internal)),
        ]
    );
}

#[test]
fn the_wait_names_the_next_deadline_and_none_once_ended() {
    let start = Instant::now();
    let config = table_config();
    let mut machine = machine_with(config.clone());
    for input in initiator_connected() {
        machine.handle(input, start);
    }
    drain(&mut machine);
    assert_eq!(
        next_deadline(&mut machine),
        Some(start + config.ping_interval),
        "only the relay's ping is pending while connected"
    );
    machine.handle(pc_state(ConnectionState::Disconnected), start);
    assert_eq!(drain(&mut machine), vec![state(CallState::Reconnecting)]);
    assert_eq!(
        next_deadline(&mut machine),
        Some(start + config.disconnect_grace)
    );
    let later = start + Duration::from_millis(100);
    machine.handle(Input::HangUp, later);
    assert!(drain(&mut machine).contains(&Action::Close));
    assert_eq!(next_deadline(&mut machine), None);
}
