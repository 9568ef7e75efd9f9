//! What the relay keeps for a member whose socket is gone but who may
//! resume: the frames relayed to it and the room events it missed, in order,
//! bounded. Plain logic, no I/O.

/// A room event the relay tells a member (`peer-joined`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    PeerJoined,
    PeerLeft,
    PeerAway,
    PeerBack,
}

/// One item kept for an away member: a room event or a relayed frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept<F> {
    Notice(Notice),
    Frame(F),
}

/// The items kept for one away member. Frames are bounded in number and
/// bytes; beyond either bound further frames are dropped (and counted).
/// Notices are not bounded by count, but they cannot pile up: `peer-left`
/// replaces everything kept (what the departed peer sent is moot once it has
/// gone) and `peer-back` cancels a kept `peer-away`, so at most `peer-left`,
/// `peer-joined`, `peer-back` and `peer-away` are kept at once.
#[derive(Debug)]
pub struct KeptFrames<F> {
    items: Vec<Kept<F>>,
    frames: usize,
    bytes: usize,
    dropped: usize,
    max_frames: usize,
    max_bytes: usize,
}

impl<F> KeptFrames<F> {
    /// An empty buffer keeping at most `max_frames` frames of `max_bytes` in total.
    pub fn new(max_frames: usize, max_bytes: usize) -> Self {
        KeptFrames {
            items: Vec::new(),
            frames: 0,
            bytes: 0,
            dropped: 0,
            max_frames,
            max_bytes,
        }
    }

    /// Keeps `frame` of `bytes` bytes if it fits; false if it was dropped.
    pub fn push_frame(&mut self, frame: F, bytes: usize) -> bool {
        if self.frames >= self.max_frames || self.bytes + bytes > self.max_bytes {
            self.dropped += 1;
            return false;
        }
        self.frames += 1;
        self.bytes += bytes;
        self.items.push(Kept::Frame(frame));
        true
    }

    /// Keeps a room event, collapsing what it makes moot.
    pub fn push_notice(&mut self, notice: Notice) {
        match notice {
            Notice::PeerLeft => {
                self.items.clear();
                self.frames = 0;
                self.bytes = 0;
            }
            Notice::PeerBack => {
                let away = self
                    .items
                    .iter()
                    .rposition(|item| matches!(item, Kept::Notice(Notice::PeerAway)));
                if let Some(index) = away {
                    self.items.remove(index);
                    return;
                }
            }
            Notice::PeerJoined | Notice::PeerAway => {}
        }
        self.items.push(Kept::Notice(notice));
    }

    /// How many frames were dropped for want of room.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Everything kept, oldest first.
    pub fn into_items(self) -> Vec<Kept<F>> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(kept: KeptFrames<&'static str>) -> Vec<Kept<&'static str>> {
        kept.into_items()
    }

    #[test]
    fn frames_beyond_the_count_are_dropped_and_counted() {
        let mut kept = KeptFrames::new(2, 1000);
        assert!(kept.push_frame("a", 1));
        assert!(kept.push_frame("b", 1));
        assert!(!kept.push_frame("c", 1));
        assert_eq!(kept.dropped(), 1);
        assert_eq!(frames(kept), [Kept::Frame("a"), Kept::Frame("b")]);
    }

    #[test]
    fn frames_beyond_the_bytes_are_dropped_but_a_smaller_one_still_fits() {
        let mut kept = KeptFrames::new(10, 100);
        assert!(kept.push_frame("big", 80));
        assert!(!kept.push_frame("too big", 21));
        assert!(kept.push_frame("small", 20));
        assert_eq!(kept.dropped(), 1);
        assert_eq!(frames(kept), [Kept::Frame("big"), Kept::Frame("small")]);
    }

    #[test]
    fn peer_left_replaces_everything_and_frees_the_room() {
        let mut kept = KeptFrames::new(1, 100);
        kept.push_notice(Notice::PeerAway);
        assert!(kept.push_frame("from the old peer", 10));
        kept.push_notice(Notice::PeerLeft);
        kept.push_notice(Notice::PeerJoined);
        assert!(kept.push_frame("from the new peer", 10));
        assert_eq!(
            frames(kept),
            [
                Kept::Notice(Notice::PeerLeft),
                Kept::Notice(Notice::PeerJoined),
                Kept::Frame("from the new peer"),
            ]
        );
    }

    #[test]
    fn peer_back_cancels_a_kept_peer_away_but_not_one_told_before() {
        let mut kept: KeptFrames<&str> = KeptFrames::new(4, 100);
        // Told peer-away while live, then went away: only the back is kept.
        kept.push_notice(Notice::PeerBack);
        for _ in 0..100 {
            kept.push_notice(Notice::PeerAway);
            kept.push_notice(Notice::PeerBack);
        }
        kept.push_notice(Notice::PeerAway);
        assert_eq!(
            frames(kept),
            [
                Kept::Notice(Notice::PeerBack),
                Kept::Notice(Notice::PeerAway)
            ]
        );
    }
}
