//! The core's observer for one call: turns core events into FFI events and queues them for
//! the listener's thread. Runs on the core's threads, so it only copies and queues.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use videochat_core::call::{self as core_call, CallObserver};
use videochat_core::media::I420Frame;

use crate::dispatch::{Event, EventSink, VideoPayload};
use crate::error::CallError;
use crate::frame::{FrameFormat, RemoteVideoFrame};

pub(crate) struct QueueingObserver {
    pub(crate) sink: EventSink,
    pub(crate) format: FrameFormat,
    /// Set once the call reaches a terminal state, so `send_*` can say `CallEnded`.
    pub(crate) ended: Arc<AtomicBool>,
}

impl CallObserver for QueueingObserver {
    fn on_state_changed(&self, state: core_call::CallState) {
        if state.is_terminal() {
            self.ended.store(true, Ordering::Relaxed);
        }
        if let core_call::CallState::Failed(failure) = &state {
            self.sink.send(Event::Error(CallError::Failed {
                failure: failure.clone().into(),
            }));
        }
        self.sink.send(Event::State(state.into()));
    }

    fn on_remote_video_frame(&self, frame: &I420Frame) {
        // The one copy: I420 goes straight into the frame the UI reads; RGBA copies the planes
        // here (a memcpy) and converts on the listener's thread.
        let payload = match self.format {
            FrameFormat::I420 => match RemoteVideoFrame::from_decoded(frame, FrameFormat::I420) {
                Ok(ready) => VideoPayload::Ready(Arc::new(ready)),
                Err(error) => return self.sink.send(Event::Error(error)),
            },
            FrameFormat::Rgba => VideoPayload::Convert(frame.clone(), FrameFormat::Rgba),
        };
        self.sink.send(Event::Video(payload));
    }

    fn on_remote_audio(&self, pcm: &[i16]) {
        let bytes = pcm.iter().flat_map(|sample| sample.to_le_bytes()).collect();
        self.sink.send(Event::Audio(bytes));
    }

    fn on_remote_media_changed(&self, state: core_call::MediaState) {
        self.sink.send(Event::RemoteMedia(state));
    }

    fn on_stats(&self, stats: &core_call::CallStats) {
        self.sink.send(Event::Stats(*stats));
    }
}
