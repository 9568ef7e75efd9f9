//! What the [`Negotiator`](super::Negotiator) gives back: the next thing to do,
//! or how long to wait.

use std::time::Instant;

use videochat_protocol::{IceCandidate, IceServer, MediaState, PeerMessage, RoomId};

use super::input::SdpKind;
use super::state::CallState;

/// The one way out of the machine, from
/// [`Negotiator::poll_output`](super::Negotiator::poll_output): drain actions
/// until it says `Wait`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Carry this out, then poll again.
    Action(Action),
    /// Nothing to do now: wait for the next input, or until `until` (then
    /// feed [`Input::Tick`](super::Input::Tick)). `None`: no timer is pending.
    Wait { until: Option<Instant> },
}

/// One thing for the driver to do.
///
/// The driver carries out actions one at a time, in the order given, each
/// finished before the next starts (the peer connection needs
/// `SetRemoteDescription` done before `AddRemoteCandidate` or `CreateAnswer`).
/// Results come back as [`Input`](super::Input)s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Open the signaling WebSocket to the relay, then report
    /// [`Input::SignalingConnected`](super::Input::SignalingConnected), or
    /// [`Input::SignalingLost`](super::Input::SignalingLost) if it fails.
    /// Also asked for again after a loss, once the retry delay has passed.
    ConnectSignaling,
    /// Send `{"type":"join","room":R,"resume":true}` on the signaling
    /// socket, with `"session":S` to take back the slot of a token.
    SendJoin {
        room: RoomId,
        session: Option<String>,
    },
    /// Send a WebSocket ping to the relay (its pong comes back as
    /// [`Input::SignalingAlive`](super::Input::SignalingAlive)).
    PingSignaling,
    /// Drop the signaling socket without waiting for it: it is dead (silent
    /// past the timeout). A reconnection follows with `ConnectSignaling`.
    DisconnectSignaling,
    /// Use these ICE servers (from the relay: TURN with a short-lived
    /// credential) instead of the configured ones, from now on.
    UseIceServers(Vec<IceServer>),
    /// Send this message to the other peer (`PeerMessage::to_json`).
    Send(PeerMessage),
    /// `create_offer` (with ICE restart when asked), then
    /// `set_local_description` with it, then report
    /// [`Input::LocalDescription`](super::Input::LocalDescription).
    /// The machine sends the offer itself; the driver does not.
    CreateOffer { ice_restart: bool },
    /// `create_answer`, then `set_local_description` with it, then report
    /// [`Input::LocalDescription`](super::Input::LocalDescription).
    CreateAnswer,
    /// `set_remote_description` with this description.
    SetRemoteDescription { kind: SdpKind, sdp: String },
    /// `add_ice_candidate`. Only asked for once the remote description is set
    /// (the machine holds early candidates back); a failure may be reported
    /// and is not fatal.
    AddRemoteCandidate(IceCandidate),
    /// Close the peer connection and make a fresh one with the same local
    /// tracks: the next peer (or the same peer after a loss of signaling)
    /// negotiates from scratch. From now on the driver must drop events of the
    /// old connection (e.g. tag them with a counter bumped at each reset).
    ResetPeerConnection,
    /// The call is over: close the peer connection and the signaling socket
    /// (after flushing any `Send` before it). The machine ignores all inputs
    /// from now on; the final `StateChanged` follows.
    Close,
    /// The call state shown to the user changed (only emitted on change).
    StateChanged(CallState),
    /// The peer's microphone or camera went on or off (only emitted on
    /// change; back to both on when the peer leaves).
    RemoteMediaChanged(MediaState),
}
