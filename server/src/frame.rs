//! What the relay does with one text frame from a client: join, bye,
//! relay, or an error. No socket here, so tests and the fuzz targets
//! (`fuzz/`) drive it with a [`Hub`] and queues alone.

use std::net::IpAddr;

use tokio_tungstenite::tungstenite::Utf8Bytes;
use videochat_protocol::{ClientFrame, ErrorCode, RoomId};

use crate::hub::{ConnectionHandle, Hub, JoinAs, Joined};

/// What the relay remembers of one client between its frames.
#[derive(Debug)]
pub struct Member {
    /// The client's address, which joins are counted against.
    ip: IpAddr,
    room: Option<RoomId>,
}

impl Member {
    /// A client from `ip`, in no room yet.
    pub fn new(ip: IpAddr) -> Member {
        Member { ip, room: None }
    }

    /// The room this client is in.
    pub fn room(&self) -> Option<&RoomId> {
        self.room.as_ref()
    }

    /// Forgets the room (the connection ended); the caller tells the hub.
    pub fn leave(&mut self) -> Option<RoomId> {
        self.room.take()
    }
}

/// What the connection does after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Reads the next.
    Continue,
    /// Ends as a flood (`rate_limited`): its address kept joining after
    /// its joins were refused.
    DropFlooding,
}

/// Acts on one text frame; never logs its content (SDP, candidates). Only
/// with `--redis` does it wait (for Redis).
pub async fn on_text(
    hub: &Hub,
    me: &ConnectionHandle,
    member: &mut Member,
    text: Utf8Bytes,
) -> Then {
    let frame = match ClientFrame::parse(&text) {
        Ok(frame) => frame,
        Err(error) => {
            me.send_error(ErrorCode::BadJson, &error.to_string());
            return Then::Continue;
        }
    };
    match frame {
        ClientFrame::Join {
            room,
            resume,
            session: token,
        } => {
            let how = match token {
                Some(token) => JoinAs::Resume(token),
                None if resume => JoinAs::Resumable,
                None => JoinAs::Fresh,
            };
            return join(hub, me, member, &room, how).await;
        }
        ClientFrame::Bye => match member.room.take() {
            Some(room) => {
                match hub.cluster() {
                    Some(cluster) => {
                        cluster.relay(hub, me, &room, &text).await;
                        cluster.leave(me, &room).await;
                    }
                    None => {
                        hub.relay(me, &room, text);
                        hub.leave(me, &room);
                    }
                }
                tracing::info!(conn = me.id(), "bye");
            }
            None => me.send_error(ErrorCode::NotJoined, "join a room first"),
        },
        ClientFrame::Relay if ClientFrame::is_reserved_type(&text) => {
            // Relaying it would let a client forge relay events to its peer.
            me.send_error(ErrorCode::BadJson, "this type is reserved for the relay")
        }
        ClientFrame::Relay => match (&member.room, hub.cluster()) {
            (Some(room), Some(cluster)) => cluster.relay(hub, me, room, &text).await,
            (Some(room), None) => hub.relay(me, room, text),
            (None, _) => me.send_error(ErrorCode::NotJoined, "join a room first"),
        },
    }
    Then::Continue
}

async fn join(
    hub: &Hub,
    me: &ConnectionHandle,
    member: &mut Member,
    room: &str,
    how: JoinAs,
) -> Then {
    if member.room.is_some() {
        me.send_error(
            ErrorCode::AlreadyJoined,
            "already in a room; send bye first",
        );
        return Then::Continue;
    }
    let Ok(room) = RoomId::parse(room) else {
        me.send_error(
            ErrorCode::BadRoom,
            "a room name is 1 to 64 characters of A-Z a-z 0-9 _ -",
        );
        return Then::Continue;
    };
    let joined = match hub.cluster() {
        Some(cluster) => cluster.join(hub, me, member.ip, &room, how).await,
        None => hub.join(me, member.ip, &room, how),
    };
    tracing::info!(conn = me.id(), outcome = ?joined, "join");
    tracing::debug!(conn = me.id(), %room, "join room");
    match joined {
        Joined::Created | Joined::Joined | Joined::Resumed => member.room = Some(room),
        Joined::Full | Joined::Refused => {}
        Joined::Flooding => return Then::DropFlooding,
    }
    Then::Continue
}
