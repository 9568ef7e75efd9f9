//! Delivers a call's events to its listener on one long-lived thread.
//!
//! The core's threads only push into a small queue and return at once, so a slow or throwing
//! listener cannot stall decoding or the network. The queue is bounded by kind: remote video
//! keeps the newest [`MAX_QUEUED_VIDEO`] frames, audio the newest [`MAX_QUEUED_AUDIO`] chunks;
//! states and errors are never dropped. One thread per call keeps the JVM attach cost to once.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle, ThreadId};

use videochat_core::media::I420Frame;
use videochat_core::sync::lock;

use crate::error::{CallError, ListenerError};
use crate::frame::{FrameFormat, RemoteVideoFrame};
use crate::listener::CallListener;
use crate::stats::CallStats;
use crate::types::{CallState, MediaState};

/// Remote frames waiting for a slow renderer; older ones are worth nothing once a newer exists.
pub(crate) const MAX_QUEUED_VIDEO: usize = 2;
/// 500 ms of 20 ms audio chunks: beyond that, playback would lag the picture noticeably.
pub(crate) const MAX_QUEUED_AUDIO: usize = 25;
/// Stats are advisory: keep only the latest few if the listener stalls.
const MAX_QUEUED_STATS: usize = 2;

/// A remote picture on its way to the listener.
pub(crate) enum VideoPayload {
    /// Ready to hand over.
    Ready(Arc<RemoteVideoFrame>),
    /// A copy of the decoded picture still to be converted; converting on the delivery thread
    /// keeps the work off the core's decode thread and skips frames dropped for a slow listener.
    Convert(I420Frame, FrameFormat),
}

/// One thing to tell the listener.
pub(crate) enum Event {
    State(CallState),
    Video(VideoPayload),
    Audio(Vec<u8>),
    Error(CallError),
    RemoteMedia(MediaState),
    Stats(CallStats),
}

impl Event {
    /// How many of this kind may wait, or `None` for "never drop".
    fn limit(&self) -> Option<usize> {
        match self {
            Event::Video(_) => Some(MAX_QUEUED_VIDEO),
            Event::Audio(_) => Some(MAX_QUEUED_AUDIO),
            Event::Stats(_) => Some(MAX_QUEUED_STATS),
            Event::State(_) | Event::Error(_) | Event::RemoteMedia(_) => None,
        }
    }

    fn same_kind(&self, other: &Event) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}

#[derive(Default)]
struct Queue {
    events: VecDeque<Event>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    dropped_video: AtomicU64,
    listener_failures: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding the lock cannot leave the queue half-changed (push/pop only).
        lock(&self.queue)
    }
}

/// The sending side, held by the core's observer; cheap to clone, never blocks.
#[derive(Clone)]
pub(crate) struct EventSink {
    shared: Arc<Shared>,
}

impl EventSink {
    /// Queues `event`, dropping the oldest of its kind when that kind is at its limit.
    pub(crate) fn send(&self, event: Event) {
        let mut queue = self.shared.lock();
        if queue.closed {
            return;
        }
        if let Some(limit) = event.limit() {
            let queued = queue.events.iter().filter(|e| e.same_kind(&event)).count();
            if queued >= limit
                && let Some(oldest) = queue.events.iter().position(|e| e.same_kind(&event))
                && let Some(Event::Video(_)) = queue.events.remove(oldest)
            {
                self.shared.dropped_video.fetch_add(1, Ordering::Relaxed);
            }
        }
        queue.events.push_back(event);
        drop(queue);
        self.shared.ready.notify_one();
    }

    /// Remote video frames dropped so far because the listener was slow.
    pub(crate) fn dropped_video(&self) -> u64 {
        self.shared.dropped_video.load(Ordering::Relaxed)
    }

    /// Callbacks that threw so far.
    pub(crate) fn listener_failures(&self) -> u64 {
        self.shared.listener_failures.load(Ordering::Relaxed)
    }
}

/// Owns the delivery thread of one call.
pub(crate) struct Dispatcher {
    sink: EventSink,
    thread: Option<JoinHandle<()>>,
    thread_id: ThreadId,
}

impl Dispatcher {
    /// Starts the delivery thread for `listener`.
    pub(crate) fn start(listener: Arc<dyn CallListener>) -> Result<Self, CallError> {
        let shared = Arc::new(Shared::default());
        let worker = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("videochat-listener".to_owned())
            .spawn(move || deliver_until_closed(&worker, listener.as_ref()))
            .map_err(|e| CallError::Internal {
                reason: format!("cannot start the listener thread: {e}"),
            })?;
        let thread_id = thread.thread().id();
        Ok(Self {
            sink: EventSink { shared },
            thread: Some(thread),
            thread_id,
        })
    }

    /// A sink for the core's observer.
    pub(crate) fn sink(&self) -> EventSink {
        self.sink.clone()
    }

    /// Stops delivery: queued events are discarded, no callback starts after this returns
    /// (unless called from a callback itself, which cannot wait for its own thread).
    pub(crate) fn stop(&mut self) {
        self.sink.shared.lock().closed = true;
        self.sink.shared.lock().events.clear();
        self.sink.shared.ready.notify_all();
        if let Some(thread) = self.thread.take()
            && thread::current().id() != self.thread_id
        {
            // The thread only returns or keeps looping; a panic was already caught per event.
            let _ = thread.join();
        }
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

fn deliver_until_closed(shared: &Shared, listener: &dyn CallListener) {
    loop {
        let event = {
            let mut queue = shared.lock();
            loop {
                if queue.closed {
                    return;
                }
                if let Some(event) = queue.events.pop_front() {
                    break event;
                }
                queue = shared
                    .ready
                    .wait(queue)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| deliver(listener, event)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(ListenerError::Failed { reason })) => Some(reason),
            Err(_) => Some("panic while calling the listener".to_owned()),
        };
        if let Some(reason) = failure {
            let count = shared.listener_failures.fetch_add(1, Ordering::Relaxed) + 1;
            // First failures in full, then one line per hundred so a throwing renderer can't flood logs.
            if count <= 3 || count.is_multiple_of(100) {
                tracing::warn!(count, %reason, "call listener threw; going on");
            }
        }
    }
}

fn deliver(listener: &dyn CallListener, event: Event) -> Result<(), ListenerError> {
    match event {
        Event::State(state) => listener.on_state_changed(state),
        Event::Video(VideoPayload::Ready(frame)) => listener.on_remote_video_frame(frame),
        Event::Video(VideoPayload::Convert(decoded, format)) => {
            match RemoteVideoFrame::from_decoded(&decoded, format) {
                Ok(frame) => listener.on_remote_video_frame(Arc::new(frame)),
                Err(error) => listener.on_error(error),
            }
        }
        Event::Audio(pcm) => listener.on_remote_audio(pcm),
        Event::Error(error) => listener.on_error(error),
        Event::RemoteMedia(state) => listener.on_remote_media_changed(state),
        Event::Stats(stats) => listener.on_stats(stats),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::types::EndReason;

    /// Records what it is told; can be made to fail or to block until released.
    struct Probe {
        seen: Mutex<mpsc::Sender<String>>,
        gate: Mutex<Option<Gate>>,
        fail_video: bool,
    }

    /// Holds each video callback: says it is held, then waits for a release.
    struct Gate {
        held: mpsc::Sender<()>,
        release: mpsc::Receiver<()>,
    }

    impl Probe {
        fn new(fail_video: bool) -> (Arc<Self>, mpsc::Receiver<String>) {
            let (tx, rx) = mpsc::channel();
            (
                Arc::new(Self {
                    seen: Mutex::new(tx),
                    gate: Mutex::new(None),
                    fail_video,
                }),
                rx,
            )
        }

        fn note(&self, what: String) {
            let _ = self.seen.lock().expect("probe lock").send(what);
        }
    }

    impl CallListener for Probe {
        fn on_state_changed(&self, state: CallState) -> Result<(), ListenerError> {
            self.note(format!("{state:?}"));
            Ok(())
        }
        fn on_remote_video_frame(&self, frame: Arc<RemoteVideoFrame>) -> Result<(), ListenerError> {
            if let Some(gate) = self.gate.lock().expect("probe lock").as_ref() {
                let _ = gate.held.send(());
                let _ = gate.release.recv_timeout(Duration::from_secs(5));
            }
            self.note(format!("video {}", frame.timestamp_us()));
            if self.fail_video {
                panic!("renderer bug");
            }
            Ok(())
        }
        fn on_remote_audio(&self, pcm: Vec<u8>) -> Result<(), ListenerError> {
            self.note(format!("audio {}", pcm.len()));
            Err(ListenerError::Failed {
                reason: "speaker gone".to_owned(),
            })
        }
        fn on_error(&self, error: CallError) -> Result<(), ListenerError> {
            self.note(format!("error {error}"));
            Ok(())
        }
        fn on_remote_media_changed(&self, state: MediaState) -> Result<(), ListenerError> {
            self.note(format!("{state:?}"));
            Ok(())
        }
        fn on_stats(&self, _stats: CallStats) -> Result<(), ListenerError> {
            self.note("stats".to_owned());
            Ok(())
        }
    }

    fn video(timestamp_us: u64) -> Event {
        let mut frame = I420Frame::new(2, 2);
        frame.timestamp_us = timestamp_us;
        Event::Video(VideoPayload::Convert(frame, FrameFormat::Rgba))
    }

    fn next(rx: &mpsc::Receiver<String>) -> String {
        rx.recv_timeout(Duration::from_secs(5))
            .expect("a callback within 5 s")
    }

    #[test]
    fn events_arrive_in_order_on_the_listener_thread() {
        let (probe, seen) = Probe::new(false);
        let dispatcher = Dispatcher::start(probe).expect("thread starts");
        let sink = dispatcher.sink();
        sink.send(Event::State(CallState::Connecting));
        sink.send(video(7));
        sink.send(Event::State(CallState::Ended {
            reason: EndReason::PeerLeft,
        }));
        assert_eq!(next(&seen), "Connecting");
        assert_eq!(next(&seen), "video 7");
        assert_eq!(next(&seen), "Ended { reason: PeerLeft }");
    }

    #[test]
    fn listeners_that_throw_or_panic_still_get_later_callbacks() {
        let (probe, seen) = Probe::new(true);
        let dispatcher = Dispatcher::start(probe).expect("thread starts");
        let sink = dispatcher.sink();
        sink.send(video(1));
        sink.send(Event::Audio(vec![0; 4]));
        sink.send(Event::State(CallState::Connected));
        assert_eq!(next(&seen), "video 1");
        assert_eq!(next(&seen), "audio 4");
        assert_eq!(next(&seen), "Connected");
        assert_eq!(sink.listener_failures(), 2);
    }

    #[test]
    fn a_slow_listener_loses_old_video_but_no_state() {
        let (probe, seen) = Probe::new(false);
        let (held_tx, held) = mpsc::channel();
        let (release, release_rx) = mpsc::channel();
        *probe.gate.lock().expect("probe lock") = Some(Gate {
            held: held_tx,
            release: release_rx,
        });
        let dispatcher = Dispatcher::start(probe).expect("thread starts");
        let sink = dispatcher.sink();
        sink.send(video(0));
        held.recv_timeout(Duration::from_secs(5))
            .expect("the listener is held in the first frame");
        for ts in 1..=5 {
            sink.send(video(ts));
        }
        sink.send(Event::State(CallState::Reconnecting));
        for _ in 0..3 {
            release.send(()).expect("listener waits");
        }
        let got: Vec<String> = (0..4).map(|_| next(&seen)).collect();
        assert_eq!(got, ["video 0", "video 4", "video 5", "Reconnecting"]);
        assert_eq!(sink.dropped_video(), 3);
    }

    #[test]
    fn nothing_is_delivered_after_stop() {
        let (probe, seen) = Probe::new(false);
        let mut dispatcher = Dispatcher::start(probe).expect("thread starts");
        let sink = dispatcher.sink();
        dispatcher.stop();
        sink.send(Event::State(CallState::Connected));
        assert!(seen.recv_timeout(Duration::from_millis(100)).is_err());
        dispatcher.stop(); // twice is fine
    }
}
