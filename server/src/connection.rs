//! One client connection: reads frames and acts on them, writes its queue,
//! pings it, and watches for silence. Generic over the WebSocket's two halves
//! so it runs on any transport (plain TCP, TLS, or test channels).

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use videochat_protocol::ErrorCode;

use crate::frame::{Member, Then, on_text};
use crate::hub::{ConnectionHandle, Hub, Kick, Outbox};
use crate::limits::Limits;
use crate::metrics::DropReason;
use crate::rate_limit::{RateLimiter, Verdict};

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The client closed the WebSocket or the TCP connection.
    Closed,
    /// The client sent a frame over the size limit (closed with 1009).
    TooLarge,
    /// The client kept flooding (closed with 1008).
    RateLimited,
    /// No frame nor pong within the heartbeat timeout.
    HeartbeatLost,
    /// The client's outgoing queue overflowed: it does not read.
    Kicked,
    /// A write to the socket made no progress for the heartbeat timeout:
    /// the client stopped reading (even if it still sends).
    WriteStalled,
    /// Another connection resumed this one's slot with its session token
    /// (closed with 4000).
    Replaced,
    /// A text frame was not UTF-8: told `bad_json`, closed with 1007.
    /// tokio-tungstenite ends its stream after any read error, so the
    /// connection cannot be kept as it is for other malformed frames.
    NotUtf8,
    /// The transport failed or the client broke the WebSocket protocol.
    Broken,
}

impl End {
    /// True when the client broke a limit no app of ours breaks: a frame
    /// too large, a flood, bad UTF-8 (`PerAddress::abused`).
    pub fn is_abuse(self) -> bool {
        matches!(self, End::TooLarge | End::RateLimited | End::NotUtf8)
    }

    /// True when the client may still be sending (it was cut off mid-abuse),
    /// so the caller should linger and read before closing the socket (else
    /// the kernel answers unread data with a reset that can destroy the
    /// close frame).
    pub fn wants_linger(self) -> bool {
        self.is_abuse()
    }

    /// Why the relay dropped the connection; `None` when the client closed.
    pub fn drop_reason(self) -> Option<DropReason> {
        Some(match self {
            End::Closed => return None,
            End::TooLarge => DropReason::TooLarge,
            End::RateLimited => DropReason::RateLimited,
            End::HeartbeatLost => DropReason::HeartbeatLost,
            End::Kicked => DropReason::NotReading,
            End::WriteStalled => DropReason::WriteStalled,
            End::Replaced => DropReason::Replaced,
            End::NotUtf8 => DropReason::NotUtf8,
            End::Broken => DropReason::Broken,
        })
    }
}

/// The close code for a connection whose slot another one resumed.
pub const REPLACED: u16 = 4000;

/// What a connection remembers between frames.
struct Session {
    member: Member,
    /// Frames a client sends, and their bytes: both are limited.
    limiter: RateLimiter,
    bytes: RateLimiter,
}

/// Serves one client until the connection ends, then takes it out of its
/// room (its peer is told `peer-left`, or `peer-away` if it may resume) and
/// says goodbye when there is a reason to give.
pub async fn serve<Tx, Rx>(
    sink: &mut Tx,
    stream: &mut Rx,
    hub: &Hub,
    limits: &Limits,
    ip: IpAddr,
) -> End
where
    Tx: Sink<Message, Error = WsError> + Unpin,
    Rx: Stream<Item = Result<Message, WsError>> + Unpin,
{
    let (me, mut queue) = hub.connect(limits.queue_frames, limits.queue_bytes);
    let started = Instant::now();
    let last_seen_ms = AtomicU64::new(0);
    let mut session = Session {
        member: Member::new(ip),
        limiter: RateLimiter::new(
            limits.rate_burst,
            limits.rate_per_second,
            limits.rate_strikes,
            started.into_std(),
        ),
        bytes: RateLimiter::new(
            limits.rate_bytes_burst,
            limits.rate_bytes_per_second,
            limits.rate_strikes,
            started.into_std(),
        ),
    };
    // With --redis, what other nodes publish for this connection finds it.
    let _registered = hub.cluster().map(|cluster| cluster.register(&me));
    tracing::info!(conn = me.id(), "connection opened");

    let end = tokio::select! {
        end = read_loop(stream, hub, &me, &mut session, &last_seen_ms, started) => end,
        end = write_loop(sink, &mut queue, limits.heartbeat_interval, limits.heartbeat_timeout) => end,
        () = watchdog(&last_seen_ms, started, limits.heartbeat_timeout) => End::HeartbeatLost,
        kick = me.kicked() => match kick {
            Kick::NotReading => End::Kicked,
            Kick::Replaced => End::Replaced,
        },
    };
    if let Some(room) = session.member.leave() {
        match hub.cluster() {
            Some(cluster) => cluster.disconnected(&me, &room).await,
            None => hub.disconnected(&me, &room),
        }
    }
    tracing::info!(conn = me.id(), reason = ?end, "connection ended");
    if let Some(reason) = end.drop_reason() {
        hub.metrics().dropped(reason);
    }

    let farewell = match end {
        End::TooLarge => Some((
            Some(ErrorCode::TooLarge),
            CloseCode::Size,
            "frame too large",
        )),
        End::RateLimited => Some((
            Some(ErrorCode::RateLimited),
            CloseCode::Policy,
            "sending too much",
        )),
        End::NotUtf8 => Some((
            Some(ErrorCode::BadJson),
            CloseCode::Invalid,
            "text frame is not UTF-8",
        )),
        // Tells a client still reading that it must not resume: the slot
        // is held by its newer connection.
        End::Replaced => Some((None, CloseCode::from(REPLACED), "resumed elsewhere")),
        _ => None,
    };
    let goodbye = async {
        if let Some((code, close, reason)) = farewell {
            if let Some(code) = code {
                hub.metrics().error_sent(code);
                let error = error_frame(code, reason);
                sink.feed(Message::Text(error.into())).await?;
            }
            let frame = CloseFrame {
                code: close,
                reason: reason.into(),
            };
            sink.send(Message::Close(Some(frame))).await?;
        }
        if end == End::Closed {
            // Completes the close handshake the client started.
            sink.close().await?;
        }
        Ok::<(), WsError>(())
    };
    // A client that does not read must not hold the task.
    let _ = tokio::time::timeout(limits.linger, goodbye).await;
    end
}

async fn read_loop<Rx>(
    stream: &mut Rx,
    hub: &Hub,
    me: &ConnectionHandle,
    session: &mut Session,
    last_seen_ms: &AtomicU64,
    started: Instant,
) -> End
where
    Rx: Stream<Item = Result<Message, WsError>> + Unpin,
{
    loop {
        let Some(item) = stream.next().await else {
            return End::Closed;
        };
        let now = Instant::now();
        last_seen_ms.store(millis_since(started, now), Ordering::Relaxed);
        let message = match item {
            Ok(message) => message,
            Err(WsError::Capacity(_)) => return End::TooLarge,
            Err(WsError::Utf8(_)) => return End::NotUtf8,
            Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => return End::Closed,
            Err(error) => {
                tracing::debug!(conn = me.id(), %error, "read failed");
                return End::Broken;
            }
        };
        if matches!(
            message,
            Message::Text(_) | Message::Binary(_) | Message::Ping(_)
        ) {
            let now = now.into_std();
            let size = u32::try_from(message.len()).unwrap_or(u32::MAX);
            match session
                .limiter
                .check(now)
                .max(session.bytes.take(now, size))
            {
                Verdict::Allow => {}
                Verdict::Refuse => {
                    me.send_error(ErrorCode::RateLimited, "sending too much; slow down");
                    continue;
                }
                Verdict::Disconnect => return End::RateLimited,
            }
        }
        match message {
            Message::Text(text) => {
                if on_text(hub, me, &mut session.member, text).await == Then::DropFlooding {
                    return End::RateLimited;
                }
            }
            Message::Binary(_) => {
                me.send_error(ErrorCode::BadJson, "binary frames are not accepted")
            }
            // tungstenite answers pings and close frames itself.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_) => {}
        }
    }
}

/// Why a write did not complete.
enum WriteFailed {
    /// No progress within the stall timeout.
    Stalled,
    /// The transport failed.
    Broken,
}

/// Writes queued frames (flushing once per batch) and pings every
/// `interval`. Each step (one frame, a flush, a ping) must complete within
/// `stall`: the watchdog only hears what the client sends, and a client that
/// sends but never reads would otherwise hold its task and buffers forever.
/// The byte bound of the queue does not cover this: a peer sending little
/// never fills it.
async fn write_loop<Tx>(
    sink: &mut Tx,
    queue: &mut Outbox,
    interval: Duration,
    stall: Duration,
) -> End
where
    Tx: Sink<Message, Error = WsError> + Unpin,
{
    let mut ping = tokio::time::interval_at(Instant::now() + interval, interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let written = tokio::select! {
            biased;
            message = queue.recv() => match message {
                Some(message) => write_batch(sink, queue, message, stall).await,
                // Unreachable while `serve` holds the sending side.
                None => return End::Closed,
            },
            _ = ping.tick() => within(stall, sink.send(Message::Ping(Default::default()))).await,
        };
        match written {
            Ok(()) => {}
            Err(WriteFailed::Stalled) => return End::WriteStalled,
            Err(WriteFailed::Broken) => return End::Broken,
        }
    }
}

async fn write_batch<Tx>(
    sink: &mut Tx,
    queue: &mut Outbox,
    first: Message,
    stall: Duration,
) -> Result<(), WriteFailed>
where
    Tx: Sink<Message, Error = WsError> + Unpin,
{
    let mut next = Some(first);
    while let Some(message) = next {
        // Counted out before it is handed over: `feed` consumes it.
        queue.written(&message);
        within(stall, sink.feed(message)).await?;
        next = queue.try_recv().ok();
    }
    within(stall, sink.flush()).await
}

/// Runs one write step, failing it if it takes longer than `stall`.
async fn within(
    stall: Duration,
    step: impl Future<Output = Result<(), WsError>>,
) -> Result<(), WriteFailed> {
    match tokio::time::timeout(stall, step).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(WriteFailed::Broken),
        Err(_elapsed) => Err(WriteFailed::Stalled),
    }
}

/// Resolves once nothing has been heard for `timeout`.
async fn watchdog(last_seen_ms: &AtomicU64, started: Instant, timeout: Duration) {
    loop {
        let last_seen = started + Duration::from_millis(last_seen_ms.load(Ordering::Relaxed));
        let deadline = last_seen + timeout;
        if Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep_until(deadline).await;
    }
}

fn millis_since(started: Instant, now: Instant) -> u64 {
    u64::try_from(now.duration_since(started).as_millis()).unwrap_or(u64::MAX)
}

fn error_frame(code: ErrorCode, message: &str) -> String {
    videochat_protocol::RelayEvent::Error {
        code,
        message: message.to_owned(),
    }
    .to_json()
}
