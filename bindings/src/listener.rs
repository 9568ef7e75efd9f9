//! The listener the UI implements to hear from a call.

use std::sync::Arc;

use crate::error::{CallError, ListenerError};
use crate::frame::RemoteVideoFrame;
use crate::stats::CallStats;
use crate::types::{CallState, MediaState};

/// What a call tells the UI. Implemented in Kotlin or Swift and passed to the `Call` constructor.
///
/// # Threads
/// Every callback of one call arrives on that call's own delivery thread, named
/// `videochat-listener`, one at a time and in order; never on the UI thread and never on the
/// core's network or codec threads. Post to the main thread for view work. The thread lives as
/// long as the call, so a JVM can keep it attached: on Android call
/// `com.sun.jna.Native.detach(false)` in the first callback to save the ~0.5-1 ms that
/// attaching costs on every callback otherwise.
///
/// # Slow listeners
/// A listener that falls behind loses remote video frames (at most two wait; older ones are
/// dropped) and then audio chunks (at most 500 ms wait), never state changes. The core itself
/// never waits for the listener.
///
/// # Errors
/// A callback may throw: the call logs it and goes on, and the next callback still arrives.
#[uniffi::export(foreign)]
pub trait CallListener: Send + Sync {
    /// The call moved to `state`. The last callback of a call is an `Ended` state.
    fn on_state_changed(&self, state: CallState) -> Result<(), ListenerError>;

    /// A decoded remote picture, upright, in the format the config asked for. Close it when
    /// drawn (Kotlin `use {}`); its pixels stay valid until then.
    fn on_remote_video_frame(&self, frame: Arc<RemoteVideoFrame>) -> Result<(), ListenerError>;

    /// 20 ms of decoded remote audio: 960 samples, 48 kHz mono, signed 16-bit little-endian
    /// (what `AudioTrack.write(ByteArray)` and `AVAudioPCMBuffer` with int16 take).
    fn on_remote_audio(&self, pcm: Vec<u8>) -> Result<(), ListenerError>;

    /// Something failed that the UI may want to show; a fatal failure is followed by an
    /// `Ended` state.
    fn on_error(&self, error: CallError) -> Result<(), ListenerError>;

    /// The other person muted or unmuted, or turned the camera off or on (only on change; back
    /// to both on when the peer leaves). With `video` false show an avatar, not the last frame.
    fn on_remote_media_changed(&self, state: MediaState) -> Result<(), ListenerError>;

    /// Call statistics, about once a second while connected.
    fn on_stats(&self, stats: CallStats) -> Result<(), ListenerError>;
}
