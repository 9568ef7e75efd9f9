//! How the hub reaches one connection: its outgoing queue, bounded in
//! frames and in bytes, and a switch that tells its task to end.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::Notify;
use tokio::sync::mpsc::error::TryRecvError;
use tokio_tungstenite::tungstenite::Message;
use videochat_protocol::{ErrorCode, RelayEvent};

use crate::metrics::Metrics;
use crate::rooms::ConnId;

/// Why a connection was told to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// Its outgoing queue overflowed: the client does not read.
    NotReading,
    /// Another connection resumed its slot with its session token.
    Replaced,
}

/// A connection's outgoing queue and kill switch.
#[derive(Debug, Clone)]
pub struct ConnectionHandle {
    id: ConnId,
    queue: Arc<Queue>,
    max_frames: usize,
    /// Bytes queued and not yet handed to the socket; shared with the
    /// [`Outbox`]. The frame bound alone would let 256 large frames (16 MiB)
    /// pile up for a client that does not read.
    queued: Arc<AtomicUsize>,
    max_bytes: usize,
    metrics: Arc<Metrics>,
    kick: Arc<KickSwitch>,
}

/// The frames waiting for one connection's writer. A deque that grows only
/// while frames wait: a tokio mpsc channel allocates a block of 32 slots
/// (1.8 KiB) on its first frame and keeps it, for every connection.
#[derive(Debug, Default)]
struct Queue {
    items: Mutex<VecDeque<Message>>,
    /// Wakes the writer; a wake-up with nobody waiting is stored.
    ready: Notify,
}

impl Queue {
    fn items(&self) -> MutexGuard<'_, VecDeque<Message>> {
        // A deque holds no invariant a panic could break halfway.
        self.items.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pop(&self) -> Option<Message> {
        let mut items = self.items();
        let message = items.pop_front();
        // What a burst grew is given back once it has been written.
        if items.is_empty() && items.capacity() > SHRINK_ABOVE {
            items.shrink_to(0);
        }
        message
    }
}

/// Slots an empty queue keeps.
const SHRINK_ABOVE: usize = 8;

/// The receiving end of a connection's queue.
#[derive(Debug)]
pub struct Outbox {
    queue: Arc<Queue>,
    queued: Arc<AtomicUsize>,
}

impl Outbox {
    /// The next queued frame, once there is one. (`None` is never returned:
    /// the type says what the writer may assume of any queue.)
    pub async fn recv(&mut self) -> Option<Message> {
        loop {
            if let Some(message) = self.queue.pop() {
                return Some(message);
            }
            self.queue.ready.notified().await;
        }
    }

    /// The next queued frame, if one is waiting.
    pub fn try_recv(&mut self) -> Result<Message, TryRecvError> {
        self.queue.pop().ok_or(TryRecvError::Empty)
    }

    /// `message` (taken from this queue) reached the socket's writer: its
    /// bytes no longer count against the bound.
    pub fn written(&self, message: &Message) {
        self.queued.fetch_sub(queued_len(message), Ordering::AcqRel);
    }
}

/// A queue of at most `frames` frames and `bytes` bytes (one frame is
/// always let in, so a small byte bound cannot refuse a legal frame).
/// Sends and errors are counted in `metrics`.
pub fn queue(
    id: ConnId,
    frames: usize,
    bytes: usize,
    metrics: Arc<Metrics>,
) -> (ConnectionHandle, Outbox) {
    let queue = Arc::new(Queue::default());
    let queued = Arc::new(AtomicUsize::new(0));
    let handle = ConnectionHandle {
        id,
        queue: queue.clone(),
        max_frames: frames.max(1),
        queued: queued.clone(),
        max_bytes: bytes,
        metrics,
        kick: Arc::default(),
    };
    (handle, Outbox { queue, queued })
}

/// The bytes a queued message counts for.
fn queued_len(message: &Message) -> usize {
    match message {
        Message::Text(text) => text.len(),
        Message::Binary(bytes) | Message::Ping(bytes) | Message::Pong(bytes) => bytes.len(),
        Message::Close(_) | Message::Frame(_) => 0,
    }
}

#[derive(Debug, Default)]
struct KickSwitch {
    notify: Notify,
    replaced: AtomicBool,
}

impl ConnectionHandle {
    /// This connection's id (for logs).
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// Resolves once someone decided this connection must go, with why.
    pub async fn kicked(&self) -> Kick {
        self.kick.notify.notified().await;
        if self.kick.replaced.load(Ordering::Acquire) {
            Kick::Replaced
        } else {
            Kick::NotReading
        }
    }

    /// Tells this connection another one took its slot.
    pub fn replace(&self) {
        self.kick.replaced.store(true, Ordering::Release);
        self.kick.notify.notify_one();
    }

    /// Queues `message`, or kicks this connection if its queue is full (in
    /// frames or in bytes).
    pub fn send_or_kick(&self, message: Message) -> bool {
        let len = queued_len(&message);
        let before = self.queued.fetch_add(len, Ordering::AcqRel);
        let fits = before == 0 || before + len <= self.max_bytes;
        let sent = fits && self.push(message);
        if sent {
            self.metrics.queue_bytes(before + len);
        } else {
            self.queued.fetch_sub(len, Ordering::AcqRel);
            tracing::info!(
                conn = self.id,
                queued_bytes = before,
                "outgoing queue full: disconnecting"
            );
            self.kick.notify.notify_one();
        }
        sent
    }

    /// Queues `message` unless the queue holds as many frames as it may.
    fn push(&self, message: Message) -> bool {
        let mut items = self.queue.items();
        if items.len() >= self.max_frames {
            return false;
        }
        items.push_back(message);
        drop(items);
        self.queue.ready.notify_one();
        true
    }

    /// Queues a relay event for this connection.
    pub fn send_event(&self, event: RelayEvent) -> bool {
        self.send_or_kick(Message::Text(event.to_json().into()))
    }

    /// Queues an error frame for this connection.
    pub fn send_error(&self, code: ErrorCode, message: &str) {
        self.metrics.error_sent(code);
        self.send_event(RelayEvent::Error {
            code,
            message: message.to_owned(),
        });
    }
}
