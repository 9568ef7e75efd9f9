//! The videochat core: everything of a 1:1 call that is not a screen, a camera
//! or a speaker.
//!
//! Layers, each depending only on those above it:
//!
//! - [`negotiation`]: the sans-IO state machine (inputs in, actions out) that
//!   decides who offers, when to restart ICE and when the call is over;
//! - [`media`]: frames, pixel conversion, H.264 and Opus, with no WebRTC;
//! - [`signaling`]: the WebSocket client of the relay (`docs/protocol.md`);
//! - [`peer`]: one webrtc-rs peer connection carrying encoded media;
//! - [`call`]: the [`Call`](call::Call) an app holds: an async driver that
//!   feeds the negotiator and carries out its actions, an encoder thread and
//!   a media-receive thread.
//!
//! The core knows nothing of UniFFI; `bindings/` is the skin the phone apps use.

pub mod call;
pub mod media;
pub mod negotiation;
pub mod peer;
pub mod signaling;
pub mod sync;
