//! The negotiation machine fed any sequence of inputs: frames from the relay
//! and the peer (as text, through `Incoming::parse` like the driver), socket
//! and peer-connection events, results of its own actions, the user, and
//! time. It must never panic, and each input must leave a bounded number of
//! actions (no loop that feeds itself).

use std::time::{Duration, Instant};

use videochat_core::negotiation::{
    ConnectionState, Input, NegotiationConfig, Negotiator, Output, PcOperation, SdpKind,
};
use videochat_protocol::{IceCandidate, Incoming, RoomId};

use crate::input::Reader;

/// More actions than any one input can legitimately cause.
const MAX_ACTIONS_PER_INPUT: usize = 1_000;

/// Input: steps of one selector byte, then what that input needs (a frame's
/// text up to a 0xff byte, a state, a time step).
pub fn negotiator(data: &[u8]) {
    let room = RoomId::parse("fuzz").expect("a valid room name");
    let mut machine = Negotiator::with_seed(room, NegotiationConfig::default(), 7);
    let mut now = Instant::now();
    let mut input = Reader::new(data);
    drain(&mut machine);
    while !input.is_empty() {
        let Some(next) = next_input(&mut input, &mut now) else {
            continue;
        };
        machine.handle(next, now);
        drain(&mut machine);
    }
}

fn next_input(input: &mut Reader<'_>, now: &mut Instant) -> Option<Input> {
    Some(match input.u8() % 16 {
        0..=2 => return Input::from_frame(Incoming::parse(&input.text())),
        3 => Input::SignalingConnected,
        4 => Input::SignalingLost,
        5 => Input::SignalingAlive,
        6 => Input::LocalMediaLive,
        7 => Input::LocalDescription {
            kind: if input.u8().is_multiple_of(2) {
                SdpKind::Offer
            } else {
                SdpKind::Answer
            },
            sdp: input.text(),
        },
        8 => Input::LocalCandidate(IceCandidate {
            candidate: input.text(),
            sdp_mline_index: Some(0),
            sdp_mid: Some("0".to_owned()),
            username_fragment: None,
        }),
        9 => Input::ConnectionState(match input.u8() % 6 {
            0 => ConnectionState::New,
            1 => ConnectionState::Connecting,
            2 => ConnectionState::Connected,
            3 => ConnectionState::Disconnected,
            4 => ConnectionState::Failed,
            _ => ConnectionState::Closed,
        }),
        10 => Input::MediaStalled,
        11 => Input::MediaFlowing,
        12 => Input::OperationFailed(match input.u8() % 5 {
            0 => PcOperation::CreateConnection,
            1 => PcOperation::CreateOffer,
            2 => PcOperation::CreateAnswer,
            3 => PcOperation::SetRemoteDescription,
            _ => PcOperation::AddRemoteCandidate,
        }),
        13 => Input::HangUp,
        _ => {
            // Up to about 26 s: past every timer of the machine.
            *now += Duration::from_millis(u64::from(input.u8()) * 100);
            Input::Tick
        }
    })
}

fn drain(machine: &mut Negotiator) {
    for _ in 0..MAX_ACTIONS_PER_INPUT {
        if let Output::Wait { .. } = machine.poll_output() {
            return;
        }
    }
    panic!("one input caused over {MAX_ACTIONS_PER_INPUT} actions");
}
