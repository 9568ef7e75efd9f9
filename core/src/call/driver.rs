//! The async driver of a call: it feeds the [`Negotiator`] what happens on the
//! signaling socket, the peer connection, the media threads and the app, and
//! carries out the actions it drains, one at a time, in order.

use std::sync::Arc;
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;
use videochat_protocol::{Incoming, PeerMessage, RoomId};

use crate::negotiation::{
    Action, CallState, Input, NegotiationConfig, Negotiator, PcEvent, PcOperation, PcState, SdpKind,
};
use crate::peer::{self, LossBasedBitrate, Peer, PeerEvent, PeerState};
use crate::signaling::{self, SignalingError, SignalingReceiver, SignalingSender};

use super::config::CallConfig;
use super::media_receive::Received;
use super::observer::CallObserver;
use super::stats::Counters;
use super::video_send::VideoControl;

/// A dead relay must not hold the call in "connecting" forever.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Peer events waiting for the driver (media is dropped beyond it, never control).
const PEER_EVENT_QUEUE: usize = 512;
const STATS_INTERVAL: Duration = Duration::from_secs(1);

/// What the app and the media threads ask of the driver.
#[derive(Debug)]
pub(crate) enum Command {
    /// The first camera frame or audio chunk arrived: our media is live.
    MediaLive,
    /// Our decoder cannot decode: send a PLI.
    RequestKeyFrame,
    /// An encoded audio packet to send.
    Audio(Bytes),
    HangUp,
}

/// Everything the driver owns.
pub(crate) struct Driver {
    pub config: CallConfig,
    pub room: RoomId,
    pub observer: Arc<dyn CallObserver>,
    pub counters: Arc<Counters>,
    pub commands: mpsc::UnboundedReceiver<Command>,
    pub current_peer: watch::Sender<Option<Arc<Peer>>>,
    pub received: SyncSender<Received>,
    pub video_control: Arc<VideoControl>,
}

/// The driver's moving parts while the call runs.
struct Running {
    d: Driver,
    negotiator: Negotiator,
    sender: Option<SignalingSender>,
    receiver: Option<SignalingReceiver>,
    peer: Option<Arc<Peer>>,
    peer_events: mpsc::Receiver<PeerEvent>,
    bitrate: LossBasedBitrate,
    media_live: bool,
}

impl Driver {
    /// Runs the call until it ends.
    pub async fn run(self) {
        let negotiator = Negotiator::new(self.room.clone(), NegotiationConfig::default());
        let bitrate = LossBasedBitrate::new(self.config.bitrate_limits());
        let (_, peer_events) = mpsc::channel(1);
        let mut running = Running {
            d: self,
            negotiator,
            sender: None,
            receiver: None,
            peer: None,
            peer_events,
            bitrate,
            media_live: false,
        };
        running.run().await;
    }
}

impl Running {
    async fn run(&mut self) {
        if let Err(e) = self.new_peer().await {
            tracing::error!("cannot create the peer connection: {e}");
            self.d.observer.on_state_changed(CallState::Failed(
                crate::negotiation::CallError::Negotiation(PcOperation::CreateOffer),
            ));
            return;
        }
        let mut stats = tokio::time::interval(STATS_INTERVAL);
        loop {
            while let Some(action) = self.negotiator.poll_action() {
                if matches!(action, Action::Close) {
                    self.close().await;
                    // The final state comes after Close: report it.
                    while let Some(action) = self.negotiator.poll_action() {
                        if let Action::StateChanged(state) = action {
                            self.d.observer.on_state_changed(state);
                        }
                    }
                    return;
                }
                self.execute(action).await;
            }
            let deadline = self.negotiator.poll_timeout();
            let input = tokio::select! {
                frame = next_frame(&mut self.receiver) => self.on_frame(frame),
                event = self.peer_events.recv() => match event {
                    Some(event) => self.on_peer_event(event).await,
                    None => std::future::pending().await,
                },
                command = self.d.commands.recv() => self.on_command(command).await,
                () = sleep_until(deadline) => Some(Input::Tick),
                _ = stats.tick() => {
                    self.d.observer.on_stats(&self.d.counters.snapshot());
                    None
                }
            };
            if let Some(input) = input {
                self.negotiator.handle(input, Instant::now());
            }
        }
    }

    async fn execute(&mut self, action: Action) {
        let result = match action {
            Action::ConnectSignaling => Some(self.connect().await),
            Action::SendJoin(room) => self.send(Outgoing::Join(room)).await,
            Action::Send(message) => self.send(Outgoing::Peer(message)).await,
            Action::CreateOffer { ice_restart } => {
                Some(self.create(SdpKind::Offer, ice_restart).await)
            }
            Action::CreateAnswer => Some(self.create(SdpKind::Answer, false).await),
            Action::SetRemoteDescription { kind, sdp } => {
                let peer = self.peer.clone();
                match peer {
                    Some(p) => match p.set_remote_description(peer_kind(kind), sdp).await {
                        Ok(()) => None,
                        Err(e) => {
                            tracing::warn!("remote description rejected: {e}");
                            Some(failed(PcOperation::SetRemoteDescription))
                        }
                    },
                    None => Some(failed(PcOperation::SetRemoteDescription)),
                }
            }
            Action::AddRemoteCandidate(candidate) => {
                let peer = self.peer.clone();
                match peer {
                    Some(p) => match p.add_remote_candidate(candidate).await {
                        Ok(()) => None,
                        Err(e) => {
                            tracing::debug!("remote candidate rejected: {e}");
                            Some(failed(PcOperation::AddRemoteCandidate))
                        }
                    },
                    None => None,
                }
            }
            Action::ResetPeerConnection => match self.new_peer().await {
                Ok(()) => None,
                Err(e) => {
                    tracing::error!("cannot create a new peer connection: {e}");
                    Some(failed(PcOperation::CreateOffer))
                }
            },
            Action::StateChanged(state) => {
                if state == CallState::Connected {
                    self.d.counters.mark_connected();
                }
                tracing::info!(?state, "call state");
                self.d.observer.on_state_changed(state);
                None
            }
            Action::Close => None, // handled by the loop
        };
        if let Some(input) = result {
            self.negotiator.handle(input, Instant::now());
        }
    }

    async fn connect(&mut self) -> Input {
        match timeout(
            CONNECT_TIMEOUT,
            signaling::connect(&self.d.config.relay_url),
        )
        .await
        {
            Ok(Ok((sender, receiver))) => {
                self.sender = Some(sender);
                self.receiver = Some(receiver);
                Input::SignalingConnected
            }
            Ok(Err(e)) => {
                tracing::warn!("relay unreachable: {e}");
                Input::SignalingLost
            }
            Err(_) => {
                tracing::warn!("relay did not answer within {CONNECT_TIMEOUT:?}");
                Input::SignalingLost
            }
        }
    }

    /// Sends on the signaling socket; a failure means the socket is gone.
    async fn send(&mut self, outgoing: Outgoing) -> Option<Input> {
        let sender = self.sender.as_mut()?;
        let result = match outgoing {
            Outgoing::Join(room) => sender.join(room.as_str()).await,
            Outgoing::Peer(message) => {
                tracing::debug!(kind = message.kind(), "sending");
                sender.send(&message).await
            }
        };
        match result {
            Ok(()) => None,
            Err(e) => {
                tracing::warn!("signaling send failed: {e}");
                self.sender = None;
                self.receiver = None;
                Some(Input::SignalingLost)
            }
        }
    }

    async fn create(&mut self, kind: SdpKind, ice_restart: bool) -> Input {
        let (operation, result) = match (&self.peer, kind) {
            (Some(p), SdpKind::Offer) => {
                (PcOperation::CreateOffer, p.create_offer(ice_restart).await)
            }
            (Some(p), SdpKind::Answer) => (PcOperation::CreateAnswer, p.create_answer().await),
            (None, SdpKind::Offer) => return failed(PcOperation::CreateOffer),
            (None, SdpKind::Answer) => return failed(PcOperation::CreateAnswer),
        };
        match result {
            Ok(sdp) => {
                Counters::bump(match kind {
                    SdpKind::Offer => &self.d.counters.offers_created,
                    SdpKind::Answer => &self.d.counters.answers_created,
                });
                Input::PeerConnection(PcEvent::LocalDescription { kind, sdp })
            }
            Err(e) => {
                tracing::warn!("{} failed: {e}", operation.name());
                failed(operation)
            }
        }
    }

    /// Replaces the peer connection (a new peer, or a fresh start after a loss).
    async fn new_peer(&mut self) -> Result<(), peer::PeerError> {
        if let Some(old) = self.peer.take() {
            self.d.current_peer.send_replace(None);
            tokio::spawn(async move { old.close().await });
        }
        let (tx, rx) = mpsc::channel(PEER_EVENT_QUEUE);
        let peer = Arc::new(Peer::new(self.d.config.peer_config(), tx).await?);
        self.peer_events = rx;
        self.peer = Some(peer.clone());
        self.d.current_peer.send_replace(Some(peer));
        self.d.video_control.request_key_frame();
        let _ = self.d.received.try_send(Received::Reset);
        Ok(())
    }

    fn on_frame(&mut self, frame: Option<Result<Incoming, SignalingError>>) -> Option<Input> {
        match frame {
            Some(Ok(incoming)) => Input::from_frame(Ok(incoming)),
            Some(Err(SignalingError::Protocol(e))) => Input::from_frame(Err(e)),
            Some(Err(e)) => {
                tracing::warn!("signaling lost: {e}");
                self.sender = None;
                self.receiver = None;
                Some(Input::SignalingLost)
            }
            None => {
                tracing::warn!("the relay closed the connection");
                self.sender = None;
                self.receiver = None;
                Some(Input::SignalingLost)
            }
        }
    }

    async fn on_peer_event(&mut self, event: PeerEvent) -> Option<Input> {
        match event {
            PeerEvent::LocalCandidate(candidate) => Some(PcEvent::LocalCandidate(candidate).into()),
            PeerEvent::GatheringComplete => None,
            PeerEvent::State(state) => Some(PcEvent::StateChanged(pc_state(state)).into()),
            PeerEvent::RemoteVideo(frame) => {
                self.forward(Received::Video(frame), true);
                None
            }
            PeerEvent::RemoteAudio(packet) => {
                self.forward(Received::Audio(packet), false);
                None
            }
            PeerEvent::KeyFrameRequested => {
                self.d.video_control.request_key_frame();
                None
            }
            PeerEvent::VideoLoss { fraction_lost } => {
                let rate = self.bitrate.on_loss_report(fraction_lost);
                self.d.video_control.set_bitrate(rate);
                None
            }
        }
    }

    /// Hands media to the decoder thread; if it is behind, video is dropped
    /// and a key frame requested so the picture recovers cleanly.
    fn forward(&mut self, received: Received, is_video: bool) {
        if let Err(TrySendError::Full(_)) = self.d.received.try_send(received)
            && is_video
        {
            Counters::bump(&self.d.counters.key_frame_requests_sent);
            self.request_key_frame();
        }
    }

    fn request_key_frame(&self) {
        if let Some(peer) = self.peer.clone() {
            tokio::spawn(async move {
                if let Err(e) = peer.request_key_frame().await {
                    tracing::debug!("key frame request not sent: {e}");
                }
            });
        }
    }

    async fn on_command(&mut self, command: Option<Command>) -> Option<Input> {
        match command {
            Some(Command::MediaLive) if !self.media_live => {
                self.media_live = true;
                Some(Input::LocalMediaLive)
            }
            Some(Command::MediaLive) => None,
            Some(Command::RequestKeyFrame) => {
                self.request_key_frame();
                None
            }
            Some(Command::Audio(packet)) => {
                if let Some(peer) = self
                    .peer
                    .as_ref()
                    .filter(|p| p.state() == PeerState::Connected)
                {
                    match peer.write_audio(packet, Duration::from_millis(20)).await {
                        Ok(()) => Counters::bump(&self.d.counters.audio_packets_sent),
                        Err(e) => tracing::debug!("audio write failed: {e}"),
                    }
                }
                None
            }
            // The app dropped its handle: that is a hang-up too.
            Some(Command::HangUp) | None => Some(Input::HangUp),
        }
    }

    async fn close(&mut self) {
        if let Some(mut sender) = self.sender.take() {
            let _ = timeout(Duration::from_secs(1), sender.close()).await;
        }
        self.receiver = None;
        self.d.current_peer.send_replace(None);
        if let Some(peer) = self.peer.take() {
            peer.close().await;
        }
        self.d.observer.on_stats(&self.d.counters.snapshot());
    }
}

enum Outgoing {
    Join(RoomId),
    Peer(PeerMessage),
}

async fn next_frame(
    receiver: &mut Option<SignalingReceiver>,
) -> Option<Result<Incoming, SignalingError>> {
    match receiver {
        Some(receiver) => receiver.next().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

fn failed(operation: PcOperation) -> Input {
    Input::PeerConnection(PcEvent::OperationFailed(operation))
}

fn peer_kind(kind: SdpKind) -> peer::SdpKind {
    match kind {
        SdpKind::Offer => peer::SdpKind::Offer,
        SdpKind::Answer => peer::SdpKind::Answer,
    }
}

fn pc_state(state: PeerState) -> PcState {
    match state {
        PeerState::New => PcState::New,
        PeerState::Connecting => PcState::Connecting,
        PeerState::Connected => PcState::Connected,
        PeerState::Disconnected => PcState::Disconnected,
        PeerState::Failed => PcState::Failed,
        PeerState::Closed => PcState::Closed,
    }
}
