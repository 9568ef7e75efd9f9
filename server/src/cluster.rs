//! Rooms shared by several relay nodes through Redis (`--redis URL`).
//!
//! Membership, roles, resume slots and what is kept for away members live
//! in Redis and change only inside one Lua script ([`cluster/rooms.lua`]),
//! which Redis runs one call at a time: two nodes never both answer
//! `created`. Whatever a member must hear is published by the script on
//! its node's channel, so a frame from a member on node 1 reaches its peer
//! on node 2 in the order the script decided, and events reach a member in
//! the same stream as frames. Each node refreshes a key that expires after
//! [`NODE_TTL`]; every node sweeps periodically (grace expiries and nodes
//! whose key expired: their members are lost, as if their sockets closed,
//! so their peers hear `peer-left`, or `peer-away` when the member may
//! resume on another node with its session token).
//!
//! ```text
//! client A ─ws─▶ node 1 ─EVALSHA relay─▶ Redis ─PUBLISH vc:node:2─▶ node 2 ─ws─▶ client B
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use redis::aio::MultiplexedConnection;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use videochat_protocol::{ErrorCode, RelayEvent, RoomId, random_token};

use crate::hub::{ConnectionHandle, Hub, JoinAs, Joined};
use crate::limits::Limits;
use crate::redis_target::RedisTarget;
use crate::rooms::ConnId;

/// A node that has not refreshed its key for this long is taken for dead.
pub const NODE_TTL: Duration = Duration::from_secs(3);

/// How often a node refreshes its key.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// How often a node sweeps expired graces and dead nodes.
const SWEEP: Duration = Duration::from_millis(250);

/// Why the relay could not join the cluster.
#[derive(Debug, thiserror::Error)]
#[error("cannot use Redis at {redis}: {source}")]
pub struct ClusterError {
    /// Shown without its password.
    redis: String,
    source: redis::RedisError,
}

/// This node's view of the shared rooms.
pub struct Cluster {
    /// A random name; members are `<node>.<connection id>`.
    node: String,
    redis: MultiplexedConnection,
    script: redis::Script,
    /// The connections of this node, by id, for what the script publishes.
    local: Mutex<HashMap<ConnId, ConnectionHandle>>,
    grace_ms: u64,
    /// Most rooms on all nodes together.
    max_rooms: usize,
    kept_frames: usize,
    kept_bytes: usize,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").field("node", &self.node).finish()
    }
}

/// Keeps a connection reachable by what the script publishes; dropping it
/// forgets the connection.
pub struct Registration<'a> {
    cluster: &'a Cluster,
    id: ConnId,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.cluster.local().remove(&self.id);
    }
}

impl Cluster {
    /// Connects to `redis`, subscribes to this node's channel, announces
    /// the node and starts its heartbeat and sweeps.
    pub async fn connect(
        redis: &RedisTarget,
        limits: &Limits,
    ) -> Result<Arc<Cluster>, ClusterError> {
        let fail = |source| ClusterError {
            redis: redis.to_string(),
            source,
        };
        let client = redis.client().map_err(fail)?;
        let redis = client
            .get_multiplexed_async_connection()
            .await
            .map_err(fail)?;
        let node = random_token()[..16].to_owned();
        let mut pubsub = client.get_async_pubsub().await.map_err(fail)?;
        pubsub
            .subscribe(format!("vc:node:{node}"))
            .await
            .map_err(fail)?;
        let cluster = Arc::new(Cluster {
            node,
            redis,
            script: redis::Script::new(include_str!("cluster/rooms.lua")),
            local: Mutex::default(),
            grace_ms: limits.resume_grace.as_millis() as u64,
            max_rooms: limits.max_rooms,
            kept_frames: limits.kept_frames,
            kept_bytes: limits.kept_bytes,
        });
        cluster.heartbeat().await.map_err(fail)?;
        tokio::spawn(cluster.clone().deliver(pubsub.into_on_message()));
        tokio::spawn(cluster.clone().keep_alive());
        tracing::info!(node = cluster.node, "joined the relay cluster");
        Ok(cluster)
    }

    /// Makes `me` reachable until the returned registration is dropped.
    pub fn register(&self, me: &ConnectionHandle) -> Registration<'_> {
        self.local().insert(me.id(), me.clone());
        Registration {
            cluster: self,
            id: me.id(),
        }
    }

    /// Puts `me` into `room` (or back into its slot): as [`Hub::join`].
    pub async fn join(
        &self,
        hub: &Hub,
        me: &ConnectionHandle,
        ip: std::net::IpAddr,
        room: &RoomId,
        how: JoinAs,
    ) -> Joined {
        if let Some(refused) = hub.refuse_join(me, ip) {
            return refused;
        }
        let name = room.to_string();
        let conn = self.member(me.id());
        let session = match how {
            JoinAs::Fresh => None,
            JoinAs::Resumable => Some(random_token()),
            JoinAs::Resume(token) => {
                let resumed = RelayEvent::Resumed {
                    room: name.clone(),
                    grant: hub.grant(Some(token.clone())),
                }
                .to_json();
                let args = [name.as_str(), &conn, &token, &resumed];
                match self.call::<String>("resume", &args, true).await {
                    Ok(outcome) if outcome == "resumed" => return Joined::Resumed,
                    // Expired, another room's, or unknown: a fresh
                    // resumable join under a new token.
                    Ok(_) => Some(random_token()),
                    Err(error) => return unavailable(me, error),
                }
            }
        };
        let grant = hub.grant(session.clone());
        let created = RelayEvent::Created {
            room: name.clone(),
            grant: grant.clone(),
        }
        .to_json();
        let joined = RelayEvent::Joined {
            room: name.clone(),
            grant,
        }
        .to_json();
        let full = RelayEvent::Full { room: name.clone() }.to_json();
        let session = session.unwrap_or_default();
        let max_rooms = self.max_rooms.to_string();
        let args = [
            name.as_str(),
            &conn,
            &session,
            &created,
            &joined,
            &full,
            &max_rooms,
        ];
        match self.call::<String>("join", &args, true).await {
            Ok(outcome) => match outcome.as_str() {
                "created" => Joined::Created,
                "joined" => Joined::Joined,
                "busy" => {
                    me.send_error(
                        ErrorCode::RelayBusy,
                        "the relays hold as many rooms as they may; try again later",
                    );
                    Joined::Refused
                }
                _ => Joined::Full,
            },
            Err(error) => unavailable(me, error),
        }
    }

    /// Forwards `text` to the other member of `room`, wherever it is.
    pub async fn relay(&self, hub: &Hub, me: &ConnectionHandle, room: &RoomId, text: &Utf8Bytes) {
        let args = [room.as_str(), &self.member(me.id()), text.as_str()];
        match self.call::<u8>("relay", &args, true).await {
            Ok(1) => hub.metrics().frame_relayed(),
            Ok(_) => {}
            Err(error) => tracing::warn!(conn = me.id(), %error, "relay through Redis failed"),
        }
    }

    /// `me` leaves `room` on purpose (`bye`).
    pub async fn leave(&self, me: &ConnectionHandle, room: &RoomId) {
        let args = [room.as_str(), &self.member(me.id())];
        if let Err(error) = self.call::<u8>("leave", &args, true).await {
            tracing::warn!(conn = me.id(), %error, "leave through Redis failed");
        }
    }

    /// `me`'s socket is gone: away if it may resume, else it leaves.
    pub async fn disconnected(&self, me: &ConnectionHandle, room: &RoomId) {
        let grace = self.grace_ms.to_string();
        let args = [room.as_str(), &self.member(me.id()), &grace];
        if let Err(error) = self.call::<String>("lose", &args, true).await {
            tracing::warn!(conn = me.id(), %error, "losing a member through Redis failed");
        }
    }

    /// Runs operation `op` of the script with `args`, then the kept-frame
    /// bounds if `bounds`.
    async fn call<T: redis::FromRedisValue>(
        &self,
        op: &str,
        args: &[&str],
        bounds: bool,
    ) -> Result<T, redis::RedisError> {
        let mut invocation = self.script.prepare_invoke();
        invocation.arg(op);
        for arg in args {
            invocation.arg(*arg);
        }
        if bounds {
            invocation.arg(self.kept_frames).arg(self.kept_bytes);
        }
        invocation.invoke_async(&mut self.redis.clone()).await
    }

    /// Rooms with someone in them on every node (`--max-rooms` counts these).
    pub async fn room_count(&self) -> Result<u64, redis::RedisError> {
        redis::cmd("SCARD")
            .arg("vc:rooms")
            .query_async(&mut self.redis.clone())
            .await
    }

    fn member(&self, id: ConnId) -> String {
        format!("{}.{id}", self.node)
    }

    /// Refreshes this node's key and lists it among the nodes.
    async fn heartbeat(&self) -> Result<(), redis::RedisError> {
        redis::pipe()
            .cmd("SET")
            .arg(format!("vc:alive:{}", self.node))
            .arg(1)
            .arg("PX")
            .arg(NODE_TTL.as_millis() as u64)
            .ignore()
            .cmd("SADD")
            .arg("vc:nodes")
            .arg(&self.node)
            .ignore()
            .query_async(&mut self.redis.clone())
            .await
    }

    /// Refreshes this node's key and sweeps, for the life of the relay.
    async fn keep_alive(self: Arc<Self>) {
        let mut sweep = tokio::time::interval(SWEEP);
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        loop {
            let result = tokio::select! {
                _ = heartbeat.tick() => self.heartbeat().await,
                _ = sweep.tick() => {
                    let grace = self.grace_ms.to_string();
                    self.call::<(u64, u64)>("sweep", &[&grace], true).await.map(|(expired, lost)| {
                        if expired + lost > 0 {
                            tracing::info!(expired, lost, "swept away members and dead nodes");
                        }
                    })
                }
            };
            if let Err(error) = result {
                tracing::warn!(%error, "Redis heartbeat or sweep failed");
            }
        }
    }

    /// Hands what the script published for this node's connections to
    /// their queues. Without its subscription the node cannot deliver
    /// anything: it ends the process (its members' peers learn it from its
    /// expired key, and the members resume on another node).
    async fn deliver(self: Arc<Self>, mut messages: impl Stream<Item = redis::Msg> + Unpin) {
        while let Some(message) = messages.next().await {
            match String::from_utf8(message.get_payload_bytes().to_vec()) {
                Ok(payload) => self.deliver_one(&payload),
                Err(_) => tracing::warn!("a published delivery is not UTF-8"),
            }
        }
        tracing::error!("lost the Redis subscription: stopping this relay node");
        std::process::exit(1);
    }

    /// `payload` is "<connection id>\n<kind>\n<room>\n<body>".
    fn deliver_one(&self, payload: &str) {
        let mut parts = payload.splitn(4, '\n');
        let (Some(id), Some(kind), Some(room), Some(body)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return tracing::warn!("a malformed delivery from Redis");
        };
        let Some(handle) = id
            .parse()
            .ok()
            .and_then(|id| self.local().get(&id).cloned())
        else {
            // The connection ended meanwhile; its loss is on its way.
            return;
        };
        let room = room.to_owned();
        let text = match kind {
            "F" | "E" => body.to_owned(),
            "N" => match notice(body, room) {
                Some(event) => event.to_json(),
                None => return tracing::warn!(body, "an unknown notice from Redis"),
            },
            "R" => return handle.replace(),
            _ => return tracing::warn!(kind, "an unknown delivery kind from Redis"),
        };
        handle.send_or_kick(Message::Text(text.into()));
    }

    fn local(&self) -> MutexGuard<'_, HashMap<ConnId, ConnectionHandle>> {
        // The map holds no invariant a panic could break halfway.
        self.local.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn notice(name: &str, room: String) -> Option<RelayEvent> {
    Some(match name {
        "peer-joined" => RelayEvent::PeerJoined { room },
        "peer-left" => RelayEvent::PeerLeft { room },
        "peer-away" => RelayEvent::PeerAway { room },
        "peer-back" => RelayEvent::PeerBack { room },
        _ => return None,
    })
}

/// Redis failed: `me` is told to try again later.
fn unavailable(me: &ConnectionHandle, error: redis::RedisError) -> Joined {
    tracing::warn!(conn = me.id(), %error, "join through Redis failed");
    me.send_error(
        ErrorCode::RelayBusy,
        "the relay cannot reach its room registry; try again later",
    );
    Joined::Refused
}
