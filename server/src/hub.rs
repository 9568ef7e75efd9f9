//! The relay's shared state: the rooms and a way to reach each connection.
//!
//! Every delivery is a non-blocking `try_send` into the receiver's bounded
//! queue, made while holding the rooms lock, so events and relayed frames
//! reach each client in the order the relay decided them (a `peer-joined`
//! always precedes the newcomer's first frame). A receiver whose queue is
//! full is not reading: it is kicked and loses its socket at once.
//!
//! A member that asked to resume and loses its socket is away: what is sent
//! to it is kept (bounded) instead, until it resumes or its grace expires.
//! One task ([`Hub::expire_away_members`]) frees the slots whose grace ended.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Instant, SystemTime};

use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use videochat_protocol::{ErrorCode, Grant, RelayEvent, RoomId, random_token};

use crate::cluster::Cluster;
pub use crate::handle::{ConnectionHandle, Kick, Outbox};
use crate::kept::{Kept, KeptFrames, Notice};
use crate::limits::Limits;
use crate::metrics::{Gauges, Metrics};
use crate::per_address::PerAddress;
use crate::rate_limit::Verdict;
use crate::rooms::{AwayRules, ConnId, JoinOutcome, Lost, Resumed, Rooms, Target};
use crate::turn::Turn;

type HubRooms = Rooms<ConnectionHandle, Utf8Bytes>;

/// How a connection asks to join.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinAs {
    /// As the tutorial's clients: losing the socket frees the slot.
    Fresh,
    /// With a session token, to resume the slot after losing the socket.
    Resumable,
    /// Taking back the slot of this token (a fresh resumable join if the
    /// relay does not know it).
    Resume(String),
}

/// What `join` did, for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// Alone: initiator.
    Created,
    /// Second member: answerer.
    Joined,
    /// Took its slot back with its token.
    Resumed,
    /// Refused: two already there.
    Full,
    /// Refused: the address joins too often, or the relay holds as many
    /// rooms as it may.
    Refused,
    /// Refused, and the connection must end: its address kept joining
    /// after refusals (`AddressRules::join_strikes`).
    Flooding,
}

/// All rooms and the count of live connections.
#[derive(Debug)]
pub struct Hub {
    rooms: Mutex<HubRooms>,
    next_id: AtomicU64,
    live: AtomicUsize,
    max_connections: usize,
    max_rooms: usize,
    per_address: PerAddress,
    metrics: Arc<Metrics>,
    turn: Option<Turn>,
    /// Wakes the grace timer when a member goes away.
    went_away: Notify,
    /// With `--redis`: the rooms live in Redis, shared with other nodes,
    /// and `rooms` stays empty.
    cluster: Option<Arc<Cluster>>,
}

/// A place among the live connections; dropping it frees the place.
#[derive(Debug)]
pub struct Admission {
    hub: Arc<Hub>,
    ip: IpAddr,
}

impl Admission {
    /// The client's address.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// The connection was dropped for abuse: counts towards barring its address.
    pub fn abused(&self) {
        self.hub.per_address.abused(self.ip, Instant::now());
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.hub.per_address.release(self.ip, Instant::now());
        self.hub.live.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The relay holds as many connections as it may.
    Relay,
    /// The client's address holds as many connections as it may.
    Address,
}

/// Something for one member: a room event or a relayed frame.
#[derive(Debug, Clone)]
enum Outgoing {
    Notice(Notice),
    Frame(Utf8Bytes),
}

impl Hub {
    /// An empty hub within `limits`, handing out `turn` credentials if given.
    pub fn new(limits: &Limits, turn: Option<Turn>) -> Arc<Hub> {
        Hub::with_cluster(limits, turn, None)
    }

    /// A hub whose rooms are `cluster`'s, if given.
    pub fn with_cluster(
        limits: &Limits,
        turn: Option<Turn>,
        cluster: Option<Arc<Cluster>>,
    ) -> Arc<Hub> {
        Arc::new(Hub {
            rooms: Mutex::new(Rooms::new(AwayRules {
                grace: limits.resume_grace,
                kept_frames: limits.kept_frames,
                kept_bytes: limits.kept_bytes,
            })),
            next_id: AtomicU64::new(1),
            live: AtomicUsize::new(0),
            max_connections: limits.max_connections,
            max_rooms: limits.max_rooms,
            per_address: PerAddress::new(limits.address_rules()),
            metrics: Arc::default(),
            turn,
            went_away: Notify::new(),
            cluster,
        })
    }

    /// Whether `ip` is barred for abuse now (`PerAddress::abused`).
    pub fn is_barred(&self, ip: IpAddr) -> bool {
        self.per_address.is_barred(ip, Instant::now())
    }

    /// A place for one more connection from `ip`, unless the relay or the
    /// address is at its limit (or barred).
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Admission, Refusal> {
        self.live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_connections).then_some(n + 1)
            })
            .map_err(|_| Refusal::Relay)?;
        if !self.per_address.admit(ip, Instant::now()) {
            self.live.fetch_sub(1, Ordering::AcqRel);
            return Err(Refusal::Address);
        }
        Ok(Admission {
            hub: self.clone(),
            ip,
        })
    }

    /// Registers a connection with a queue of at most `frames` outgoing
    /// frames and `bytes` bytes.
    pub fn connect(&self, frames: usize, bytes: usize) -> (ConnectionHandle, Outbox) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        crate::handle::queue(id, frames, bytes, self.metrics.clone())
    }

    /// Puts `me`, from `ip`, into `room` (or back into its slot) and tells
    /// everyone concerned.
    pub fn join(&self, me: &ConnectionHandle, ip: IpAddr, room: &RoomId, how: JoinAs) -> Joined {
        if let Some(refused) = self.refuse_join(me, ip) {
            return refused;
        }
        let mut rooms = self.lock();
        let session = match how {
            JoinAs::Fresh => None,
            JoinAs::Resumable => Some(random_token()),
            JoinAs::Resume(token) => match rooms.resume(room, &token, me.id(), me.clone()) {
                Some(resumed) => {
                    self.resumed(&mut rooms, room, me, token, resumed);
                    return Joined::Resumed;
                }
                // Expired, another room's, or from before a restart: start
                // afresh, resumable under a new token.
                None => Some(random_token()),
            },
        };
        if !rooms.contains(room) && rooms.len() >= self.max_rooms {
            me.send_error(
                ErrorCode::RelayBusy,
                "the relay holds as many rooms as it may; try again later",
            );
            return Joined::Refused;
        }
        let grant = self.grant(session.clone());
        let room_name = room.to_string();
        match rooms.join(room, me.id(), me.clone(), session) {
            JoinOutcome::Full => {
                me.send_event(RelayEvent::Full { room: room_name });
                Joined::Full
            }
            JoinOutcome::Created => {
                me.send_event(RelayEvent::Created {
                    room: room_name,
                    grant,
                });
                Joined::Created
            }
            JoinOutcome::Joined { initiator, away } => {
                me.send_event(RelayEvent::Joined {
                    room: room_name,
                    grant,
                });
                // Should the initiator turn out not to read, `me` hears
                // `peer-left` right after `joined` and initiates.
                self.send_to(&mut rooms, room, initiator, Notice::PeerJoined);
                if away {
                    self.send_to(&mut rooms, room, me.id(), Notice::PeerAway);
                }
                Joined::Joined
            }
        }
    }

    /// Why `ip` may not join now, if it may not: `me` is told
    /// `rate_limited`, or (`Flooding`) is to be dropped, which says it.
    pub fn refuse_join(&self, me: &ConnectionHandle, ip: IpAddr) -> Option<Joined> {
        match self.per_address.allow_join(ip, Instant::now()) {
            Verdict::Allow => None,
            Verdict::Refuse => {
                me.send_error(
                    ErrorCode::RateLimited,
                    "too many joins from your address; slow down",
                );
                Some(Joined::Refused)
            }
            Verdict::Disconnect => Some(Joined::Flooding),
        }
    }

    /// The shared rooms, when this relay is one node of several.
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster.as_deref()
    }

    /// `me` got its slot back: it hears `resumed` and what was kept for it;
    /// the peer hears `peer-back`.
    fn resumed(
        &self,
        rooms: &mut HubRooms,
        room: &RoomId,
        me: &ConnectionHandle,
        token: String,
        resumed: Resumed<ConnectionHandle, Utf8Bytes>,
    ) {
        if let Some(old) = resumed.replaced {
            tracing::info!(
                conn = old.id(),
                by = me.id(),
                "slot resumed by another connection"
            );
            old.replace();
        }
        if resumed.dropped > 0 {
            tracing::info!(
                conn = me.id(),
                dropped = resumed.dropped,
                "resumed; frames were dropped while away"
            );
        }
        me.send_event(RelayEvent::Resumed {
            room: room.to_string(),
            grant: self.grant(Some(token)),
        });
        // At most the kept bounds plus four events: a new queue holds them.
        for item in resumed.kept {
            let out = match item {
                Kept::Notice(notice) => Outgoing::Notice(notice),
                Kept::Frame(text) => Outgoing::Frame(text),
            };
            me.send_or_kick(out.message(room));
        }
        if let Some(peer) = resumed.owed_back {
            self.send_to(rooms, room, peer, Notice::PeerBack);
        }
    }

    /// Forwards `text` verbatim to the other member of `room`, if any (kept
    /// for it if it is away); a frame sent while alone is dropped.
    pub fn relay(&self, me: &ConnectionHandle, room: &RoomId, text: Utf8Bytes) {
        let mut rooms = self.lock();
        if let Some(peer) = rooms.peer(room, me.id()) {
            self.metrics.frame_relayed();
            self.send_to(&mut rooms, room, peer, Outgoing::Frame(text));
        }
    }

    /// `me` leaves `room` on purpose (`bye`); the one who stays is told
    /// `peer-left`.
    pub fn leave(&self, me: &ConnectionHandle, room: &RoomId) {
        let mut rooms = self.lock();
        if let Some(Some(stayer)) = rooms.leave(room, me.id()) {
            self.send_to(&mut rooms, room, stayer, Notice::PeerLeft);
        }
    }

    /// `me`'s socket is gone: it is away if it may resume, else it leaves.
    pub fn disconnected(&self, me: &ConnectionHandle, room: &RoomId) {
        let mut rooms = self.lock();
        self.lose(&mut rooms, room, me.id());
    }

    /// Frees the slots of away members whose grace ended by `now`; the
    /// members who stay are told `peer-left`.
    pub fn expire_due(&self, now: Instant) {
        let mut rooms = self.lock();
        for expired in rooms.expire(now) {
            tracing::info!(dropped = expired.dropped, "an away member's grace expired");
            if let Some(stayer) = expired.stayer {
                self.send_to(&mut rooms, &expired.room, stayer, Notice::PeerLeft);
            }
        }
    }

    /// The grace timer: runs for the life of the relay, waking at the next
    /// deadline or when a member goes away.
    pub async fn expire_away_members(self: Arc<Self>) {
        loop {
            let next = self.lock().next_deadline();
            let deadline = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = deadline => {}
                // A permit stored since `next` was read wakes this at once.
                () = self.went_away.notified() => {}
            }
            self.expire_due(Instant::now());
        }
    }

    /// How many rooms of this process have someone in them (live or away);
    /// with a cluster, none: its rooms live in Redis.
    pub fn room_count(&self) -> usize {
        self.lock().len()
    }

    /// The relay's counters.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The metrics in the Prometheus text format. With a cluster the rooms
    /// are every node's, from Redis (left out if it does not answer).
    pub async fn render_metrics(&self) -> String {
        let rooms = match &self.cluster {
            Some(cluster) => cluster
                .room_count()
                .await
                .inspect_err(|error| tracing::warn!(%error, "rooms gauge: Redis did not answer"))
                .ok(),
            None => Some(self.room_count() as u64),
        };
        self.metrics.render(Gauges {
            connections: self.live_connections(),
            rooms,
        })
    }

    /// How many connections are live.
    pub fn live_connections(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// Queues `out` for member `to` of `room`, or keeps it if `to` is away.
    /// A live member whose queue is full is not reading: it loses its socket
    /// (and, if it may resume, keeps `out`).
    fn send_to(&self, rooms: &mut HubRooms, room: &RoomId, to: ConnId, out: impl Into<Outgoing>) {
        let out = out.into();
        let handle = match rooms.target(room, to) {
            None => return,
            Some(Target::Away(kept)) => return keep(kept, out, to),
            Some(Target::Live(handle)) => handle.clone(),
        };
        if handle.send_or_kick(out.message(room)) {
            return;
        }
        self.lose(rooms, room, to);
        if let Some(Target::Away(kept)) = rooms.target(room, to) {
            keep(kept, out, to);
        }
    }

    /// `conn` lost its socket; its peer is told what that means. Recursion
    /// through `send_to` ends: each call takes one live slot out of two.
    fn lose(&self, rooms: &mut HubRooms, room: &RoomId, conn: ConnId) {
        match rooms.lose(room, conn, Instant::now()) {
            Lost::Nothing => {}
            Lost::Left { stayer } => {
                if let Some(stayer) = stayer {
                    self.send_to(rooms, room, stayer, Notice::PeerLeft);
                }
            }
            Lost::Away { peer } => {
                tracing::info!(conn, "away: slot kept for the grace period");
                self.went_away.notify_one();
                if let Some(peer) = peer {
                    self.send_to(rooms, room, peer, Notice::PeerAway);
                }
            }
        }
    }

    /// What `created`, `joined` or `resumed` carry besides the room.
    pub fn grant(&self, session: Option<String>) -> Grant {
        let now = SystemTime::now();
        Grant {
            session,
            ice_servers: self.turn.iter().map(|turn| turn.ice_server(now)).collect(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HubRooms> {
        // The registry holds no invariant a panic could break halfway.
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl From<Notice> for Outgoing {
    fn from(notice: Notice) -> Self {
        Outgoing::Notice(notice)
    }
}

impl Outgoing {
    fn message(&self, room: &RoomId) -> Message {
        let room = room.to_string();
        let event = match self {
            Outgoing::Frame(text) => return Message::Text(text.clone()),
            Outgoing::Notice(Notice::PeerJoined) => RelayEvent::PeerJoined { room },
            Outgoing::Notice(Notice::PeerLeft) => RelayEvent::PeerLeft { room },
            Outgoing::Notice(Notice::PeerAway) => RelayEvent::PeerAway { room },
            Outgoing::Notice(Notice::PeerBack) => RelayEvent::PeerBack { room },
        };
        Message::Text(event.to_json().into())
    }
}

/// Keeps `out` for away member `conn`; the first frame that does not fit is
/// logged, the rest only counted.
fn keep(kept: &mut KeptFrames<Utf8Bytes>, out: Outgoing, conn: ConnId) {
    match out {
        Outgoing::Notice(notice) => kept.push_notice(notice),
        Outgoing::Frame(text) => {
            let bytes = text.len();
            if !kept.push_frame(text, bytes) && kept.dropped() == 1 {
                tracing::info!(
                    conn,
                    "frames kept for an away member are at their bound: dropping"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
