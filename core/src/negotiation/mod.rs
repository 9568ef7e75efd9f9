//! The negotiation state machine of a call, sans-IO (in the manner of str0m).
//!
//! A [`Negotiator`] decides who offers and when, what to do with every relay
//! event and peer message, and when to restart ICE or give up. It has no
//! clock, no sockets and no runtime: the driver feeds it [`Input`]s stamped
//! with the time, and carries out the [`Action`]s it drains, in order.
//!
//! # Run loop
//!
//! ```no_run
//! use std::time::Instant;
//! use videochat_core::negotiation::{Action, Input, NegotiationConfig, Negotiator, Output};
//! use videochat_protocol::RoomId;
//!
//! # fn next_input(_deadline: Option<Instant>) -> Input { Input::Tick }
//! # fn execute(_action: Action) {}
//! let room = RoomId::parse("kitchen").expect("a valid room name");
//! let mut negotiator = Negotiator::new(room, NegotiationConfig::default());
//! loop {
//!     // Carry out every action, in order (open the socket, send, create an
//!     // offer, set a description, add a candidate, report a state...), until
//!     // the machine says how long to wait.
//!     let deadline = loop {
//!         match negotiator.poll_output() {
//!             Output::Action(Action::Close) => return,
//!             Output::Action(action) => execute(action),
//!             Output::Wait { until } => break until,
//!         }
//!     };
//!     // Wait for a frame, a peer-connection event, media, the user, or the
//!     // deadline (`Input::Tick`); time always comes in with the input.
//!     let input = next_input(deadline);
//!     negotiator.handle(input, Instant::now());
//! }
//! ```
//!
//! # Rules
//!
//! - Roles come from the relay: `created` makes the initiator, `joined` the
//!   answerer; after `peer-left` the one who stays is the initiator.
//! - Both peers send `"ready"` once their media is live and a peer is in the
//!   room, once per peer. The initiator offers once it has its media and the
//!   peer's `"ready"`, in either order, once (`everythingReady()` of the
//!   tutorial the protocol comes from, see docs/protocol.md).
//! - Remote candidates that come before the remote description are queued and
//!   applied in order after it; ours are sent as they come, but not before
//!   our description is out.
//! - Out-of-place messages are ignored: an offer to the initiator (glare
//!   cannot happen by role; the initiator is the impolite peer), a repeated
//!   offer, an answer without an offer or a second answer, anything after
//!   the call ended.
//! - `bye` ends the call at once with `PeerLeft`: the other person hung up.
//!   `peer-left` alone (the peer's socket or heartbeat was lost) keeps us in
//!   the room as `WaitingForPeer`, so the peer, or someone new, can come and
//!   negotiate afresh on a new peer connection.
//! - `full` ends with `RoomFull`. A malformed message fails the call
//!   (`Failed(MalformedMessage)`), as does a rejected description
//!   (`Failed(IncompatiblePeer)`) or a failure of our own WebRTC stack
//!   (`Failed(Internal)`).
//! - When the connection fails, or stays disconnected past a grace period,
//!   the initiator offers again with ICE restart, a bounded number of times,
//!   then ends with `IceFailed`; the answerer waits for those offers.
//! - A connection that never came up (failed, or not up `connect_timeout`
//!   after offer and answer: a DTLS handshake that gave up under loss) is
//!   replaced, not restarted: the initiator makes a fresh one and offers on
//!   it. An offer with a new DTLS fingerprint means the peer did that, so
//!   the answerer replaces its connection too before answering.
//! - Losing the signaling socket costs our place in the room (the relay tells
//!   the peer `peer-left`), so the machine resets the peer connection, shows
//!   `Reconnecting`, and reconnects and rejoins after a delay, a bounded
//!   number of times, then ends with `SignalingLost`.
//! - Hanging up sends `bye` and closes; the call ends with `HungUp`.
//! - Our microphone and camera state goes to the peer as `media` when it
//!   changes, to a new peer when it is not "both on", and again after a
//!   resume, a `peer-back`, a carried-on call or a (re)connection; the
//!   peer's is reported (`RemoteMediaChanged`) when it changes, and reset to
//!   "both on" when the peer leaves.

mod backoff;
mod config;
mod input;
mod machine;
mod media_sync;
mod output;
mod recovery;
mod reply;
mod sdp;
mod session;
mod state;

pub use config::NegotiationConfig;
pub use input::{ConnectionState, Input, PcOperation, SdpKind};
pub use machine::Negotiator;
pub use output::{Action, Output};
pub use sdp::dtls_fingerprint;
pub use state::{CallFailure, CallState, EndReason, Role};
