//! The relay's shared state: the rooms and a way to reach each connection.
//!
//! Every delivery is a non-blocking `try_send` into the receiver's bounded
//! queue, made while holding the rooms lock, so events and relayed frames
//! reach each client in the order the relay decided them (a `peer-joined`
//! always precedes the newcomer's first frame). A receiver whose queue is
//! full is not reading: it is kicked and taken out of its room at once.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use videochat_protocol::{ErrorCode, Grant, RelayEvent, RoomId};

use crate::rooms::{ConnId, JoinOutcome, Rooms};

/// How to reach one connection: its outgoing queue and its kill switch.
#[derive(Debug, Clone)]
pub struct ConnectionHandle {
    id: ConnId,
    tx: mpsc::Sender<Message>,
    kick: Arc<Notify>,
}

impl ConnectionHandle {
    /// This connection's id (for logs).
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// Resolves once someone decided this connection must go.
    pub async fn kicked(&self) {
        self.kick.notified().await;
    }

    /// Queues `message`, or kicks this connection if its queue is full.
    fn send_or_kick(&self, message: Message) -> bool {
        let sent = self.tx.try_send(message).is_ok();
        if !sent {
            tracing::info!(conn = self.id, "outgoing queue full: disconnecting");
            self.kick.notify_one();
        }
        sent
    }

    /// Queues an error frame for this connection.
    pub fn send_error(&self, code: ErrorCode, message: &str) {
        self.send_or_kick(event(RelayEvent::Error {
            code,
            message: message.to_owned(),
        }));
    }
}

/// What `join` did, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Alone: initiator.
    Created,
    /// Second member: answerer.
    Joined,
    /// Refused: two already there.
    Full,
}

/// All rooms and the count of live connections.
#[derive(Debug)]
pub struct Hub {
    rooms: Mutex<Rooms<ConnectionHandle>>,
    next_id: AtomicU64,
    live: AtomicUsize,
    max_connections: usize,
}

/// A place among the live connections; dropping it frees the place.
#[derive(Debug)]
pub struct Admission {
    hub: Arc<Hub>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.hub.live.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Hub {
    /// An empty hub admitting at most `max_connections` at once.
    pub fn new(max_connections: usize) -> Arc<Hub> {
        Arc::new(Hub {
            rooms: Mutex::default(),
            next_id: AtomicU64::new(1),
            live: AtomicUsize::new(0),
            max_connections,
        })
    }

    /// A place for one more connection, unless the hub is at its limit.
    pub fn admit(self: &Arc<Self>) -> Option<Admission> {
        self.live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_connections).then_some(n + 1)
            })
            .ok()
            .map(|_| Admission { hub: self.clone() })
    }

    /// Registers a connection with a queue of `queue_frames` outgoing frames.
    pub fn connect(&self, queue_frames: usize) -> (ConnectionHandle, mpsc::Receiver<Message>) {
        let (tx, rx) = mpsc::channel(queue_frames.max(1));
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let kick = Arc::new(Notify::new());
        (ConnectionHandle { id, tx, kick }, rx)
    }

    /// Puts `me` into `room` and tells everyone concerned.
    pub fn join(&self, me: &ConnectionHandle, room: &RoomId) -> Joined {
        let mut rooms = self.lock();
        let initiator = match rooms.join(room, me.id, me.clone()) {
            JoinOutcome::Created => {
                deliver_or_drop(&mut rooms, room, me, created(room));
                return Joined::Created;
            }
            JoinOutcome::Full => {
                me.send_or_kick(event(RelayEvent::Full {
                    room: room.to_string(),
                }));
                return Joined::Full;
            }
            JoinOutcome::Joined { initiator } => initiator.clone(),
        };
        let peer_joined = event(RelayEvent::PeerJoined {
            room: room.to_string(),
        });
        if initiator.send_or_kick(peer_joined) {
            deliver_or_drop(
                &mut rooms,
                room,
                me,
                event(RelayEvent::Joined {
                    room: room.to_string(),
                    grant: Grant::default(),
                }),
            );
            Joined::Joined
        } else {
            // The one waiting is not reading: it goes, and `me` never saw it.
            rooms.leave(room, initiator.id);
            deliver_or_drop(&mut rooms, room, me, created(room));
            Joined::Created
        }
    }

    /// Forwards `text` verbatim to the other member of `room`, if any; a
    /// frame sent while alone is dropped.
    pub fn relay(&self, me: &ConnectionHandle, room: &RoomId, text: Utf8Bytes) {
        let mut rooms = self.lock();
        if let Some(other) = rooms.peer(room, me.id).cloned() {
            deliver_or_drop(&mut rooms, room, &other, Message::Text(text));
        }
    }

    /// Takes `me` out of `room`; the one who stays is told `peer-left`.
    pub fn leave(&self, me: &ConnectionHandle, room: &RoomId) {
        let mut rooms = self.lock();
        if let Some(Some(stayer)) = rooms.leave(room, me.id) {
            stayer.send_or_kick(peer_left(room));
        }
    }

    /// How many rooms have someone in them.
    pub fn room_count(&self) -> usize {
        self.lock().len()
    }

    /// How many connections are live.
    pub fn live_connections(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, Rooms<ConnectionHandle>> {
        // The registry holds no invariant a panic could break halfway.
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Queues `message` for `to`, a member of `room`; if `to` is not reading it
/// is kicked and removed, and the member who stays is told `peer-left`.
fn deliver_or_drop(
    rooms: &mut Rooms<ConnectionHandle>,
    room: &RoomId,
    to: &ConnectionHandle,
    message: Message,
) {
    if to.send_or_kick(message) {
        return;
    }
    if let Some(Some(stayer)) = rooms.leave(room, to.id) {
        stayer.send_or_kick(peer_left(room));
    }
}

fn event(event: RelayEvent) -> Message {
    Message::Text(event.to_json().into())
}

fn created(room: &RoomId) -> Message {
    event(RelayEvent::Created {
        room: room.to_string(),
        grant: Grant::default(),
    })
}

fn peer_left(room: &RoomId) -> Message {
    event(RelayEvent::PeerLeft {
        room: room.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> RoomId {
        RoomId::parse("room-1").expect("valid room name")
    }

    fn next_text(rx: &mut mpsc::Receiver<Message>) -> String {
        match rx.try_recv() {
            Ok(Message::Text(text)) => text.to_string(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    #[test]
    fn peer_joined_is_queued_before_the_newcomers_first_frame() {
        let hub = Hub::new(10);
        let (a, mut a_rx) = hub.connect(8);
        let (b, _b_rx) = hub.connect(8);
        assert_eq!(hub.join(&a, &room()), Joined::Created);
        assert_eq!(hub.join(&b, &room()), Joined::Joined);
        hub.relay(&b, &room(), "\"ready\"".into());
        assert!(next_text(&mut a_rx).contains("created"));
        assert!(next_text(&mut a_rx).contains("peer-joined"));
        assert_eq!(next_text(&mut a_rx), "\"ready\"");
    }

    #[test]
    fn a_peer_with_a_full_queue_is_dropped_and_the_sender_told_peer_left() {
        let hub = Hub::new(10);
        let (slow, _slow_rx) = hub.connect(2);
        let (fast, mut fast_rx) = hub.connect(8);
        hub.join(&slow, &room());
        hub.join(&fast, &room());
        // The slow queue holds `created` and `peer-joined`; the next frame overflows it.
        hub.relay(&fast, &room(), "1".into());
        assert!(next_text(&mut fast_rx).contains("\"joined\""));
        assert!(next_text(&mut fast_rx).contains("peer-left"));
        hub.relay(&fast, &room(), "2".into());
        assert!(fast_rx.try_recv().is_err(), "nobody left to relay to");
    }

    #[test]
    fn admissions_stop_at_the_limit_and_free_up_when_dropped() {
        let hub = Hub::new(2);
        let first = hub.admit();
        let second = hub.admit();
        assert!(first.is_some() && second.is_some());
        assert!(hub.admit().is_none());
        drop(first);
        assert!(hub.admit().is_some());
    }
}
