//! Waiting for the peer's reply to what we sent: the answer to our offer
//! (initiator), or an offer after our `ready` (answerer). A frame lost on
//! the way (a socket that died with it, a peer away) is sent again a bounded
//! number of times; after that the peer is unresponsive.

use std::time::{Duration, Instant};

#[derive(Debug)]
pub(super) struct ReplyWait {
    /// When we last sent what calls for the reply.
    since: Instant,
    /// Times it was sent again.
    resends: u32,
}

/// What to do when the wait is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReplyStep {
    Resend,
    GiveUp,
}

impl ReplyWait {
    pub(super) fn new(now: Instant) -> Self {
        ReplyWait {
            since: now,
            resends: 0,
        }
    }

    pub(super) fn deadline(&self, timeout: Duration) -> Instant {
        self.since + timeout
    }

    pub(super) fn on_deadline(&mut self, now: Instant, max_resends: u32) -> ReplyStep {
        if self.resends >= max_resends {
            return ReplyStep::GiveUp;
        }
        self.resends += 1;
        self.since = now;
        ReplyStep::Resend
    }
}
