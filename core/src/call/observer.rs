//! What the call tells the app, and on which thread.

use crate::media::I420Frame;
use videochat_protocol::MediaState;

use crate::negotiation::CallState;

use super::stats::CallStats;

/// The app's side of a call. Implementations must return quickly: they run on
/// the core's own threads, and a slow one delays what comes after it.
///
/// Threads: `on_state_changed`, `on_remote_media_changed` and `on_stats` arrive on the call's driver task
/// (a tokio worker thread); `on_remote_video_frame` and `on_remote_audio`
/// arrive on the call's one long-lived media-receive thread, in order. None of
/// them is ever called on the thread that calls into [`Call`](super::Call).
pub trait CallObserver: Send + Sync + 'static {
    /// The call state changed (only on change).
    fn on_state_changed(&self, state: CallState);
    /// A decoded remote picture, upright, tightly packed I420 (borrowed: copy
    /// what you keep).
    fn on_remote_video_frame(&self, frame: &I420Frame);
    /// 20 ms of decoded remote audio: 48 kHz mono signed 16-bit samples;
    /// concealment fills gaps, so playback keeps a steady pace.
    fn on_remote_audio(&self, pcm: &[i16]);
    /// The other person muted or unmuted, or turned the camera off or on
    /// (only on change; back to both on when the peer leaves). With the
    /// camera off, show an avatar rather than the last frame.
    fn on_remote_media_changed(&self, state: MediaState);
    /// Counters, about once a second while the call runs.
    fn on_stats(&self, stats: &CallStats);
}
