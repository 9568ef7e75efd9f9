//! videochat-ffi: the UniFFI skin over `videochat-core` that the Android and iOS apps use.
//!
//! The surface is small on purpose: a [`Call`] made from a [`CallConfig`] and a
//! [`CallListener`]; methods to hand in camera frames and audio, switch camera, mute, turn
//! video off and hang up; and typed errors. Everything delegates to the core in a few lines;
//! the FFI-owned records and enums here convert from the core's.
//!
//! Generated bindings (see `bindings/build.sh`) put this API in the Kotlin package
//! `org.videochat.core` and the Swift module `VideoChatCore`. A call from Kotlin:
//!
//! ```kotlin
//! initLogging(LogLevel.INFO)
//! Call(CallConfig(relayUrl = "wss://relay.example/ws", room = "kitchen"), listener).use { call ->
//!     // camera thread, per frame (direct ByteBuffers, no copy):
//!     call.sendVideoI420(y, u, v, strideY, strideU, strideV, width, height, rotation, timestampUs)
//!     // audio thread, every 20 ms: 960 samples s16le
//!     call.sendAudio(pcm)
//!     // a tap on "switch camera" (then send the new camera's frames):
//!     call.setCameraFacing(CameraFacing.ENVIRONMENT)
//!     call.hangUp()
//! } // close(): stops callbacks and frees the call
//! ```
//!
//! Threads: methods return quickly and may be called from any thread; listener callbacks
//! arrive on one `videochat-listener` thread per call (see [`CallListener`]). No panic crosses
//! the boundary: exported methods catch them and report `CallError::Internal`.

mod call;
#[cfg(feature = "bench")]
mod diagnostics;
mod dispatch;
mod error;
mod frame;
mod listener;
mod logging;
mod observer;
mod runtime;
mod security;
mod stats;
mod types;

pub use call::Call;
#[cfg(feature = "bench")]
pub use diagnostics::{DeliveryReport, measure_frame_delivery, measure_frame_handoff};
pub use error::{CallError, ListenerError};
pub use frame::{FrameFormat, PlaneLayout, RemoteVideoFrame};
pub use listener::CallListener;
pub use logging::{LogLevel, init_logging};
pub use security::{NotVerified, SecurityCode};
pub use stats::{CallStats, ConnectionQuality, ListenerStats, QualitySample};
pub use types::{
    CallConfig, CallFailure, CallState, CameraFacing, EndReason, IceServer, MediaState,
    VideoSettings, default_ice_servers, mirrors_self_view,
};

uniffi::setup_scaffolding!("videochat");

/// The library's version, e.g. "0.1.0"; also a cheap check that the native library loaded.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
