//! The rooms registry: who holds which slot of which room, who initiates,
//! and who is away (its socket is gone, its slot kept for a grace period
//! because it may resume). Plain logic, no I/O: the caller passes the time
//! and decides what to tell whom from the outcomes.

use std::cmp::Reverse;
use std::collections::hash_map::Entry;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use videochat_protocol::RoomId;

use crate::kept::{Kept, KeptFrames};

/// Identifies one WebSocket connection for the life of the process.
pub type ConnId = u64;

/// How long an away member keeps its slot, and what is kept for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwayRules {
    pub grace: Duration,
    pub kept_frames: usize,
    pub kept_bytes: usize,
}

/// What a join did.
#[derive(Debug, PartialEq, Eq)]
pub enum JoinOutcome {
    /// The room was empty: the joiner is its initiator.
    Created,
    /// The joiner is the second member; `initiator` holds the other slot
    /// (and may be away).
    Joined { initiator: ConnId, away: bool },
    /// Two were already there; nothing changed.
    Full,
}

/// A slot taken back with its session token.
#[derive(Debug, PartialEq, Eq)]
pub struct Resumed<M, F> {
    /// The connection that held the slot until now, when it still looked
    /// alive (a half-open socket): it must be closed.
    pub replaced: Option<M>,
    /// What was kept while the slot was away, oldest first.
    pub kept: Vec<Kept<F>>,
    /// Frames that did not fit in what was kept.
    pub dropped: usize,
    /// The other member, now owed `peer-back`.
    pub owed_back: Option<ConnId>,
}

/// What losing a connection's socket did.
#[derive(Debug, PartialEq, Eq)]
pub enum Lost {
    /// It held no live slot (never joined, already away, or replaced).
    Nothing,
    /// It had not asked to resume: its slot is free, `stayer` (now the
    /// initiator) is owed `peer-left`.
    Left { stayer: Option<ConnId> },
    /// Its slot is kept until the grace expires; `peer` is owed `peer-away`.
    Away { peer: Option<ConnId> },
}

/// An away member whose grace expired: its slot is free now.
#[derive(Debug, PartialEq, Eq)]
pub struct Expired {
    pub room: RoomId,
    /// The member who stays (now the initiator), owed `peer-left`.
    pub stayer: Option<ConnId>,
    /// Frames dropped for want of room while it was away.
    pub dropped: usize,
}

/// Where something for a member goes.
#[derive(Debug)]
pub enum Target<'a, M, F> {
    /// Its live connection.
    Live(&'a M),
    /// What is kept for it while away.
    Away(&'a mut KeptFrames<F>),
}

/// Rooms of at most two slots, each held by a connection id with a handle
/// `M` (for the relay, the way to reach that connection) or kept for an
/// away member, with frames `F` kept for it.
#[derive(Debug)]
pub struct Rooms<M, F> {
    rooms: HashMap<RoomId, Room<M, F>>,
    /// When away slots expire; entries of slots resumed since are stale and
    /// skipped (a slot is identified by the connection that went away).
    deadlines: BinaryHeap<Reverse<Due>>,
    rules: AwayRules,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Due {
    at: Instant,
    conn: ConnId,
    room: RoomId,
}

#[derive(Debug)]
struct Room<M, F> {
    /// The one who waited longest: it offers to whoever joins.
    initiator: Slot<M, F>,
    other: Option<Slot<M, F>>,
}

#[derive(Debug)]
struct Slot<M, F> {
    /// The connection holding the slot, or the last one if away.
    conn: ConnId,
    /// Present when the member asked to be able to resume.
    session: Option<String>,
    presence: Presence<M, F>,
}

#[derive(Debug)]
enum Presence<M, F> {
    Live(M),
    Away(KeptFrames<F>),
}

impl<M, F> Slot<M, F> {
    fn live(conn: ConnId, member: M, session: Option<String>) -> Self {
        Slot {
            conn,
            session,
            presence: Presence::Live(member),
        }
    }

    fn is_live(&self, conn: ConnId) -> bool {
        self.conn == conn && matches!(self.presence, Presence::Live(_))
    }

    fn is_away(&self) -> bool {
        matches!(self.presence, Presence::Away(_))
    }
}

impl<M, F> Room<M, F> {
    fn slots(&self) -> impl Iterator<Item = &Slot<M, F>> {
        std::iter::once(&self.initiator).chain(&self.other)
    }

    fn slot_mut(&mut self, conn: ConnId) -> Option<&mut Slot<M, F>> {
        std::iter::once(&mut self.initiator)
            .chain(&mut self.other)
            .find(|slot| slot.conn == conn)
    }

    /// The holder of the slot that is not `conn`'s.
    fn peer_of(&self, conn: ConnId) -> Option<&Slot<M, F>> {
        self.slots().find(|slot| slot.conn != conn)
    }

    /// Frees `conn`'s slot; the other member becomes the initiator. Returns
    /// the freed slot.
    fn remove(&mut self, conn: ConnId) -> Option<Slot<M, F>> {
        if self.initiator.conn == conn {
            let other = self.other.take()?;
            return Some(std::mem::replace(&mut self.initiator, other));
        }
        match &self.other {
            Some(other) if other.conn == conn => self.other.take(),
            _ => None,
        }
    }
}

impl<M, F> Rooms<M, F> {
    pub fn new(rules: AwayRules) -> Self {
        Rooms {
            rooms: HashMap::new(),
            deadlines: BinaryHeap::new(),
            rules,
        }
    }

    /// Puts `conn` into `room` unless two are already there; `session` is
    /// its token if it asked to be able to resume. The caller makes sure a
    /// connection is in at most one room.
    pub fn join(
        &mut self,
        room: &RoomId,
        conn: ConnId,
        member: M,
        session: Option<String>,
    ) -> JoinOutcome {
        match self.rooms.entry(room.clone()) {
            Entry::Vacant(vacant) => {
                vacant.insert(Room {
                    initiator: Slot::live(conn, member, session),
                    other: None,
                });
                JoinOutcome::Created
            }
            Entry::Occupied(occupied) => {
                let existing = occupied.into_mut();
                if existing.other.is_some() {
                    return JoinOutcome::Full;
                }
                existing.other = Some(Slot::live(conn, member, session));
                JoinOutcome::Joined {
                    initiator: existing.initiator.conn,
                    away: existing.initiator.is_away(),
                }
            }
        }
    }

    /// Gives the slot of `room` whose token is `session` to `conn`, live or
    /// away; `None` if no slot of that room has that token.
    pub fn resume(
        &mut self,
        room: &RoomId,
        session: &str,
        conn: ConnId,
        member: M,
    ) -> Option<Resumed<M, F>> {
        let found = self.rooms.get_mut(room)?;
        let peer = found.slots().find_map(|slot| {
            let holds = slot
                .session
                .as_deref()
                .is_some_and(|s| same_token(s, session));
            (!holds).then_some(slot.conn)
        });
        let slot = std::iter::once(&mut found.initiator)
            .chain(&mut found.other)
            .find(|slot| {
                slot.session
                    .as_deref()
                    .is_some_and(|s| same_token(s, session))
            })?;
        slot.conn = conn;
        Some(
            match std::mem::replace(&mut slot.presence, Presence::Live(member)) {
                // The peer was never told `peer-away`, but what it sent
                // lately went to a socket that was dead: it hears `peer-back`
                // all the same, and may send it again.
                Presence::Live(old) => Resumed {
                    replaced: Some(old),
                    kept: Vec::new(),
                    dropped: 0,
                    owed_back: peer,
                },
                Presence::Away(kept) => Resumed {
                    replaced: None,
                    dropped: kept.dropped(),
                    kept: kept.into_items(),
                    owed_back: peer,
                },
            },
        )
    }

    /// The other member of `room`, live or away, if `conn` holds a live slot
    /// there and is not alone.
    pub fn peer(&self, room: &RoomId, conn: ConnId) -> Option<ConnId> {
        let found = self.rooms.get(room)?;
        if !found.slots().any(|slot| slot.is_live(conn)) {
            return None;
        }
        found.peer_of(conn).map(|slot| slot.conn)
    }

    /// Where something for the holder of `conn`'s slot goes.
    pub fn target(&mut self, room: &RoomId, conn: ConnId) -> Option<Target<'_, M, F>> {
        let slot = self.rooms.get_mut(room)?.slot_mut(conn)?;
        Some(match &mut slot.presence {
            Presence::Live(member) => Target::Live(member),
            Presence::Away(kept) => Target::Away(kept),
        })
    }

    /// `conn` leaves `room` on purpose (`bye`). Returns `None` if it held no
    /// live slot there, else `Some(stayer)`: the member who stays (now the
    /// initiator), if any. An emptied room is forgotten.
    pub fn leave(&mut self, room: &RoomId, conn: ConnId) -> Option<Option<ConnId>> {
        let found = self.rooms.get(room)?;
        if !found.slots().any(|slot| slot.is_live(conn)) {
            return None;
        }
        Some(self.free(room, conn))
    }

    /// `conn`'s socket is gone at `now`. A member that asked to resume keeps
    /// its slot until `now` plus the grace; any other leaves.
    pub fn lose(&mut self, room: &RoomId, conn: ConnId, now: Instant) -> Lost {
        let Some(found) = self.rooms.get_mut(room) else {
            return Lost::Nothing;
        };
        let Some(slot) = found.slot_mut(conn).filter(|slot| slot.is_live(conn)) else {
            return Lost::Nothing;
        };
        if slot.session.is_none() {
            return Lost::Left {
                stayer: self.free(room, conn),
            };
        }
        slot.presence = Presence::Away(KeptFrames::new(
            self.rules.kept_frames,
            self.rules.kept_bytes,
        ));
        let peer = found.peer_of(conn).map(|slot| slot.conn);
        self.deadlines.push(Reverse(Due {
            at: now + self.rules.grace,
            conn,
            room: room.clone(),
        }));
        Lost::Away { peer }
    }

    /// Frees the slots whose grace ended by `now`.
    pub fn expire(&mut self, now: Instant) -> Vec<Expired> {
        let mut expired = Vec::new();
        while let Some(Reverse(due)) = self.deadlines.peek() {
            if due.at > now {
                break;
            }
            let Some(Reverse(Due { conn, room, .. })) = self.deadlines.pop() else {
                break;
            };
            let Some(found) = self.rooms.get_mut(&room) else {
                continue;
            };
            let dropped = match found.slot_mut(conn).map(|slot| &slot.presence) {
                Some(Presence::Away(kept)) => kept.dropped(),
                // Resumed (and perhaps away again under another id) or gone.
                _ => continue,
            };
            let stayer = self.free(&room, conn);
            expired.push(Expired {
                room,
                stayer,
                dropped,
            });
        }
        expired
    }

    /// When the next away slot expires, if any is away.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.peek().map(|Reverse(due)| due.at)
    }

    /// How many rooms have someone in them (live or away).
    pub fn len(&self) -> usize {
        self.rooms.len()
    }

    /// True when someone (live or away) is in `room`.
    pub fn contains(&self, room: &RoomId) -> bool {
        self.rooms.contains_key(room)
    }

    /// True when no room has anyone in it.
    pub fn is_empty(&self) -> bool {
        self.rooms.is_empty()
    }

    /// Frees `conn`'s slot of `room` (which it holds) and returns the member
    /// who stays; an emptied room is forgotten, and its tokens with it.
    fn free(&mut self, room: &RoomId, conn: ConnId) -> Option<ConnId> {
        let found = self.rooms.get_mut(room)?;
        if found.remove(conn).is_some() {
            return Some(found.initiator.conn);
        }
        if found.initiator.conn == conn {
            self.rooms.remove(room);
        }
        None
    }
}

/// Compares tokens in time independent of where they differ, so timing
/// does not reveal a token's prefix.
fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |differ, (x, y)| differ | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests;
