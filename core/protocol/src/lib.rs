//! Wire types of the videochat signaling protocol (see `docs/protocol.md`).
//!
//! One WebSocket text frame carries one JSON value. A client first sends a
//! [`ClientFrame::Join`]; the relay answers with [`RelayEvent`]s and forwards
//! every other frame verbatim to the other member of the room. The frames the
//! peers exchange are those of the tutorial the protocol comes from
//! (`docs/protocol.md`; [`PeerMessage`]), so a browser can
//! talk to a phone without translation.
//!
//! This crate does no I/O and pulls in nothing heavy: the relay uses it too.

mod candidate;
mod grant;
mod media_state;
mod room;
mod sas;

pub use candidate::IceCandidate;
pub use grant::{Grant, IceServer, random_token};
pub use media_state::MediaState;
pub use room::{BadRoom, RoomId};
pub use sas::SasMessage;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Path of the relay's WebSocket endpoint.
pub const WS_PATH: &str = "/ws";

/// Largest text frame the relay accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

/// Why a frame could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    /// Not JSON at all.
    #[error("not valid JSON")]
    NotJson,
    /// A known message type with missing or mistyped fields.
    #[error("malformed {kind} message")]
    Malformed { kind: &'static str },
}

/// What a client's frame means to the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    /// `{"type":"join","room":R}`: enter a room (the room name is not yet
    /// validated). With `"resume":true` the client asks for a session token;
    /// with `"session":S` it takes back the slot that token names.
    Join {
        room: String,
        resume: bool,
        session: Option<String>,
    },
    /// `{"type":"bye"}`: relayed, then the sender leaves the room.
    Bye,
    /// Any other JSON value: relayed verbatim once joined.
    Relay,
}

impl ClientFrame {
    /// Classifies a client's text frame.
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let value: Value = serde_json::from_str(text).map_err(|_| ProtocolError::NotJson)?;
        Ok(match type_of(&value) {
            Some("join") => parse_join(&value).ok_or(ProtocolError::Malformed { kind: "join" })?,
            Some("bye") => ClientFrame::Bye,
            _ => ClientFrame::Relay,
        })
    }

    /// True for message types only the relay may send; a client sending one
    /// would spoof relay events to its peer, so the relay refuses to forward it.
    pub fn is_reserved_type(text: &str) -> bool {
        serde_json::from_str::<Value>(text)
            .ok()
            .as_ref()
            .and_then(type_of)
            .is_some_and(|t| RelayEvent::TYPES.contains(&t))
    }
}

/// `room` a string; `resume` a boolean and `session` a string when present.
fn parse_join(value: &Value) -> Option<ClientFrame> {
    let room = value.get("room")?.as_str()?.to_owned();
    let resume = match value.get("resume") {
        None => false,
        Some(flag) => flag.as_bool()?,
    };
    let session = match value.get("session") {
        None => None,
        Some(token) => Some(token.as_str()?.to_owned()),
    };
    Some(ClientFrame::Join {
        room,
        resume,
        session,
    })
}

/// Sent by a client to the relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ClientRequest {
    Join {
        room: String,
        /// Ask for a session token, to resume the slot after losing the socket.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resume: bool,
        /// Take back the slot of this token.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session: Option<String>,
    },
}

/// Sent by the relay to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum RelayEvent {
    /// You are alone in the room: you are the initiator and will offer.
    Created {
        room: String,
        #[serde(flatten)]
        grant: Grant,
    },
    /// A peer was waiting: you answer.
    Joined {
        room: String,
        #[serde(flatten)]
        grant: Grant,
    },
    /// Your session token was honoured: you have your slot back, with your
    /// role, and the frames kept for you follow.
    Resumed {
        room: String,
        #[serde(flatten)]
        grant: Grant,
    },
    /// (To the one waiting.) A second peer arrived.
    PeerJoined { room: String },
    /// The other peer left (bye, closed socket or lost heartbeat). You are the
    /// initiator for whoever joins next.
    PeerLeft { room: String },
    /// The other peer's socket is gone but it may resume: its slot is kept
    /// (and frames for it) for a grace period. Informational.
    PeerAway { room: String },
    /// The other peer resumed its slot after `peer-away`. Informational.
    PeerBack { room: String },
    /// Two are already in the room; you were not joined.
    Full { room: String },
    /// Your last frame was refused.
    Error { code: ErrorCode, message: String },
}

impl RelayEvent {
    /// The `type` values of relay events.
    pub const TYPES: [&'static str; 9] = [
        "created",
        "joined",
        "resumed",
        "peer-joined",
        "peer-left",
        "peer-away",
        "peer-back",
        "full",
        "error",
    ];

    /// The event as a JSON text frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("relay events always serialize")
    }
}

/// The relay's error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame was not JSON, not text, or a malformed `join`, or a reserved type.
    BadJson,
    /// The frame exceeded [`MAX_MESSAGE_BYTES`]; the relay closes with 1009.
    TooLarge,
    /// The room name is not 1-64 characters of `A-Z a-z 0-9 _ -`.
    BadRoom,
    /// A message to relay arrived before `join`.
    NotJoined,
    /// `join` while already in a room.
    AlreadyJoined,
    /// Too many frames; repeated offence closes the connection. Also a
    /// `join` refused because the client's address joins too often.
    RateLimited,
    /// A `join` that would open a room while the relay holds as many rooms
    /// as it may; try again later.
    RelayBusy,
}

/// A message between the two peers, relayed verbatim, in the tutorial's shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerMessage {
    /// The bare JSON string `"ready"`: my local media is live.
    Ready,
    /// `{"type":"offer","sdp":...}`
    Offer { sdp: String },
    /// `{"type":"answer","sdp":...}`
    Answer { sdp: String },
    /// `{"type":"candidate","label":..,"id":..,"candidate":..}`
    Candidate(IceCandidate),
    /// `{"type":"bye"}`: I hung up.
    Bye,
    /// `{"type":"call-id","id":...}`: the random id of my side of the call,
    /// so that after both rejoin a restarted relay we know we are still in
    /// the same call. Not the tutorial's; clients that do not know it ignore it.
    CallId { id: String },
    /// `sas-commit`, `sas-nonce` or `sas-reveal`: the exchange behind the
    /// security code (docs/protocol.md). Not the tutorial's either.
    Sas(SasMessage),
    /// `{"type":"media","audio":bool,"video":bool}`: my microphone and camera
    /// are on or off. Not the tutorial's; clients that do not know it ignore it.
    Media(MediaState),
}

/// The object-shaped peer messages, tagged by `type`.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
enum TaggedPeerMessage {
    Offer { sdp: String },
    Answer { sdp: String },
    Candidate(IceCandidate),
    Bye,
    CallId { id: String },
    SasCommit { c: String },
    SasNonce { n: String },
    SasReveal { n: String },
    Media(MediaState),
}

impl PeerMessage {
    /// The message as a JSON text frame.
    pub fn to_json(&self) -> String {
        let tagged = match self {
            PeerMessage::Ready => return "\"ready\"".to_owned(),
            PeerMessage::Offer { sdp } => TaggedPeerMessage::Offer { sdp: sdp.clone() },
            PeerMessage::Answer { sdp } => TaggedPeerMessage::Answer { sdp: sdp.clone() },
            PeerMessage::Candidate(c) => TaggedPeerMessage::Candidate(c.clone()),
            PeerMessage::Bye => TaggedPeerMessage::Bye,
            PeerMessage::CallId { id } => TaggedPeerMessage::CallId { id: id.clone() },
            PeerMessage::Sas(SasMessage::Commit { c }) => {
                TaggedPeerMessage::SasCommit { c: c.clone() }
            }
            PeerMessage::Sas(SasMessage::Nonce { n }) => {
                TaggedPeerMessage::SasNonce { n: n.clone() }
            }
            PeerMessage::Sas(SasMessage::Reveal { n }) => {
                TaggedPeerMessage::SasReveal { n: n.clone() }
            }
            PeerMessage::Media(state) => TaggedPeerMessage::Media(*state),
        };
        serde_json::to_string(&tagged).expect("peer messages always serialize")
    }

    /// A short name for logs (never the SDP or candidate itself).
    pub fn kind(&self) -> &'static str {
        match self {
            PeerMessage::Ready => "ready",
            PeerMessage::Offer { .. } => "offer",
            PeerMessage::Answer { .. } => "answer",
            PeerMessage::Candidate(_) => "candidate",
            PeerMessage::Bye => "bye",
            PeerMessage::CallId { .. } => "call-id",
            PeerMessage::Sas(sas) => sas.kind(),
            PeerMessage::Media(_) => "media",
        }
    }
}

/// Any frame a client can receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    Relay(RelayEvent),
    Peer(PeerMessage),
    /// Valid JSON of a type this version does not know: ignore it.
    Unknown,
}

impl Incoming {
    /// Parses a received text frame. Unknown types are not errors (room for
    /// extensions); known types with bad fields are.
    pub fn parse(text: &str) -> Result<Self, ProtocolError> {
        let value: Value = serde_json::from_str(text).map_err(|_| ProtocolError::NotJson)?;
        if value.as_str() == Some("ready") {
            return Ok(Incoming::Peer(PeerMessage::Ready));
        }
        let Some(kind) = type_of(&value) else {
            return Ok(Incoming::Unknown);
        };
        if let Some(&kind) = RelayEvent::TYPES.iter().find(|t| **t == kind) {
            return serde_json::from_value(value)
                .map(Incoming::Relay)
                .map_err(|_| ProtocolError::Malformed { kind });
        }
        let kind: &'static str = match kind {
            "offer" => "offer",
            "answer" => "answer",
            "candidate" => "candidate",
            "bye" => "bye",
            "call-id" => "call-id",
            "sas-commit" => "sas-commit",
            "sas-nonce" => "sas-nonce",
            "sas-reveal" => "sas-reveal",
            "media" => "media",
            _ => return Ok(Incoming::Unknown),
        };
        let tagged: TaggedPeerMessage =
            serde_json::from_value(value).map_err(|_| ProtocolError::Malformed { kind })?;
        Ok(Incoming::Peer(match tagged {
            TaggedPeerMessage::Offer { sdp } => PeerMessage::Offer { sdp },
            TaggedPeerMessage::Answer { sdp } => PeerMessage::Answer { sdp },
            TaggedPeerMessage::Candidate(c) => PeerMessage::Candidate(c),
            TaggedPeerMessage::Bye => PeerMessage::Bye,
            TaggedPeerMessage::CallId { id } => PeerMessage::CallId { id },
            TaggedPeerMessage::SasCommit { c } => PeerMessage::Sas(SasMessage::Commit { c }),
            TaggedPeerMessage::SasNonce { n } => PeerMessage::Sas(SasMessage::Nonce { n }),
            TaggedPeerMessage::SasReveal { n } => PeerMessage::Sas(SasMessage::Reveal { n }),
            TaggedPeerMessage::Media(state) => PeerMessage::Media(state),
        }))
    }
}

fn type_of(value: &Value) -> Option<&str> {
    value.get("type").and_then(Value::as_str)
}
