//! The rooms registry: who is in which room, and who initiates. Plain logic,
//! no I/O: the caller decides what to tell whom from the outcomes.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use videochat_protocol::RoomId;

/// Identifies one WebSocket connection for the life of the process.
pub type ConnId = u64;

/// What a join did.
#[derive(Debug, PartialEq, Eq)]
pub enum JoinOutcome<'a, M> {
    /// The room was empty: the joiner is its initiator.
    Created,
    /// The joiner is the second member; `initiator` was waiting.
    Joined { initiator: &'a M },
    /// Two were already there; nothing changed.
    Full,
}

/// Rooms of at most two members, each member a connection id and a handle `M`
/// (for the relay, the way to reach that connection).
#[derive(Debug)]
pub struct Rooms<M> {
    rooms: HashMap<RoomId, Room<M>>,
}

#[derive(Debug)]
struct Room<M> {
    /// The one who waited longest: it offers to whoever joins.
    initiator: (ConnId, M),
    other: Option<(ConnId, M)>,
}

impl<M> Default for Rooms<M> {
    fn default() -> Self {
        Rooms {
            rooms: HashMap::new(),
        }
    }
}

impl<M> Rooms<M> {
    /// Puts `id` into `room` unless two are already there. The caller makes
    /// sure a connection is in at most one room.
    pub fn join(&mut self, room: &RoomId, id: ConnId, member: M) -> JoinOutcome<'_, M> {
        match self.rooms.entry(room.clone()) {
            Entry::Vacant(vacant) => {
                vacant.insert(Room {
                    initiator: (id, member),
                    other: None,
                });
                JoinOutcome::Created
            }
            Entry::Occupied(occupied) => {
                let existing = occupied.into_mut();
                if existing.other.is_some() {
                    return JoinOutcome::Full;
                }
                existing.other = Some((id, member));
                JoinOutcome::Joined {
                    initiator: &existing.initiator.1,
                }
            }
        }
    }

    /// The other member of `room`, if `id` is a member and not alone.
    pub fn peer(&self, room: &RoomId, id: ConnId) -> Option<&M> {
        let found = self.rooms.get(room)?;
        match &found.other {
            Some((other, member)) if found.initiator.0 == id && *other != id => Some(member),
            Some((other, _)) if *other == id => Some(&found.initiator.1),
            _ => None,
        }
    }

    /// Takes `id` out of `room`. Returns `None` if it was not a member, else
    /// `Some(remaining)`: the member who stays (now the initiator), if any.
    /// An emptied room is forgotten.
    pub fn leave(&mut self, room: &RoomId, id: ConnId) -> Option<Option<&M>> {
        let found = self.rooms.get_mut(room)?;
        if found.initiator.0 == id {
            match found.other.take() {
                Some(other) => found.initiator = other,
                None => {
                    self.rooms.remove(room);
                    return Some(None);
                }
            }
        } else if found.other.as_ref().is_some_and(|(other, _)| *other == id) {
            found.other = None;
        } else {
            return None;
        }
        let found = self.rooms.get(room)?;
        Some(Some(&found.initiator.1))
    }

    /// How many rooms have someone in them.
    pub fn len(&self) -> usize {
        self.rooms.len()
    }

    /// True when no room has anyone in it.
    pub fn is_empty(&self) -> bool {
        self.rooms.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> RoomId {
        RoomId::parse(name).expect("test room names are valid")
    }

    #[test]
    fn first_joiner_creates_second_joins_third_is_turned_away() {
        let mut rooms = Rooms::default();
        let r = room("abc");
        assert_eq!(rooms.join(&r, 1, "one"), JoinOutcome::Created);
        assert_eq!(
            rooms.join(&r, 2, "two"),
            JoinOutcome::Joined { initiator: &"one" }
        );
        assert_eq!(rooms.join(&r, 3, "three"), JoinOutcome::Full);
        assert_eq!(rooms.peer(&r, 1), Some(&"two"));
        assert_eq!(rooms.peer(&r, 2), Some(&"one"));
        assert_eq!(
            rooms.peer(&r, 3),
            None,
            "the refused third is nobody's peer"
        );
    }

    #[test]
    fn the_one_who_stays_becomes_initiator_for_the_next_joiner() {
        let mut rooms = Rooms::default();
        let r = room("abc");
        rooms.join(&r, 1, "one");
        rooms.join(&r, 2, "two");
        assert_eq!(rooms.leave(&r, 1), Some(Some(&"two")));
        assert_eq!(rooms.peer(&r, 2), None);
        assert_eq!(
            rooms.join(&r, 3, "three"),
            JoinOutcome::Joined { initiator: &"two" }
        );
    }

    #[test]
    fn leaving_twice_or_from_another_room_changes_nothing() {
        let mut rooms = Rooms::default();
        let (a, b) = (room("a"), room("b"));
        rooms.join(&a, 1, ());
        rooms.join(&b, 2, ());
        assert_eq!(rooms.leave(&a, 2), None);
        assert_eq!(rooms.leave(&a, 1), Some(None));
        assert_eq!(rooms.leave(&a, 1), None);
        assert_eq!(rooms.len(), 1, "room b is untouched");
    }

    #[test]
    fn an_emptied_room_is_forgotten() {
        let mut rooms = Rooms::default();
        let r = room("abc");
        rooms.join(&r, 1, ());
        rooms.join(&r, 2, ());
        rooms.leave(&r, 2);
        rooms.leave(&r, 1);
        assert!(rooms.is_empty());
        assert_eq!(rooms.join(&r, 3, ()), JoinOutcome::Created);
    }
}
