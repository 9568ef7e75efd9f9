//! The negotiation rules, one table row per transition: joining, `ready`,
//! offer and answer, candidate queues, out-of-place messages, roles.

mod negotiation_support;

use negotiation_support::*;
use videochat_core::negotiation::{Action, CallState, ConnectionState, Input, Role};
use videochat_protocol::{IceCandidate, PeerMessage};

#[test]
fn joining_and_ready_follow_the_tutorial_in_either_order() {
    use CallState::*;
    check_all(vec![
        Case {
            transition: "connecting --socket open--> join sent",
            given: vec![],
            when: at0(vec![Input::SignalingConnected]),
            then: vec![send_join(None)],
            state: Connecting,
        },
        Case {
            transition: "joining --created--> waiting for peer",
            given: at0(vec![Input::SignalingConnected]),
            when: at0(vec![created()]),
            then: vec![state(WaitingForPeer)],
            state: WaitingForPeer,
        },
        Case {
            transition: "alone with media --peer-joined--> ready sent to the newcomer",
            given: at0(vec![
                Input::SignalingConnected,
                created(),
                Input::LocalMediaLive,
            ]),
            when: at0(vec![peer_joined()]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                state(Negotiating),
            ],
            state: Negotiating,
        },
        Case {
            transition: "joining with media --joined--> ready sent",
            given: at0(vec![Input::SignalingConnected, Input::LocalMediaLive]),
            when: at0(vec![joined()]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                state(Negotiating),
            ],
            state: Negotiating,
        },
        Case {
            transition: "joined without media --media live--> ready sent, no offer by the answerer",
            given: at0(vec![
                Input::SignalingConnected,
                joined(),
                peer(PeerMessage::Ready),
            ]),
            when: at0(vec![Input::LocalMediaLive]),
            then: vec![Action::Send(PeerMessage::Ready)],
            state: Negotiating,
        },
        Case {
            transition: "initiator without media --peer ready--> no offer yet",
            given: at0(vec![Input::SignalingConnected, created(), peer_joined()]),
            when: at0(vec![peer(PeerMessage::Ready)]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "initiator with peer ready --media live--> ready, then the offer",
            given: at0(vec![
                Input::SignalingConnected,
                created(),
                peer_joined(),
                peer(PeerMessage::Ready),
            ]),
            when: at0(vec![Input::LocalMediaLive]),
            then: vec![
                Action::Send(PeerMessage::Ready),
                Action::CreateOffer { ice_restart: false },
            ],
            state: Negotiating,
        },
        Case {
            transition: "initiator with media --peer ready--> offer",
            given: at0(vec![
                Input::SignalingConnected,
                created(),
                Input::LocalMediaLive,
                peer_joined(),
            ]),
            when: at0(vec![peer(PeerMessage::Ready)]),
            then: vec![Action::CreateOffer { ice_restart: false }],
            state: Negotiating,
        },
        Case {
            transition: "offered --ready again, media live again--> nothing (offer once)",
            given: at0(initiator_creating_offer()),
            when: at0(vec![peer(PeerMessage::Ready), Input::LocalMediaLive]),
            then: vec![],
            state: Negotiating,
        },
    ]);
}

#[test]
fn offers_answers_and_candidates_keep_a_legal_order() {
    use CallState::*;
    check_all(vec![
        Case {
            transition: "creating offer --offer created--> offer sent",
            given: at0(initiator_creating_offer()),
            when: at0(vec![local_offer(1)]),
            then: vec![Action::Send(offer(1))],
            state: Negotiating,
        },
        Case {
            transition: "creating offer --own candidates, then offer--> offer first, candidates after in order",
            given: at0(initiator_creating_offer()),
            when: at0(vec![local_candidate(1), local_candidate(2), local_offer(1)]),
            then: vec![Action::Send(offer(1)), send_candidate(1), send_candidate(2)],
            state: Negotiating,
        },
        Case {
            transition: "offer out --own candidate--> trickled at once",
            given: at0(initiator_awaiting_answer()),
            when: at0(vec![local_candidate(3)]),
            then: vec![send_candidate(3)],
            state: Negotiating,
        },
        Case {
            transition: "offer out --candidates before the answer--> queued, applied in order after it",
            given: at0(initiator_awaiting_answer()),
            when: at0(vec![
                remote_candidate(1),
                remote_candidate(2),
                peer(answer(1)),
            ]),
            then: vec![set_remote_answer(1), add(1), add(2)],
            state: Negotiating,
        },
        Case {
            transition: "answer set --candidate--> applied at once",
            given: at0([initiator_awaiting_answer(), vec![peer(answer(1))]].concat()),
            when: at0(vec![remote_candidate(5)]),
            then: vec![add(5)],
            state: Negotiating,
        },
        Case {
            transition: "answerer --offer--> remote set, answer asked",
            given: at0(answerer_ready()),
            when: at0(vec![peer(offer(1))]),
            then: vec![set_remote_offer(1), Action::CreateAnswer],
            state: Negotiating,
        },
        Case {
            transition: "answerer --candidates before the offer--> applied in order after it",
            given: at0(answerer_ready()),
            when: at0(vec![
                remote_candidate(1),
                remote_candidate(2),
                peer(offer(1)),
            ]),
            then: vec![set_remote_offer(1), Action::CreateAnswer, add(1), add(2)],
            state: Negotiating,
        },
        Case {
            transition: "creating answer --own candidate, then answer--> answer first, then candidate",
            given: at0([answerer_ready(), vec![peer(offer(1))]].concat()),
            when: at0(vec![local_candidate(7), local_answer(1)]),
            then: vec![Action::Send(answer(1)), send_candidate(7)],
            state: Negotiating,
        },
        Case {
            transition: "answerer without media --offer, then media--> ready, then the answer",
            given: at0(vec![Input::SignalingConnected, joined()]),
            when: at0(vec![peer(offer(1)), Input::LocalMediaLive]),
            then: vec![
                Action::Send(PeerMessage::Ready),
                set_remote_offer(1),
                Action::CreateAnswer,
            ],
            state: Negotiating,
        },
        Case {
            transition: "negotiating --connected--> connected",
            given: at0([initiator_awaiting_answer(), vec![peer(answer(1))]].concat()),
            when: at0(vec![pc_state(
                videochat_core::negotiation::ConnectionState::Connected,
            )]),
            then: vec![state(Connected)],
            state: Connected,
        },
    ]);
}

#[test]
fn duplicated_and_out_of_place_messages_are_ignored() {
    use CallState::*;
    let end_of_candidates = IceCandidate {
        candidate: String::new(),
        sdp_mline_index: Some(0),
        sdp_mid: Some("0".to_owned()),
        username_fragment: None,
    };
    check_all(vec![
        Case {
            transition: "answered --the same offer again--> answer sent again (ours was lost)",
            given: at0([answerer_ready(), vec![peer(offer(1)), local_answer(1)]].concat()),
            when: at0(vec![peer(offer(1))]),
            then: vec![Action::Send(answer(1))],
            state: Negotiating,
        },
        Case {
            transition: "answerer --answer without an offer--> ignored",
            given: at0(answerer_ready()),
            when: at0(vec![peer(answer(1))]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "initiator before offering --answer--> ignored",
            given: at0(vec![Input::SignalingConnected, created(), peer_joined()]),
            when: at0(vec![peer(answer(1))]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "creating offer --answer--> ignored (no offer is out)",
            given: at0(initiator_creating_offer()),
            when: at0(vec![peer(answer(1))]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "answer set --a second answer--> ignored",
            given: at0([initiator_awaiting_answer(), vec![peer(answer(1))]].concat()),
            when: at0(vec![peer(answer(2))]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "initiator --offer (glare)--> ignored, as the impolite peer",
            given: at0(initiator_awaiting_answer()),
            when: at0(vec![peer(offer(9))]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "offer out --a second local offer--> ignored",
            given: at0(initiator_awaiting_answer()),
            when: at0(vec![local_offer(2)]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "negotiating --end-of-candidates marker--> ignored both ways",
            given: at0([initiator_awaiting_answer(), vec![peer(answer(1))]].concat()),
            when: at0(vec![
                peer(PeerMessage::Candidate(end_of_candidates.clone())),
                Input::LocalCandidate(end_of_candidates),
            ]),
            then: vec![],
            state: Negotiating,
        },
        Case {
            transition: "joining --peer message before the room--> ignored",
            given: at0(vec![Input::SignalingConnected]),
            when: at0(vec![
                peer(offer(1)),
                remote_candidate(1),
                peer(PeerMessage::Ready),
            ]),
            then: vec![],
            state: Connecting,
        },
        Case {
            transition: "hung up --candidate, offer, connected--> ignored",
            given: at0([initiator_connected(), vec![Input::HangUp]].concat()),
            when: at0(vec![
                remote_candidate(1),
                peer(offer(2)),
                local_candidate(1),
                Input::Tick,
            ]),
            then: vec![],
            state: Ended(videochat_core::negotiation::EndReason::HungUp),
        },
    ]);
}

#[test]
fn a_new_peer_gets_a_fresh_negotiation_and_roles_are_reassigned() {
    use CallState::*;
    check_all(vec![
        Case {
            transition: "initiator connected --peer-left--> connection held while media flows",
            given: at0(initiator_connected()),
            when: at0(vec![peer_left()]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "held after peer-left --media lost--> fresh connection, waiting",
            given: at0([initiator_connected(), vec![peer_left()]].concat()),
            when: at0(vec![pc_state(ConnectionState::Disconnected)]),
            then: vec![Action::ResetPeerConnection, state(WaitingForPeer)],
            state: WaitingForPeer,
        },
        Case {
            transition: "answerer connected --peer-left, media lost--> fresh connection, waiting as initiator",
            given: at0(answerer_connected()),
            when: at0(vec![peer_left(), pc_state(ConnectionState::Failed)]),
            then: vec![Action::ResetPeerConnection, state(WaitingForPeer)],
            state: WaitingForPeer,
        },
        Case {
            transition: "former answerer, held --peer-joined, ready without call id--> someone else: fresh connection, it offers",
            given: at0([answerer_connected(), vec![peer_left()]].concat()),
            when: at0(vec![peer_joined(), peer(PeerMessage::Ready)]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                Action::ResetPeerConnection,
                Action::CreateOffer { ice_restart: false },
                state(Negotiating),
            ],
            state: Negotiating,
        },
        Case {
            transition: "former answerer, held --peer-joined, its call id, ready--> the same call carries on, no offer",
            given: at0([answerer_connected(), vec![peer_left()]].concat()),
            when: at0(vec![
                peer_joined(),
                peer_call_id(PEER_CALL_ID),
                peer(PeerMessage::Ready),
            ]),
            then: vec![send_call_id(), Action::Send(PeerMessage::Ready)],
            state: Connected,
        },
        Case {
            transition: "held --peer-joined, another call id--> someone else: fresh connection",
            given: at0([initiator_connected(), vec![peer_left()]].concat()),
            when: at0(vec![peer_joined(), peer_call_id("ffff")]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                Action::ResetPeerConnection,
                state(Negotiating),
            ],
            state: Negotiating,
        },
        Case {
            transition: "waiting before any negotiation --peer-left--> no reset needed",
            given: at0(vec![
                Input::SignalingConnected,
                created(),
                Input::LocalMediaLive,
                peer_joined(),
            ]),
            when: at0(vec![peer_left()]),
            then: vec![state(WaitingForPeer)],
            state: WaitingForPeer,
        },
        Case {
            transition: "old peer's queued candidates --peer-left, peer-joined--> forgotten",
            given: at0([initiator_awaiting_answer(), vec![remote_candidate(1)]].concat()),
            when: at0(vec![
                peer_left(),
                peer_joined(),
                peer(PeerMessage::Ready),
                local_offer(1),
                peer(answer(1)),
            ]),
            then: vec![
                Action::ResetPeerConnection,
                state(WaitingForPeer),
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                state(Negotiating),
                Action::CreateOffer { ice_restart: false },
                Action::Send(offer(1)),
                set_remote_answer(1),
            ],
            state: Negotiating,
        },
    ]);
    assert_eq!(
        role_after([answerer_connected(), vec![peer_left()]].concat()),
        Some(Role::Initiator)
    );
    assert_eq!(role_after(answerer_ready()), Some(Role::Answerer));
}
