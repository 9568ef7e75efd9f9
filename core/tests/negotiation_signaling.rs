//! Signaling that survives, one table row per transition: the relay's
//! liveness (pings, a silent socket declared dead), reconnecting with
//! backoff and jitter, resuming our slot with its token while media keeps
//! flowing, carrying the call on after a relay restart (call ids), and the
//! deadlines of an answer or an offer that never comes.

mod negotiation_support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use negotiation_support::*;
use videochat_core::negotiation::{
    Action, CallState, ConnectionState, EndReason, Input, NegotiationConfig, Output,
};
use videochat_protocol::{ErrorCode, PeerMessage, RelayEvent};

/// Liveness at its defaults (ping every second, dead after 2.5 s of silence).
fn liveness_config() -> NegotiationConfig {
    NegotiationConfig {
        ping_interval: NegotiationConfig::default().ping_interval,
        signaling_timeout: NegotiationConfig::default().signaling_timeout,
        ..table_config()
    }
}

/// The reply deadlines at their defaults (answer 4 s, offer 10 s, 3 resends).
fn reply_config() -> NegotiationConfig {
    NegotiationConfig {
        answer_timeout: NegotiationConfig::default().answer_timeout,
        offer_timeout: NegotiationConfig::default().offer_timeout,
        ..table_config()
    }
}

fn ticks(times: &[u64]) -> Vec<(u64, Input)> {
    times.iter().map(|&ms| (ms, Input::Tick)).collect()
}

#[test]
fn the_relay_is_pinged_and_a_silent_socket_is_declared_dead() {
    use CallState::*;
    check_all_with(
        liveness_config(),
        vec![
            Case {
                transition: "socket open --a ping interval--> ping",
                given: at0(vec![Input::SignalingConnected]),
                when: ticks(&[1000]),
                then: vec![Action::PingSignaling],
                state: Connecting,
            },
            Case {
                transition: "socket open --pong, pings--> alive 2.5 s after the pong",
                given: at0(vec![Input::SignalingConnected]),
                when: vec![
                    (1000, Input::Tick),
                    (1500, Input::SignalingAlive),
                    (2500, Input::Tick),
                    (3999, Input::Tick),
                ],
                then: vec![Action::PingSignaling; 3],
                state: Connecting,
            },
            Case {
                transition: "joining --2.5 s of silence--> socket dropped",
                given: at0(vec![Input::SignalingConnected]),
                when: ticks(&[1000, 2000, 3000]),
                then: vec![
                    Action::PingSignaling,
                    Action::PingSignaling,
                    Action::DisconnectSignaling,
                ],
                state: Connecting,
            },
            Case {
                transition: "relay frames count as life --2.5 s after the last--> alive",
                given: at0(vec![Input::SignalingConnected]),
                when: vec![(2900, created()), (5300, Input::Tick)],
                then: vec![
                    Action::PingSignaling,
                    state(WaitingForPeer),
                    Action::PingSignaling,
                ],
                state: WaitingForPeer,
            },
            Case {
                transition: "in a call --the relay silent 2.5 s--> socket dropped, media carries the call: still connected, no reset",
                given: at0(initiator_connected()),
                when: ticks(&[1000, 2000, 3000]),
                then: vec![
                    Action::PingSignaling,
                    Action::PingSignaling,
                    Action::DisconnectSignaling,
                ],
                state: Connected,
            },
        ],
    );
}

#[test]
fn a_lost_relay_is_rejoined_with_our_token_and_the_session_resumed() {
    use CallState::*;
    let lost_then_rejoined = vec![
        (0, Input::SignalingLost),
        // The first delay is at most min_reconnect_delay (250 ms).
        (250, Input::Tick),
        (260, Input::SignalingConnected),
    ];
    check_all(vec![
        Case {
            transition: "in a call --signaling lost--> nothing torn down, still connected",
            given: at0(initiator_connected()),
            when: at0(vec![Input::SignalingLost]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "signaling lost --retry delay, socket open--> join with our token",
            given: at0(initiator_connected()),
            when: lost_then_rejoined.clone(),
            then: vec![Action::ConnectSignaling, send_join(Some(SESSION))],
            state: Connected,
        },
        Case {
            transition: "rejoining --resumed--> the same session goes on: no ready, no offer; candidates still apply",
            given: at0(initiator_connected()),
            when: [
                lost_then_rejoined.clone(),
                vec![(300, resumed()), (310, remote_candidate(7))],
            ]
            .concat(),
            then: vec![Action::ConnectSignaling, send_join(Some(SESSION)), add(7)],
            state: Connected,
        },
        Case {
            transition: "media and signaling lost --away past the grace--> no restart until resumed, then at once",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Disconnected)),
                (0, Input::SignalingLost),
                (250, Input::Tick),
                (3000, Input::Tick),
                (3100, Input::SignalingConnected),
                (3200, resumed()),
            ],
            then: vec![
                state(Reconnecting),
                Action::ConnectSignaling,
                send_join(Some(SESSION)),
                Action::CreateOffer { ice_restart: true },
            ],
            state: Reconnecting,
        },
        Case {
            transition: "media and signaling lost --resumed within the grace--> ICE restarted at once (a network change)",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Disconnected)),
                (0, Input::SignalingLost),
                (250, Input::Tick),
                (260, Input::SignalingConnected),
                (300, resumed()),
            ],
            then: vec![
                state(Reconnecting),
                Action::ConnectSignaling,
                send_join(Some(SESSION)),
                Action::CreateOffer { ice_restart: true },
            ],
            state: Reconnecting,
        },
        Case {
            transition: "signaling lost, resumed, media up --media lost soon after--> ICE restarted without the grace",
            given: at0(initiator_connected()),
            when: vec![
                (0, Input::SignalingLost),
                (250, Input::Tick),
                (260, Input::SignalingConnected),
                (300, resumed()),
                (800, pc_state(ConnectionState::Disconnected)),
            ],
            then: vec![
                Action::ConnectSignaling,
                send_join(Some(SESSION)),
                Action::CreateOffer { ice_restart: true },
                state(Reconnecting),
            ],
            state: Reconnecting,
        },
        Case {
            transition: "media lost --peer-back within the grace--> ICE restarted at once",
            given: at0(initiator_connected()),
            when: vec![
                (0, pc_state(ConnectionState::Disconnected)),
                (300, relay(|room| RelayEvent::PeerBack { room })),
            ],
            then: vec![
                state(Reconnecting),
                Action::CreateOffer { ice_restart: true },
            ],
            state: Reconnecting,
        },
        Case {
            transition: "answerer in a call --signaling lost, resumed--> still the answerer, nothing sent",
            given: at0(answerer_connected()),
            when: [lost_then_rejoined.clone(), vec![(300, resumed())]].concat(),
            then: vec![Action::ConnectSignaling, send_join(Some(SESSION))],
            state: Connected,
        },
    ]);
}

#[test]
fn after_a_relay_restart_the_same_call_carries_on_and_another_peer_starts_afresh() {
    use CallState::*;
    let rejoined = |event: Input| {
        vec![
            (0, Input::SignalingLost),
            (250, Input::Tick),
            (260, Input::SignalingConnected),
            (270, event),
        ]
    };
    let rejoin_actions = vec![Action::ConnectSignaling, send_join(Some(SESSION))];
    check_all(vec![
        Case {
            transition: "initiator in a call --relay restarted, joined, the peer's call id--> carries on as answerer, no offer",
            given: at0(initiator_connected()),
            when: [
                rejoined(joined()),
                vec![
                    (280, peer_call_id(PEER_CALL_ID)),
                    (290, peer(PeerMessage::Ready)),
                ],
            ]
            .concat(),
            then: [
                rejoin_actions.clone(),
                vec![send_call_id(), Action::Send(PeerMessage::Ready)],
            ]
            .concat(),
            state: Connected,
        },
        Case {
            transition: "answerer in a call --relay restarted, created first, peer-joined, its call id--> carries on as initiator",
            given: at0(answerer_connected()),
            when: [
                rejoined(created()),
                vec![(280, peer_joined()), (290, peer_call_id(PEER_CALL_ID))],
            ]
            .concat(),
            then: [
                rejoin_actions.clone(),
                vec![send_call_id(), Action::Send(PeerMessage::Ready)],
            ]
            .concat(),
            state: Connected,
        },
        Case {
            transition: "carried on as initiator --media fails--> it restarts ICE itself",
            given: [
                at0(answerer_connected()),
                rejoined(created()),
                vec![(280, peer_joined()), (290, peer_call_id(PEER_CALL_ID))],
            ]
            .concat(),
            when: vec![(300, pc_state(ConnectionState::Failed))],
            then: vec![
                Action::CreateOffer { ice_restart: true },
                state(Reconnecting),
            ],
            state: Reconnecting,
        },
        Case {
            transition: "in a call --relay restarted, joined, a peer that says ready without a call id--> someone else: fresh connection",
            given: at0(initiator_connected()),
            when: [rejoined(joined()), vec![(280, peer(PeerMessage::Ready))]].concat(),
            then: [
                rejoin_actions.clone(),
                vec![
                    send_call_id(),
                    Action::Send(PeerMessage::Ready),
                    Action::ResetPeerConnection,
                    state(Negotiating),
                ],
            ]
            .concat(),
            state: Negotiating,
        },
        Case {
            transition: "mid-negotiation --relay restarted, joined--> nothing worth keeping: fresh connection",
            given: at0(initiator_awaiting_answer()),
            when: rejoined(joined()),
            then: [
                vec![state(Reconnecting)],
                rejoin_actions.clone(),
                vec![
                    Action::ResetPeerConnection,
                    send_call_id(),
                    Action::Send(PeerMessage::Ready),
                    state(Negotiating),
                ],
            ]
            .concat(),
            state: Negotiating,
        },
    ]);
}

#[test]
fn media_that_stops_on_a_connected_call_shows_reconnecting() {
    use CallState::*;
    check_all(vec![
        Case {
            transition: "connected --media stalled--> reconnecting, nothing torn down",
            given: at0(initiator_connected()),
            when: at0(vec![Input::MediaStalled]),
            then: vec![state(Reconnecting)],
            state: Reconnecting,
        },
        Case {
            transition: "stalled --media flowing--> connected",
            given: at0([initiator_connected(), vec![Input::MediaStalled]].concat()),
            when: at0(vec![Input::MediaFlowing]),
            then: vec![state(Connected)],
            state: Connected,
        },
        Case {
            transition: "stalled, signaling lost (held) --ICE restart connects--> connected",
            given: at0([
                initiator_connected(),
                vec![Input::MediaStalled, Input::SignalingLost],
            ]
            .concat()),
            when: at0(vec![pc_state(ConnectionState::Connected)]),
            then: vec![state(Connected)],
            state: Connected,
        },
    ]);
}

#[test]
fn a_join_refused_for_load_is_tried_again_later() {
    use CallState::*;
    let refused = |code| {
        Input::Relay(RelayEvent::Error {
            code,
            message: "later".to_owned(),
        })
    };
    let cases = [ErrorCode::RelayBusy, ErrorCode::RateLimited].map(|code| Case {
        transition: "joining --relay_busy or rate_limited--> socket dropped, joined again after the delay",
        given: at0(vec![Input::SignalingConnected]),
        when: vec![
            (0, refused(code)),
            (250, Input::Tick),
            (260, Input::SignalingConnected),
        ],
        then: vec![
            Action::DisconnectSignaling,
            Action::ConnectSignaling,
            send_join(None),
        ],
        state: Connecting,
    });
    check_all(cases.into());
}

#[test]
fn reconnecting_gives_up_only_when_no_media_flows() {
    use CallState::*;
    // Each loss waits out the longest delay (4 s) before the next attempt.
    let cycles = |n: u64| -> Vec<(u64, Input)> {
        (0..n)
            .flat_map(|i| {
                [
                    (i * 5000, Input::SignalingLost),
                    (i * 5000 + 4999, Input::Tick),
                ]
            })
            .collect()
    };
    let attempts = table_config().max_signaling_retries as usize;
    let mut gave_up = vec![Action::ConnectSignaling; attempts];
    gave_up.extend([Action::Close, state(Ended(EndReason::SignalingLost))]);
    check_all(vec![
        Case {
            transition: "connecting --the socket fails every retry--> ended SignalingLost",
            given: vec![],
            when: cycles(attempts as u64 + 1),
            then: gave_up,
            state: Ended(EndReason::SignalingLost),
        },
        Case {
            transition: "in a call with media --the socket fails as often--> keeps trying, still connected",
            given: at0(initiator_connected()),
            when: cycles(attempts as u64 + 4),
            then: vec![Action::ConnectSignaling; attempts + 4],
            state: Connected,
        },
    ]);
}

#[test]
fn reconnect_delays_double_up_to_the_cap_and_are_jittered() {
    let config = table_config();
    let mut first_delays = BTreeSet::new();
    for seed in 0..200 {
        let mut machine =
            videochat_core::negotiation::Negotiator::with_seed(room(), config.clone(), seed);
        let mut now = Instant::now();
        for attempt in 0..8u32 {
            machine.handle(Input::SignalingLost, now);
            drain(&mut machine);
            let Output::Wait { until: Some(at) } = machine.poll_output() else {
                panic!("a retry is scheduled");
            };
            let delay = at - now;
            let ceiling =
                (config.min_reconnect_delay * 2u32.pow(attempt)).min(config.max_reconnect_delay);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay:?} outside {:?}..={ceiling:?}",
                ceiling / 2
            );
            if attempt == 0 {
                first_delays.insert(delay);
            }
            now = at;
            machine.handle(Input::Tick, now);
            assert_eq!(drain(&mut machine), vec![Action::ConnectSignaling]);
        }
    }
    assert!(
        first_delays.len() > 100,
        "clients of a restarted relay spread out: {} distinct first delays of 200",
        first_delays.len()
    );
}

#[test]
fn an_answer_or_offer_that_never_comes_is_asked_again_then_the_call_ends() {
    use CallState::*;
    let awaiting_with_candidate = [initiator_awaiting_answer(), vec![local_candidate(1)]].concat();
    let resend = vec![Action::Send(offer(1)), send_candidate(1)];
    check_all_with(
        reply_config(),
        vec![
            Case {
                transition: "offer out --no answer for 4 s--> offer and its candidates sent again",
                given: at0(awaiting_with_candidate.clone()),
                when: ticks(&[4000]),
                then: resend.clone(),
                state: Negotiating,
            },
            Case {
                transition: "offer out --no answer after 3 resends--> bye, ended PeerUnresponsive",
                given: at0(awaiting_with_candidate.clone()),
                when: ticks(&[4000, 8000, 12000, 16000]),
                then: [
                    resend.clone(),
                    resend.clone(),
                    resend.clone(),
                    vec![
                        Action::Send(PeerMessage::Bye),
                        Action::Close,
                        state(Ended(EndReason::PeerUnresponsive)),
                    ],
                ]
                .concat(),
                state: Ended(EndReason::PeerUnresponsive),
            },
            Case {
                transition: "offer out --answer--> no resend",
                given: at0(awaiting_with_candidate.clone()),
                when: vec![(1000, peer(answer(1))), (5000, Input::Tick)],
                then: vec![set_remote_answer(1)],
                state: Negotiating,
            },
            Case {
                transition: "offer out --the peer's ready again--> offer and candidates sent again",
                given: at0(awaiting_with_candidate.clone()),
                when: at0(vec![peer(PeerMessage::Ready)]),
                then: resend.clone(),
                state: Negotiating,
            },
            Case {
                transition: "offer out --our socket lost, resumed--> offer and candidates sent again at once",
                given: at0(awaiting_with_candidate.clone()),
                when: vec![
                    (100, Input::SignalingLost),
                    (350, Input::Tick),
                    (360, Input::SignalingConnected),
                    (370, resumed()),
                ],
                then: [
                    vec![
                        state(Reconnecting),
                        Action::ConnectSignaling,
                        send_join(Some(SESSION)),
                    ],
                    resend.clone(),
                    vec![state(Negotiating)],
                ]
                .concat(),
                state: Negotiating,
            },
            Case {
                transition: "offer out --peer-back--> offer and candidates sent again at once",
                given: at0(awaiting_with_candidate.clone()),
                when: vec![
                    (100, relay(|room| RelayEvent::PeerAway { room })),
                    (200, relay(|room| RelayEvent::PeerBack { room })),
                ],
                then: resend.clone(),
                state: Negotiating,
            },
            Case {
                transition: "answerer ready --no offer for 10 s--> ready again",
                given: at0(answerer_ready()),
                when: ticks(&[10_000]),
                then: vec![Action::Send(PeerMessage::Ready)],
                state: Negotiating,
            },
            Case {
                transition: "answerer ready --offer--> no more waiting",
                given: at0(answerer_ready()),
                when: vec![(1000, peer(offer(1))), (11_000, Input::Tick)],
                then: vec![set_remote_offer(1), Action::CreateAnswer],
                state: Negotiating,
            },
        ],
    );
}

#[test]
fn timers_are_named_by_the_wait() {
    let config = reply_config();
    let start = Instant::now();
    let mut machine = machine_with(config.clone());
    for input in initiator_awaiting_answer() {
        machine.handle(input, start);
    }
    drain(&mut machine);
    assert_eq!(
        next_deadline(&mut machine),
        Some(start + config.answer_timeout)
    );
    let answered = start + Duration::from_millis(10);
    machine.handle(peer(answer(1)), answered);
    drain(&mut machine);
    assert_eq!(
        next_deadline(&mut machine),
        Some(answered + config.connect_timeout),
        "answered: the connection must come up in time"
    );
    machine.handle(pc_state(ConnectionState::Connected), answered);
    drain(&mut machine);
    assert_eq!(
        next_deadline(&mut machine),
        Some(start + config.ping_interval),
        "connected: only the far-off ping remains"
    );
}
