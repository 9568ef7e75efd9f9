//! webrtc-rs callbacks, turned into [`PeerEvent`]s, and the state they share
//! with [`Peer`](super::Peer).
//!
//! Callbacks run on the connection's driver task: they only record, send and
//! spawn, never wait.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use videochat_protocol::IceCandidate;
use webrtc::media_stream::track_remote::TrackRemote;
use webrtc::peer_connection::{
    PeerConnectionEventHandler, RTCIceGatheringState, RTCPeerConnectionIceEvent,
    RTCPeerConnectionState,
};

use super::events::{EventQueue, PeerEvent};
use super::receive;
use crate::negotiation::ConnectionState;
use crate::sync::lock;

#[derive(Default)]
struct Inner {
    state: Option<ConnectionState>,
    /// (mid, m-line index) stamped on local candidates; webrtc-rs leaves the mid empty.
    candidate_mid: Option<(String, u16)>,
    remote_video: Option<(Arc<dyn TrackRemote>, u32)>,
    local_fingerprint: Option<String>,
}

/// State shared by the peer and its callbacks.
pub(crate) struct PeerShared {
    events: EventQueue,
    closed: AtomicBool,
    inner: Mutex<Inner>,
}

impl PeerShared {
    pub(crate) fn new(events: EventQueue) -> Self {
        Self {
            events,
            closed: AtomicBool::new(false),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        lock(&self.inner)
    }

    /// Marks closed; true the first time.
    pub(crate) fn mark_closed(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub(crate) fn state(&self) -> ConnectionState {
        self.inner().state.unwrap_or(ConnectionState::New)
    }

    /// Records and reports a state change (repeats are not reported).
    pub(crate) fn set_state(&self, state: ConnectionState) {
        let changed = {
            let mut inner = self.inner();
            let changed = inner.state != Some(state);
            inner.state = Some(state);
            changed
        };
        if changed {
            self.events.control(PeerEvent::State(state));
        }
    }

    pub(crate) fn set_candidate_mid(&self, mid: String, index: u16) {
        self.inner().candidate_mid = Some((mid, index));
    }

    pub(crate) fn remote_video(&self) -> Option<(Arc<dyn TrackRemote>, u32)> {
        self.inner().remote_video.clone()
    }

    pub(crate) fn local_fingerprint(&self) -> Option<String> {
        self.inner().local_fingerprint.clone()
    }

    pub(crate) fn set_local_fingerprint(&self, fingerprint: Option<String>) {
        if fingerprint.is_some() {
            self.inner().local_fingerprint = fingerprint;
        }
    }
}

/// The webrtc-rs event handler of one peer.
pub(crate) struct Handler {
    shared: Arc<PeerShared>,
}

impl Handler {
    pub(crate) fn new(shared: Arc<PeerShared>) -> Self {
        Self { shared }
    }
}

fn connection_state(state: RTCPeerConnectionState) -> Option<ConnectionState> {
    Some(match state {
        RTCPeerConnectionState::New => ConnectionState::New,
        RTCPeerConnectionState::Connecting => ConnectionState::Connecting,
        RTCPeerConnectionState::Connected => ConnectionState::Connected,
        RTCPeerConnectionState::Disconnected => ConnectionState::Disconnected,
        RTCPeerConnectionState::Failed => ConnectionState::Failed,
        RTCPeerConnectionState::Closed => ConnectionState::Closed,
        _ => return None,
    })
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        let init = match event.candidate.to_json() {
            Ok(init) => init,
            Err(e) => {
                tracing::debug!(error = %e, "local candidate not serializable");
                return;
            }
        };
        let (mid, index) = self
            .shared
            .inner()
            .candidate_mid
            .clone()
            .unwrap_or_else(|| ("0".to_owned(), 0));
        self.shared
            .events
            .control(PeerEvent::LocalCandidate(IceCandidate {
                candidate: init.candidate,
                sdp_mline_index: Some(index),
                sdp_mid: Some(mid),
                username_fragment: None,
            }));
    }

    async fn on_ice_gathering_state_change(&self, state: RTCIceGatheringState) {
        if state == RTCIceGatheringState::Complete {
            self.shared.events.control(PeerEvent::GatheringComplete);
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        tracing::info!(%state, "peer connection state");
        if let Some(state) = connection_state(state) {
            self.shared.set_state(state);
        }
    }

    async fn on_track(&self, track: Arc<dyn TrackRemote>) {
        let kind = track.kind().await;
        let events = self.shared.events.clone();
        match kind {
            RtpCodecKind::Video => {
                if let Some(ssrc) = track.ssrcs().await.first().copied() {
                    self.shared.inner().remote_video = Some((track.clone(), ssrc));
                }
                tokio::spawn(receive::read_video(track, events));
            }
            RtpCodecKind::Audio => {
                tokio::spawn(receive::read_audio(track, events));
            }
            _ => {}
        }
    }
}
