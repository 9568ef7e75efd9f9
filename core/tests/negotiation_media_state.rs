//! The `media` message, one table row per transition: our microphone and
//! camera state told to the peer when it changes, to a newcomer, and again
//! where frames may have been lost; the peer's reported when it changes.

mod negotiation_support;

use negotiation_support::*;
use videochat_core::negotiation::{Action, CallState, ConnectionState, Input};
use videochat_protocol::{MediaState, PeerMessage};

const MUTED: MediaState = MediaState {
    audio: false,
    video: true,
};
const CAMERA_OFF: MediaState = MediaState {
    audio: true,
    video: false,
};
const BOTH_ON: MediaState = MediaState {
    audio: true,
    video: true,
};

fn local(state: MediaState) -> Input {
    Input::LocalMediaChanged(state)
}
fn tell(state: MediaState) -> Action {
    Action::Send(PeerMessage::Media(state))
}
fn told(state: MediaState) -> Input {
    Input::Peer(PeerMessage::Media(state))
}
fn shown(state: MediaState) -> Action {
    Action::RemoteMediaChanged(state)
}

#[test]
fn our_state_is_told_when_it_changes_and_to_each_new_peer() {
    use CallState::*;
    check_all(vec![
        Case {
            transition: "in a call --mute--> media sent",
            given: at0(initiator_connected()),
            when: at0(vec![local(MUTED)]),
            then: vec![tell(MUTED)],
            state: Connected,
        },
        Case {
            transition: "muted --unmute--> media sent again",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: at0(vec![local(BOTH_ON)]),
            then: vec![tell(BOTH_ON)],
            state: Connected,
        },
        Case {
            transition: "in a call --the same state again--> nothing sent",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: at0(vec![local(MUTED)]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "never muted --peer arrives--> nothing sent (a tutorial client sees nothing new)",
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
            transition: "alone --mute--> nothing sent to nobody",
            given: at0(vec![Input::SignalingConnected, created()]),
            when: at0(vec![local(MUTED)]),
            then: vec![],
            state: WaitingForPeer,
        },
        Case {
            transition: "alone and muted --peer-joined--> media follows our call id and ready",
            given: at0(vec![
                Input::SignalingConnected,
                created(),
                Input::LocalMediaLive,
                local(MUTED),
            ]),
            when: at0(vec![peer_joined()]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                state(Negotiating),
                tell(MUTED),
            ],
            state: Negotiating,
        },
        Case {
            transition: "camera off before joining --joined--> media sent to the one waiting",
            given: at0(vec![
                Input::SignalingConnected,
                Input::LocalMediaLive,
                local(CAMERA_OFF),
            ]),
            when: at0(vec![joined()]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                state(Negotiating),
                tell(CAMERA_OFF),
            ],
            state: Negotiating,
        },
        Case {
            transition: "muted in a call --peer-left (connection held), peer-joined--> the newcomer is told after our call id",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: at0(vec![peer_left(), peer_joined()]),
            then: vec![
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                tell(MUTED),
            ],
            state: Connected,
        },
        Case {
            transition: "muted, negotiating --peer-left, peer-joined--> the newcomer on a fresh connection is told",
            given: at0([initiator_awaiting_answer(), vec![local(MUTED)]].concat()),
            when: at0(vec![peer_left(), peer_joined()]),
            then: vec![
                Action::ResetPeerConnection,
                state(WaitingForPeer),
                send_call_id(),
                Action::Send(PeerMessage::Ready),
                state(Negotiating),
                tell(MUTED),
            ],
            state: Negotiating,
        },
        Case {
            transition: "muted, negotiating --connected--> told again with the connection",
            given: at0([initiator_awaiting_answer(), vec![local(MUTED)]].concat()),
            when: at0(vec![peer(answer(1)), pc_state(ConnectionState::Connected)]),
            then: vec![set_remote_answer(1), state(Connected), tell(MUTED)],
            state: Connected,
        },
    ]);
}

#[test]
fn what_was_said_while_out_of_touch_is_told_again() {
    use CallState::*;
    let lost = vec![
        (0, Input::SignalingLost),
        (250, Input::Tick),
        (260, Input::SignalingConnected),
    ];
    let rejoin = vec![Action::ConnectSignaling, send_join(Some(SESSION))];
    check_all(vec![
        Case {
            transition: "signaling lost --unmute, resumed--> the unmute is sent once we are back",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: [
                vec![(0, Input::SignalingLost), (1, local(BOTH_ON))],
                vec![(250, Input::Tick), (260, Input::SignalingConnected)],
                vec![(270, resumed())],
            ]
            .concat(),
            then: [rejoin.clone(), vec![tell(BOTH_ON)]].concat(),
            state: Connected,
        },
        Case {
            transition: "muted, signaling lost --resumed--> muted told again (frames may have died with the socket)",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: [lost.clone(), vec![(270, resumed())]].concat(),
            then: [rejoin.clone(), vec![tell(MUTED)]].concat(),
            state: Connected,
        },
        Case {
            transition: "muted --peer-back--> told again",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: at0(vec![relay(|room| {
                videochat_protocol::RelayEvent::PeerBack { room }
            })]),
            then: vec![tell(MUTED)],
            state: Connected,
        },
        Case {
            transition: "never muted --resumed--> nothing to tell",
            given: at0(initiator_connected()),
            when: [lost.clone(), vec![(270, resumed())]].concat(),
            then: rejoin.clone(),
            state: Connected,
        },
        Case {
            transition: "muted --relay restarted, joined, the peer's call id--> carried on, told again",
            given: at0([initiator_connected(), vec![local(MUTED)]].concat()),
            when: [
                lost.clone(),
                vec![(270, joined()), (280, peer_call_id(PEER_CALL_ID))],
            ]
            .concat(),
            // Told on meeting a peer, and again once it proves the same call:
            // twice is harmless, and covers a change it missed while away.
            then: [
                rejoin.clone(),
                vec![
                    send_call_id(),
                    Action::Send(PeerMessage::Ready),
                    tell(MUTED),
                    tell(MUTED),
                ],
            ]
            .concat(),
            state: Connected,
        },
    ]);
}

#[test]
fn the_peers_state_is_reported_on_change_and_forgotten_when_it_leaves() {
    use CallState::*;
    check_all(vec![
        Case {
            transition: "in a call --peer says muted--> reported",
            given: at0(answerer_connected()),
            when: at0(vec![told(MUTED)]),
            then: vec![shown(MUTED)],
            state: Connected,
        },
        Case {
            transition: "peer muted --says muted again--> nothing new",
            given: at0([answerer_connected(), vec![told(MUTED)]].concat()),
            when: at0(vec![told(MUTED)]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "peer muted --camera off too--> reported",
            given: at0([answerer_connected(), vec![told(MUTED)]].concat()),
            when: at0(vec![told(MediaState {
                audio: false,
                video: false,
            })]),
            then: vec![shown(MediaState {
                audio: false,
                video: false,
            })],
            state: Connected,
        },
        Case {
            transition: "peer with both on --says both on--> nothing new",
            given: at0(answerer_connected()),
            when: at0(vec![told(BOTH_ON)]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "peer's camera off, negotiating --peer-left--> back to both on, as we wait for whoever comes",
            given: at0([initiator_awaiting_answer(), vec![told(CAMERA_OFF)]].concat()),
            when: at0(vec![peer_left()]),
            then: vec![
                Action::ResetPeerConnection,
                shown(BOTH_ON),
                state(WaitingForPeer),
            ],
            state: WaitingForPeer,
        },
        Case {
            transition: "peer's camera off, connected --peer-left while media flows--> kept: the same peer may come back",
            given: at0([initiator_connected(), vec![told(CAMERA_OFF)]].concat()),
            when: at0(vec![peer_left()]),
            then: vec![],
            state: Connected,
        },
        Case {
            transition: "peer muted, held over a relay restart --its call id--> nothing changes for the UI until it tells",
            given: at0([initiator_connected(), vec![told(MUTED)]].concat()),
            when: vec![
                (0, Input::SignalingLost),
                (250, Input::Tick),
                (260, Input::SignalingConnected),
                (270, joined()),
                (280, peer_call_id(PEER_CALL_ID)),
                (290, told(MUTED)),
            ],
            then: vec![
                Action::ConnectSignaling,
                send_join(Some(SESSION)),
                send_call_id(),
                Action::Send(PeerMessage::Ready),
            ],
            state: Connected,
        },
        Case {
            transition: "waiting alone --a media message (stale)--> not a peer's state to show",
            given: at0(vec![Input::SignalingConnected]),
            when: at0(vec![told(MUTED)]),
            then: vec![],
            state: Connecting,
        },
    ]);
}
