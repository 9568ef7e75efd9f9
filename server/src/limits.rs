//! Every limit the relay enforces, in one place.

use std::time::Duration;

use videochat_protocol::MAX_MESSAGE_BYTES;

use crate::per_address::AddressRules;

/// The relay's limits. The CLI sets the heartbeat, the connection caps (in
/// all and per address), the rate limits of frames and joins, the room cap,
/// the queued bytes and the resume grace; the rest are fixed by the protocol
/// or tuned for small idle connections. The heartbeat timeout also bounds a
/// stalled write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest text frame accepted (bigger: `too_large`, then close 1009).
    pub max_message_bytes: usize,
    /// Frames waiting to be written to one client; a client whose queue is
    /// full is not reading and is disconnected. It holds a whole rate-limit
    /// burst of the peer's (plus events), so a client that reads is never
    /// dropped because its peer's burst arrived before its task ran.
    pub queue_frames: usize,
    /// Bytes waiting to be written to one client (`--queue-bytes`); beyond
    /// it the client is not reading and is disconnected, as for a full
    /// queue. Four frames of the largest size, or hundreds of small ones.
    pub queue_bytes: usize,
    /// Token bucket: frames a client may send in a burst (a trickle of ICE
    /// candidates comes in bursts of a few dozen).
    pub rate_burst: u32,
    /// Token bucket: sustained frames per second.
    pub rate_per_second: u32,
    /// Token bucket of bytes: what a client may send in a burst (four frames
    /// of the largest size: a whole negotiation fits).
    pub rate_bytes_burst: u32,
    /// Token bucket of bytes: sustained bytes per second. Frames alone let a
    /// client relay 50 large frames a second (3 MB/s) to a peer that does not
    /// read; a call's signaling is a few kB, then a ping now and then.
    pub rate_bytes_per_second: u32,
    /// The refused frame (or join: `AddressRules::join_strikes`) that
    /// reaches this many `rate_limited` errors closes the connection (1008).
    pub rate_strikes: u32,
    /// How often the relay pings each client.
    pub heartbeat_interval: Duration,
    /// A client silent (no frame, no pong) for this long is dropped.
    pub heartbeat_timeout: Duration,
    /// Most simultaneous WebSocket connections; more get HTTP 503.
    pub max_connections: usize,
    /// Most simultaneous connections from one address (an IPv6 /64); more
    /// get HTTP 429. A home behind one NAT never has this many calls.
    pub max_connections_per_address: usize,
    /// New connections (from addresses not barred) the relay takes in a
    /// burst before pacing them (`accept.rs`).
    pub accept_burst: u32,
    /// New connections taken per second, sustained; 0: unpaced. Unpaced, a
    /// crowd arriving at once puts hundreds of upgrades in the runtime's
    /// queues ahead of the frames of calls in progress (`relay_attack`).
    pub accepts_per_second: u32,
    /// Token bucket of joins per address, shared by its connections: burst.
    pub join_burst: u32,
    /// Token bucket of joins per address: sustained joins per second.
    pub joins_per_second: u32,
    /// Connections of one address dropped for abuse within 10 s that bar
    /// it (`PerAddress::abused`); 0 never bars.
    pub bar_after_abuses: u32,
    /// Most rooms at once (live or away members); a join that would open
    /// one more gets `relay_busy`.
    pub max_rooms: usize,
    /// Read buffer per connection (and most bytes per read call).
    /// tungstenite's default is 128 KiB; signaling frames are a few hundred
    /// bytes and the buffer grows for a large SDP. 1 KiB instead of 4 KiB
    /// took the measured idle cost from 12.4 to 9.5 KiB per connection.
    pub read_buffer_bytes: usize,
    /// Most bytes tungstenite may hold unwritten per connection.
    pub max_write_buffer_bytes: usize,
    /// How long a closing connection still reads (and discards) what the
    /// client sent, so the close frame is not lost to a TCP reset.
    pub linger: Duration,
    /// How long a member that asked to resume keeps its slot after its
    /// socket is gone.
    pub resume_grace: Duration,
    /// Most frames kept for an away member (room events aside).
    pub kept_frames: usize,
    /// Most bytes of frames kept for an away member: one frame of the
    /// largest size, or many small ones.
    pub kept_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: MAX_MESSAGE_BYTES,
            queue_frames: 256,
            queue_bytes: 256 * 1024,
            rate_burst: 200,
            rate_per_second: 50,
            rate_bytes_burst: 4 * MAX_MESSAGE_BYTES as u32,
            rate_bytes_per_second: 32 * 1024,
            rate_strikes: 3,
            heartbeat_interval: Duration::from_secs(10),
            heartbeat_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            max_connections_per_address: 64,
            accept_burst: 50,
            accepts_per_second: 1000,
            join_burst: 40,
            joins_per_second: 20,
            bar_after_abuses: 3,
            max_rooms: 10_000,
            read_buffer_bytes: 1024,
            max_write_buffer_bytes: 4 * MAX_MESSAGE_BYTES,
            linger: Duration::from_secs(1),
            resume_grace: Duration::from_secs(20),
            kept_frames: 32,
            kept_bytes: MAX_MESSAGE_BYTES,
        }
    }
}

impl Limits {
    /// The limits each client address is held to.
    pub fn address_rules(&self) -> AddressRules {
        AddressRules {
            max_connections: self.max_connections_per_address,
            join_burst: self.join_burst,
            joins_per_second: self.joins_per_second,
            join_strikes: self.rate_strikes,
            bar_after_abuses: self.bar_after_abuses,
        }
    }
}
