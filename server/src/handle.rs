//! How the hub reaches one connection: its bounded outgoing queue, and a
//! switch that tells its task to end.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;
use videochat_protocol::{ErrorCode, RelayEvent};

use crate::rooms::ConnId;

/// Why a connection was told to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kick {
    /// Its outgoing queue overflowed: the client does not read.
    NotReading,
    /// Another connection resumed its slot with its session token.
    Replaced,
}

/// A connection's outgoing queue and kill switch.
#[derive(Debug, Clone)]
pub struct ConnectionHandle {
    id: ConnId,
    tx: mpsc::Sender<Message>,
    kick: Arc<KickSwitch>,
}

#[derive(Debug, Default)]
struct KickSwitch {
    notify: Notify,
    replaced: AtomicBool,
}

impl ConnectionHandle {
    /// A handle on the queue `tx` of connection `id`.
    pub fn new(id: ConnId, tx: mpsc::Sender<Message>) -> Self {
        ConnectionHandle {
            id,
            tx,
            kick: Arc::default(),
        }
    }

    /// This connection's id (for logs).
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// Resolves once someone decided this connection must go, with why.
    pub async fn kicked(&self) -> Kick {
        self.kick.notify.notified().await;
        if self.kick.replaced.load(Ordering::Acquire) {
            Kick::Replaced
        } else {
            Kick::NotReading
        }
    }

    /// Tells this connection another one took its slot.
    pub fn replace(&self) {
        self.kick.replaced.store(true, Ordering::Release);
        self.kick.notify.notify_one();
    }

    /// Queues `message`, or kicks this connection if its queue is full.
    pub fn send_or_kick(&self, message: Message) -> bool {
        let sent = self.tx.try_send(message).is_ok();
        if !sent {
            tracing::info!(conn = self.id, "outgoing queue full: disconnecting");
            self.kick.notify.notify_one();
        }
        sent
    }

    /// Queues a relay event for this connection.
    pub fn send_event(&self, event: RelayEvent) -> bool {
        self.send_or_kick(Message::Text(event.to_json().into()))
    }

    /// Queues an error frame for this connection.
    pub fn send_error(&self, code: ErrorCode, message: &str) {
        self.send_event(RelayEvent::Error {
            code,
            message: message.to_owned(),
        });
    }
}
