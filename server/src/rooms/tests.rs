use super::*;
use crate::kept::Notice;

const GRACE: Duration = Duration::from_secs(20);

fn rooms() -> Rooms<&'static str, &'static str> {
    Rooms::new(AwayRules {
        grace: GRACE,
        kept_frames: 2,
        kept_bytes: 100,
    })
}

fn room(name: &str) -> RoomId {
    RoomId::parse(name).expect("test room names are valid")
}

fn token(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn first_joiner_creates_second_joins_third_is_turned_away() {
    let mut rooms = rooms();
    let r = room("abc");
    assert_eq!(rooms.join(&r, 1, "one", None), JoinOutcome::Created);
    assert_eq!(
        rooms.join(&r, 2, "two", None),
        JoinOutcome::Joined {
            initiator: 1,
            away: false
        }
    );
    assert_eq!(rooms.join(&r, 3, "three", None), JoinOutcome::Full);
    assert_eq!(rooms.peer(&r, 1), Some(2));
    assert_eq!(rooms.peer(&r, 2), Some(1));
    assert_eq!(
        rooms.peer(&r, 3),
        None,
        "the refused third is nobody's peer"
    );
}

#[test]
fn the_one_who_stays_becomes_initiator_for_the_next_joiner() {
    let mut rooms = rooms();
    let r = room("abc");
    rooms.join(&r, 1, "one", None);
    rooms.join(&r, 2, "two", None);
    assert_eq!(rooms.leave(&r, 1), Some(Some(2)));
    assert_eq!(rooms.peer(&r, 2), None);
    assert_eq!(
        rooms.join(&r, 3, "three", None),
        JoinOutcome::Joined {
            initiator: 2,
            away: false
        }
    );
}

#[test]
fn leaving_twice_or_from_another_room_changes_nothing() {
    let mut rooms = rooms();
    let (a, b) = (room("a"), room("b"));
    rooms.join(&a, 1, "one", None);
    rooms.join(&b, 2, "two", None);
    assert_eq!(rooms.leave(&a, 2), None);
    assert_eq!(rooms.leave(&a, 1), Some(None));
    assert_eq!(rooms.leave(&a, 1), None);
    assert_eq!(rooms.len(), 1, "room b is untouched");
}

#[test]
fn an_emptied_room_is_forgotten() {
    let mut rooms = rooms();
    let r = room("abc");
    rooms.join(&r, 1, "one", None);
    rooms.join(&r, 2, "two", None);
    rooms.leave(&r, 2);
    rooms.leave(&r, 1);
    assert!(rooms.is_empty());
    assert_eq!(rooms.join(&r, 3, "three", None), JoinOutcome::Created);
}

#[test]
fn losing_the_socket_of_a_member_that_cannot_resume_frees_its_slot_at_once() {
    let mut rooms = rooms();
    let r = room("abc");
    rooms.join(&r, 1, "one", None);
    rooms.join(&r, 2, "two", token("t2"));
    assert_eq!(
        rooms.lose(&r, 1, Instant::now()),
        Lost::Left { stayer: Some(2) }
    );
    assert_eq!(rooms.next_deadline(), None, "nothing to expire");
    assert_eq!(rooms.lose(&r, 1, Instant::now()), Lost::Nothing);
}

#[test]
fn a_resumable_member_is_away_keeps_its_slot_and_what_is_sent_to_it() {
    let mut rooms = rooms();
    let r = room("abc");
    let now = Instant::now();
    rooms.join(&r, 1, "one", token("t1"));
    rooms.join(&r, 2, "two", None);
    assert_eq!(rooms.lose(&r, 1, now), Lost::Away { peer: Some(2) });
    assert_eq!(rooms.lose(&r, 1, now), Lost::Nothing, "already away");
    assert_eq!(rooms.next_deadline(), Some(now + GRACE));
    assert_eq!(rooms.join(&r, 3, "three", None), JoinOutcome::Full);
    // The away member sends nothing, but the live one reaches its kept frames.
    assert_eq!(rooms.peer(&r, 1), None);
    assert_eq!(rooms.peer(&r, 2), Some(1));
    match rooms.target(&r, 1) {
        Some(Target::Away(kept)) => assert!(kept.push_frame("ready", 7)),
        other => panic!("expected the away slot, got {other:?}"),
    }

    let resumed = rooms
        .resume(&r, "t1", 4, "four")
        .expect("the token is known");
    assert_eq!(
        resumed,
        Resumed {
            replaced: None,
            kept: vec![Kept::Frame("ready")],
            dropped: 0,
            owed_back: Some(2),
        }
    );
    // Same role, same room, the new connection in the slot.
    assert_eq!(rooms.peer(&r, 4), Some(2));
    assert_eq!(rooms.peer(&r, 2), Some(4));
    assert_eq!(rooms.leave(&r, 4), Some(Some(2)));
}

#[test]
fn resuming_a_slot_whose_socket_still_looks_alive_replaces_that_socket() {
    let mut rooms = rooms();
    let r = room("abc");
    rooms.join(&r, 1, "one", token("t1"));
    rooms.join(&r, 2, "two", None);
    let resumed = rooms
        .resume(&r, "t1", 3, "three")
        .expect("the token is known");
    assert_eq!(
        resumed,
        Resumed {
            replaced: Some("one"),
            kept: vec![],
            dropped: 0,
            // What the peer sent lately went to the dead socket: it is told.
            owed_back: Some(2),
        }
    );
    // The replaced connection no longer holds anything.
    assert_eq!(rooms.lose(&r, 1, Instant::now()), Lost::Nothing);
    assert_eq!(rooms.leave(&r, 1), None);
    assert_eq!(rooms.peer(&r, 2), Some(3));
    // The token stays valid for a later resume.
    assert!(rooms.resume(&r, "t1", 5, "five").is_some());
}

#[test]
fn a_token_is_only_known_in_its_own_room_and_only_while_its_slot_is_held() {
    let mut rooms = rooms();
    let (a, b) = (room("a"), room("b"));
    rooms.join(&a, 1, "one", token("t1"));
    rooms.join(&b, 2, "two", None);
    assert!(rooms.resume(&b, "t1", 3, "three").is_none());
    assert!(rooms.resume(&a, "t", 3, "three").is_none());
    assert!(rooms.resume(&a, "t1x", 3, "three").is_none());
    rooms.leave(&a, 1);
    assert!(rooms.resume(&a, "t1", 3, "three").is_none());
}

#[test]
fn the_grace_expiry_frees_the_slot_and_forgets_the_token() {
    let mut rooms = rooms();
    let r = room("abc");
    let now = Instant::now();
    rooms.join(&r, 1, "one", token("t1"));
    rooms.join(&r, 2, "two", None);
    rooms.lose(&r, 1, now);
    assert_eq!(rooms.expire(now + GRACE - Duration::from_millis(1)), vec![]);
    assert_eq!(
        rooms.expire(now + GRACE),
        vec![Expired {
            room: r.clone(),
            stayer: Some(2),
            dropped: 0
        }]
    );
    assert_eq!(rooms.next_deadline(), None);
    assert!(rooms.resume(&r, "t1", 3, "three").is_none());
    // The stayer is the initiator for the next joiner.
    assert_eq!(
        rooms.join(&r, 3, "three", None),
        JoinOutcome::Joined {
            initiator: 2,
            away: false
        }
    );
}

#[test]
fn a_resumed_slot_does_not_expire_on_its_old_deadline() {
    let mut rooms = rooms();
    let r = room("abc");
    let now = Instant::now();
    rooms.join(&r, 1, "one", token("t1"));
    rooms.lose(&r, 1, now);
    rooms.resume(&r, "t1", 2, "two");
    // Away again a second later, under the new connection's id.
    rooms.lose(&r, 2, now + Duration::from_secs(1));
    assert_eq!(rooms.expire(now + GRACE), vec![]);
    assert_eq!(rooms.len(), 1);
    let expired = rooms.expire(now + GRACE + Duration::from_secs(1));
    assert_eq!(expired.len(), 1);
    assert!(
        rooms.is_empty(),
        "a room whose only member expired is forgotten"
    );
    assert_eq!(rooms.next_deadline(), None, "no stale deadline is left");
}

#[test]
fn a_joiner_learns_the_initiator_is_away_and_the_initiator_keeps_peer_joined() {
    let mut rooms = rooms();
    let r = room("abc");
    rooms.join(&r, 1, "one", token("t1"));
    rooms.lose(&r, 1, Instant::now());
    assert_eq!(
        rooms.join(&r, 2, "two", None),
        JoinOutcome::Joined {
            initiator: 1,
            away: true
        }
    );
    if let Some(Target::Away(kept)) = rooms.target(&r, 1) {
        kept.push_notice(Notice::PeerJoined);
    }
    let resumed = rooms
        .resume(&r, "t1", 3, "three")
        .expect("the token is known");
    assert_eq!(resumed.kept, vec![Kept::Notice(Notice::PeerJoined)]);
    assert_eq!(resumed.owed_back, Some(2));
}

#[test]
fn when_the_peer_leaves_an_away_member_stays_and_becomes_initiator() {
    let mut rooms = rooms();
    let r = room("abc");
    rooms.join(&r, 1, "one", None);
    rooms.join(&r, 2, "two", token("t2"));
    rooms.lose(&r, 2, Instant::now());
    assert_eq!(rooms.leave(&r, 1), Some(Some(2)));
    let resumed = rooms
        .resume(&r, "t2", 3, "three")
        .expect("the slot is kept");
    assert_eq!(resumed.owed_back, None, "nobody to tell");
    assert_eq!(
        rooms.join(&r, 4, "four", None),
        JoinOutcome::Joined {
            initiator: 3,
            away: false
        }
    );
}

#[test]
fn tokens_are_compared_whole() {
    assert!(same_token("abcd", "abcd"));
    assert!(!same_token("abcd", "abce"));
    assert!(!same_token("abcd", "abc"));
    assert!(!same_token("", "a"));
}
