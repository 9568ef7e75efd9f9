//! What a [`Peer`](super::Peer) reports: candidates, state, remote media, feedback.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::sync::mpsc;
use videochat_protocol::IceCandidate;

use crate::negotiation::ConnectionState;

/// One depacketized H.264 access unit from the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteVideoFrame {
    /// Annex-B NAL units (each with a 4-byte start code).
    pub data: Bytes,
    /// RTP timestamp (90 kHz clock) shared by the frame's packets.
    pub rtp_timestamp: u32,
    /// Contains an IDR slice: decoding can restart here.
    pub key_frame: bool,
    /// Media packets lost since the previous frame (padding excluded). When
    /// non-zero, frames up to the next key frame may not decode cleanly.
    pub lost_packets: u32,
    /// Media packets this frame arrived in.
    pub packets: u32,
}

/// One Opus packet from the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAudioPacket {
    /// The Opus packet.
    pub data: Bytes,
    /// RTP sequence number: a jump means lost packets to conceal.
    pub sequence: u16,
    /// RTP timestamp (48 kHz clock).
    pub rtp_timestamp: u32,
}

/// Everything a [`Peer`](super::Peer) tells its owner, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum PeerEvent {
    /// A local candidate to send to the remote (with the real mid and index).
    LocalCandidate(IceCandidate),
    /// Local gathering finished for this ICE generation.
    GatheringComplete,
    /// The connection state changed.
    State(ConnectionState),
    /// A complete remote video access unit.
    RemoteVideo(RemoteVideoFrame),
    /// A remote audio packet.
    RemoteAudio(RemoteAudioPacket),
    /// The remote asked for a key frame (PLI or FIR on our video).
    KeyFrameRequested,
    /// Congestion control's new target for everything we send, in bits per second.
    SendRate {
        /// Audio, video and repairs together.
        bps: u32,
    },
    /// The remote's reception report for our video: loss fraction 0.0..=1.0 since
    /// its previous report (what the Opus encoder should expect too).
    VideoLoss {
        /// Fraction of our video packets lost.
        fraction_lost: f64,
    },
}

/// The sending half of a peer's event channel, shared by its callbacks.
///
/// Media is dropped (and counted) when the owner falls behind; control events
/// (candidates, state) are never dropped: if the queue is full they are sent
/// from a task instead.
#[derive(Clone)]
pub(crate) struct EventQueue {
    tx: mpsc::Sender<PeerEvent>,
    dropped_media: Arc<AtomicU64>,
}

impl EventQueue {
    pub(crate) fn new(tx: mpsc::Sender<PeerEvent>) -> Self {
        Self {
            tx,
            dropped_media: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Sends a control event; never lost while the receiver lives.
    pub(crate) fn control(&self, event: PeerEvent) {
        match self.tx.try_send(event) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(event)) => {
                let tx = self.tx.clone();
                if let Ok(handle) = tokio::runtime::Handle::try_current() {
                    handle.spawn(async move {
                        let _ = tx.send(event).await;
                    });
                }
            }
        }
    }

    /// Sends a media or feedback event; dropped if the owner is behind.
    pub(crate) fn media(&self, event: PeerEvent) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.tx.try_send(event) {
            let n = self.dropped_media.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!(dropped = n, "peer event queue full; dropping media events");
            }
        }
    }
}
