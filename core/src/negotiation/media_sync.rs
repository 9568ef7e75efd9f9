//! Keeping the peer told whether our microphone and camera are on, and
//! reporting what the peer tells us (the `media` message, docs/protocol.md).
//!
//! A peer that was told nothing assumes both on, so a call that never mutes
//! sends no `media` at all (the tutorial's clients see nothing new). What may
//! have been lost with a socket or a connection is told again.

use videochat_protocol::{MediaState, PeerMessage};

use super::output::Action;

#[derive(Debug, Default)]
pub(super) struct MediaSync {
    local: MediaState,
    /// What the peer last told us (both on until it says otherwise).
    remote: MediaState,
    /// What the current peer was last told; `None`: nothing, so it assumes both on.
    told: Option<MediaState>,
    /// Some peer of this call was told something: a peer we may have lost
    /// frames to (or the same one, met again) gets our state again.
    told_before: bool,
    /// Frames to the peer may have been lost: say it again.
    retell: bool,
}

impl MediaSync {
    /// The user muted, unmuted, or turned the camera off or on.
    pub(super) fn set_local(&mut self, state: MediaState) {
        self.local = state;
    }

    /// A new session in the room: whoever is there was told nothing yet.
    pub(super) fn new_peer(&mut self) {
        self.told = None;
    }

    /// The peer is gone for good (no connection of its is kept): nothing it
    /// said holds any more.
    pub(super) fn peer_gone(&mut self) -> Option<Action> {
        self.on_remote(MediaState::default())
    }

    /// The peer is reachable again or the call (re)connected: what we sent
    /// meanwhile may be lost, so it is sent again.
    pub(super) fn retell(&mut self) {
        self.retell = true;
    }

    /// The peer told us its state: reported when it changed.
    pub(super) fn on_remote(&mut self, state: MediaState) -> Option<Action> {
        if state == self.remote {
            return None;
        }
        self.remote = state;
        Some(Action::RemoteMediaChanged(state))
    }

    /// The message to send now, if the peer is reachable and does not know our state.
    pub(super) fn poll_send(&mut self, peer_reachable: bool) -> Option<Action> {
        if !peer_reachable {
            return None;
        }
        let believed = self.told.unwrap_or_default();
        let retell = std::mem::take(&mut self.retell)
            && (self.told_before || self.local != MediaState::default());
        if believed == self.local && !retell {
            return None;
        }
        self.told = Some(self.local);
        self.told_before = true;
        Some(Action::Send(PeerMessage::Media(self.local)))
    }
}
