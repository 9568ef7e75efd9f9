//! The async driver of a call: it feeds the [`Negotiator`] what happens on the
//! signaling socket, the peer connection, the media threads and the app, and
//! carries out the actions it gives back, one at a time, in order.

use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use videochat_protocol::{Incoming, PeerMessage, RoomId};

use crate::media::OpusEncoder;
use crate::negotiation::{
    Action, CallState, ConnectionState, Input, NegotiationConfig, Negotiator, Output, PcOperation,
    SdpKind,
};
use crate::peer::IceServer;
use crate::peer::{Peer, PeerError, PeerEvent};
use crate::signaling::{
    self, Received as FromRelay, SignalingError, SignalingReceiver, SignalingSender,
};
use crate::sync::lock;

use super::command::Command;
use super::config::CallConfig;
use super::media_receive::{self, Received};
use super::min_interval::{KEY_FRAME_INTERVAL, MinInterval};
use super::observer::CallObserver;
use super::quality::{ConnectionQuality, ShownQuality};
use super::quality_meter::QualityMeter;
use super::sas::SecurityCode;
use super::security_check::SecurityCheck;
use super::stats::{CallStats, Counters};
use super::video_send::VideoControl;

/// A dead relay must not hold the call in "connecting" forever; a SYN lost
/// to a dead network is sent again after 1 s and 3 s, so 5 s covers three.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

type ConnectResult = Result<(SignalingSender, SignalingReceiver), String>;
/// Peer events waiting for the driver (media is dropped beyond it, never control).
const PEER_EVENT_QUEUE: usize = 512;
/// Also the window of the media-stall check: no remote packet in a whole
/// interval on a connected call means a broken path (audio alone sends 50
/// packets a second, muted or not).
const STATS_INTERVAL: Duration = Duration::from_secs(1);
/// How long hanging up waits for the relay to take our last frames.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// What the app-facing [`Call`](super::Call) keeps of the driver.
pub(crate) struct DriverHandle {
    pub commands: mpsc::UnboundedSender<Command>,
    /// The current peer connection (none between two of them).
    pub current_peer: watch::Receiver<Option<Arc<Peer>>>,
    pub security_code: watch::Receiver<SecurityCode>,
}

/// Everything the driver task owns while the call runs.
pub(crate) struct Driver {
    config: CallConfig,
    observer: Arc<dyn CallObserver>,
    counters: Arc<Counters>,
    video_control: Arc<VideoControl>,
    audio_encoder: Arc<Mutex<OpusEncoder>>,
    commands: mpsc::UnboundedReceiver<Command>,
    current_peer: watch::Sender<Option<Arc<Peer>>>,
    /// Remote media for the media-receive thread.
    received: SyncSender<Received>,
    negotiator: Negotiator,
    sender: Option<SignalingSender>,
    /// The relay socket being opened (see `start_connect`).
    connecting: Option<JoinHandle<ConnectResult>>,
    receiver: Option<SignalingReceiver>,
    peer: Option<Arc<Peer>>,
    peer_events: mpsc::Receiver<PeerEvent>,
    /// ICE servers the relay handed out, used instead of the configured ones.
    relay_ice_servers: Option<Vec<IceServer>>,
    /// Remote media counted at the last stats tick (packets and frames), and
    /// whether the machine was told it stalled: derived from the counters, so
    /// nothing is added per packet.
    media_seen: u64,
    media_stalled: bool,
    /// The one throttle of our key-frame requests (decoder errors and
    /// receive-queue overflows both ask).
    key_frame_requests: MinInterval,
    media_live: bool,
    security: SecurityCheck,
    /// The state last reported to the app.
    state: CallState,
    /// The remote camera is on (as its last media message said).
    remote_video: bool,
    quality: QualityMeter,
    shown_quality: ShownQuality,
}

impl Driver {
    /// A driver for a call in `room`, with its media-receive thread started.
    pub fn new(
        config: CallConfig,
        room: RoomId,
        observer: Arc<dyn CallObserver>,
        counters: Arc<Counters>,
        video_control: Arc<VideoControl>,
        audio_encoder: Arc<Mutex<OpusEncoder>>,
    ) -> std::io::Result<(Driver, DriverHandle)> {
        let (commands_tx, commands) = mpsc::unbounded_channel();
        let (current_peer, current_peer_rx) = watch::channel(None);
        let received =
            media_receive::spawn(observer.clone(), counters.clone(), commands_tx.clone())?;
        let (_, peer_events) = mpsc::channel(1);
        let (security, security_code) = SecurityCheck::new();
        let driver = Driver {
            negotiator: Negotiator::new(room, NegotiationConfig::default()),
            config,
            observer,
            counters,
            video_control,
            audio_encoder,
            commands,
            current_peer,
            received,
            sender: None,
            connecting: None,
            receiver: None,
            peer: None,
            peer_events,
            relay_ice_servers: None,
            media_seen: 0,
            media_stalled: false,
            key_frame_requests: MinInterval::new(KEY_FRAME_INTERVAL),
            media_live: false,
            security,
            state: CallState::Connecting,
            remote_video: true,
            quality: QualityMeter::default(),
            shown_quality: ShownQuality::default(),
        };
        let handle = DriverHandle {
            commands: commands_tx,
            current_peer: current_peer_rx,
            security_code,
        };
        Ok((driver, handle))
    }

    /// Runs the call until it ends.
    pub async fn run(mut self) {
        if let Err(e) = self.new_peer().await {
            tracing::error!(error = %e, "cannot create the peer connection");
            let input = Input::OperationFailed(PcOperation::CreateConnection);
            self.negotiator.handle(input, Instant::now());
        }
        let mut stats = tokio::time::interval(STATS_INTERVAL);
        loop {
            let deadline = match self.negotiator.poll_output() {
                Output::Action(Action::Close) => return self.close().await,
                Output::Action(action) => {
                    if let Some(input) = self.execute(action).await {
                        self.negotiator.handle(input, Instant::now());
                    }
                    continue;
                }
                Output::Wait { until } => until,
            };
            let input = tokio::select! {
                frame = next_frame(&mut self.receiver) => self.on_frame(frame).await,
                result = finish_connect(&mut self.connecting) => Some(self.connected(result)),
                // Closed while there is no connection (relay-only, waiting
                // for TURN): the branch is then off, not a wait forever.
                Some(event) = self.peer_events.recv() => self.on_peer_event(event).await,
                command = self.commands.recv() => self.on_command(command).await,
                () = sleep_until(deadline) => Some(Input::Tick),
                () = sleep_until(self.security.deadline()) => {
                    self.security.on_timeout(Instant::now());
                    None
                }
                _ = stats.tick() => {
                    self.measure_quality().await;
                    let snapshot = self.counters.snapshot();
                    self.observer.on_stats(&snapshot);
                    self.check_media_flow(&snapshot)
                }
            };
            if let Some(input) = input {
                self.negotiator.handle(input, Instant::now());
            }
        }
    }

    /// Carries out one action; its result, if the machine needs one.
    async fn execute(&mut self, action: Action) -> Option<Input> {
        match action {
            Action::ConnectSignaling => {
                self.start_connect();
                None
            }
            Action::SendJoin { room, session } => self.send(Outgoing::Join(room, session)).await,
            Action::Send(message) => self.send(Outgoing::Peer(message)).await,
            Action::PingSignaling => self.send(Outgoing::Ping).await,
            Action::DisconnectSignaling => {
                self.sender = None;
                self.receiver = None;
                None
            }
            Action::UseIceServers(servers) => {
                self.relay_ice_servers = Some(servers.into_iter().map(IceServer::from).collect());
                None
            }
            Action::CreateOffer { ice_restart } => {
                Some(self.create(SdpKind::Offer, ice_restart).await)
            }
            Action::CreateAnswer => Some(self.create(SdpKind::Answer, false).await),
            Action::SetRemoteDescription { kind, sdp } => {
                let result = match self.peer.clone() {
                    Some(peer) => peer.set_remote_description(kind, sdp).await,
                    None => Err(PeerError::Closed),
                };
                failure(PcOperation::SetRemoteDescription, result)
            }
            Action::AddRemoteCandidate(candidate) => {
                let result = match self.peer.clone() {
                    Some(peer) => peer.add_remote_candidate(candidate).await,
                    None => Ok(()),
                };
                failure(PcOperation::AddRemoteCandidate, result)
            }
            Action::ResetPeerConnection => {
                failure(PcOperation::CreateConnection, self.new_peer().await)
            }
            Action::StateChanged(state) => {
                self.report(state);
                None
            }
            Action::RemoteMediaChanged(state) => {
                if state.video != self.remote_video {
                    self.remote_video = state.video;
                    self.counters.restart_freeze_clock();
                }
                self.observer.on_remote_media_changed(state);
                None
            }
            Action::Close => None, // the run loop's
        }
    }

    fn report(&mut self, state: CallState) {
        if state == CallState::Connected {
            self.counters.mark_connected();
        }
        self.state = state.clone();
        self.observer.on_state_changed(state);
    }

    /// Once a stats interval: the connection quality of the last interval
    /// while in a call (connected, or getting back to it), for the stats.
    async fn measure_quality(&mut self) {
        let in_call = matches!(self.state, CallState::Connected | CallState::Reconnecting);
        let sample = match (&self.peer, in_call) {
            (Some(peer), true) => {
                let rtt_ms = peer
                    .round_trip_time()
                    .await
                    .map(|rtt| rtt.as_secs_f64() * 1e3);
                // Reconnecting too: frames should come, and do not.
                let video_expected = self.remote_video;
                let stats = self.counters.snapshot();
                self.quality
                    .measure(Instant::now(), &stats, rtt_ms, video_expected)
            }
            _ => {
                self.quality.reset();
                self.shown_quality.reset();
                None
            }
        };
        let quality = sample
            .as_ref()
            .map(|sample| self.shown_quality.update(ConnectionQuality::assess(sample)));
        self.counters.update(|s| {
            s.quality = quality;
            s.measured = sample.unwrap_or_default();
        });
    }

    /// Opens the relay socket in a task of its own: the run loop keeps
    /// carrying media while a dead network makes the attempt last.
    fn start_connect(&mut self) {
        let url = self.config.relay_url.clone();
        self.connecting = Some(tokio::spawn(async move {
            match timeout(CONNECT_TIMEOUT, signaling::connect(&url)).await {
                Ok(result) => result.map_err(|e| e.to_string()),
                Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
            }
        }));
    }

    fn connected(&mut self, result: ConnectResult) -> Input {
        match result {
            Ok((sender, receiver)) => {
                self.sender = Some(sender);
                self.receiver = Some(receiver);
                Input::SignalingConnected
            }
            Err(error) => {
                tracing::warn!(%error, "relay unreachable");
                Input::SignalingLost
            }
        }
    }

    /// Sends on the signaling socket; a failure means the socket is gone.
    async fn send(&mut self, outgoing: Outgoing) -> Option<Input> {
        let sender = self.sender.as_mut()?;
        let result = match outgoing {
            Outgoing::Join(room, session) => sender.join(room.as_str(), session).await,
            Outgoing::Ping => sender.ping().await,
            Outgoing::Peer(message) => {
                tracing::debug!(kind = message.kind(), "sending");
                sender.send(&message).await
            }
        };
        let error = result.err()?;
        tracing::warn!(error = %error, "signaling send failed");
        Some(self.signaling_lost())
    }

    async fn create(&mut self, kind: SdpKind, ice_restart: bool) -> Input {
        let operation = match kind {
            SdpKind::Offer => PcOperation::CreateOffer,
            SdpKind::Answer => PcOperation::CreateAnswer,
        };
        let Some(peer) = self.peer.clone() else {
            return Input::OperationFailed(operation);
        };
        let result = match kind {
            SdpKind::Offer => peer.create_offer(ice_restart).await,
            SdpKind::Answer => peer.create_answer().await,
        };
        match result {
            Ok(sdp) => {
                self.counters.update(|s| match kind {
                    SdpKind::Offer => s.offers_created += 1,
                    SdpKind::Answer => s.answers_created += 1,
                });
                Input::LocalDescription { kind, sdp }
            }
            Err(e) => {
                tracing::warn!(error = %e, operation = operation.name(), "failed");
                Input::OperationFailed(operation)
            }
        }
    }

    /// Replaces the peer connection (a new peer, or a fresh start after a loss).
    async fn new_peer(&mut self) -> Result<(), PeerError> {
        if let Some(old) = self.peer.take() {
            self.current_peer.send_replace(None);
            tokio::spawn(async move { old.close().await });
        }
        let (tx, rx) = mpsc::channel(PEER_EVENT_QUEUE);
        let mut config = self.config.peer_config();
        if let Some(servers) = &self.relay_ice_servers {
            config.ice_servers = servers.clone();
        }
        if config.relay_only && !config.has_turn() {
            // Nothing to gather with yet; the relay's TURN servers usually
            // come with `created`/`joined`, and the connection with them.
            tracing::info!("relay-only without a TURN server: no connection yet");
            return Ok(());
        }
        let peer = Arc::new(Peer::new(config, tx).await?);
        self.peer_events = rx;
        self.peer = Some(peer.clone());
        self.current_peer.send_replace(Some(peer));
        self.security.reset();
        self.video_control.request_key_frame();
        let _ = self.received.try_send(Received::Reset);
        self.media_stalled = false;
        Ok(())
    }

    async fn on_frame(
        &mut self,
        frame: Option<Result<FromRelay, SignalingError>>,
    ) -> Option<Input> {
        match frame {
            Some(Ok(FromRelay::Frame(Incoming::Peer(PeerMessage::Sas(message))))) => {
                // Ours alone: the negotiator only hears that the relay is alive.
                if let Some(role) = self.negotiator.role()
                    && let Some(reply) = self.security.on_message(message, role)
                    && let Some(lost) = self.send(Outgoing::Peer(reply)).await
                {
                    return Some(lost);
                }
                Some(Input::SignalingAlive)
            }
            Some(Ok(FromRelay::Frame(incoming))) => Input::from_frame(Ok(incoming)),
            Some(Ok(FromRelay::Alive)) => Some(Input::SignalingAlive),
            Some(Err(SignalingError::Protocol(e))) => Input::from_frame(Err(e)),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "signaling lost");
                Some(self.signaling_lost())
            }
            None => {
                tracing::warn!("the relay closed the connection");
                Some(self.signaling_lost())
            }
        }
    }

    fn signaling_lost(&mut self) -> Input {
        self.sender = None;
        self.receiver = None;
        Input::SignalingLost
    }

    async fn on_peer_event(&mut self, event: PeerEvent) -> Option<Input> {
        match event {
            PeerEvent::LocalCandidate(candidate) => return Some(Input::LocalCandidate(candidate)),
            PeerEvent::State(state) => {
                if state == ConnectionState::Connected {
                    self.video_control.connected();
                    self.start_security_check().await;
                }
                return Some(Input::ConnectionState(state));
            }
            PeerEvent::GatheringComplete => {}
            PeerEvent::RemoteVideo(frame) => self.forward(Received::Video(frame)),
            PeerEvent::RemoteAudio(packet) => self.forward(Received::Audio(packet)),
            PeerEvent::KeyFrameRequested => self.video_control.request_key_frame(),
            PeerEvent::SendRate { bps } => self.video_control.set_send_rate(bps),
            PeerEvent::VideoLoss { fraction_lost } => {
                // Audio shares the path: protect it against the same loss.
                let percent = (fraction_lost * 100.0).ceil().clamp(0.0, 100.0) as u8;
                if let Err(e) = lock(&self.audio_encoder).set_expected_packet_loss(percent) {
                    tracing::debug!(error = %e, "expected audio loss not set");
                }
            }
        }
        None
    }

    /// DTLS is up: the security-code exchange starts (once per connection).
    async fn start_security_check(&mut self) {
        let (Some(peer), Some(role)) = (self.peer.clone(), self.negotiator.role()) else {
            return;
        };
        let Some(message) = self
            .security
            .on_connected(&peer, role, Instant::now())
            .await
        else {
            return;
        };
        if let Some(lost) = self.send(Outgoing::Peer(message)).await {
            self.negotiator.handle(lost, Instant::now());
        }
    }

    /// Once a stats interval: tells the machine when remote media stopped on
    /// a connection that still says connected (none for a whole interval,
    /// after some came), and when it flows again.
    fn check_media_flow(&mut self, stats: &CallStats) -> Option<Input> {
        let seen = stats.audio_packets_received + stats.video_frames_received;
        let arrived = seen != self.media_seen;
        self.media_seen = seen;
        let connected = self
            .peer
            .as_ref()
            .is_some_and(|p| p.state() == ConnectionState::Connected);
        match (arrived, self.media_stalled) {
            (true, true) => {
                self.media_stalled = false;
                Some(Input::MediaFlowing)
            }
            (false, false) if connected && seen > 0 => {
                self.media_stalled = true;
                Some(Input::MediaStalled)
            }
            _ => None,
        }
    }

    /// Hands media to the decoder thread; if it is behind, video is dropped
    /// and a key frame requested so the picture recovers cleanly.
    fn forward(&mut self, received: Received) {
        let is_video = matches!(received, Received::Video(_));
        if let Err(TrySendError::Full(_)) = self.received.try_send(received)
            && is_video
        {
            self.request_key_frame();
        }
    }

    /// Asks the remote for a key frame (PLI), at most once per key-frame interval.
    fn request_key_frame(&mut self) {
        let Some(peer) = self.peer.clone() else {
            return;
        };
        if !self.key_frame_requests.try_pass(Instant::now()) {
            return;
        }
        self.counters.update(|s| s.key_frame_requests_sent += 1);
        tokio::spawn(async move {
            if let Err(e) = peer.request_key_frame().await {
                tracing::debug!(error = %e, "key frame request not sent");
            }
        });
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
                self.write_audio(packet).await;
                None
            }
            Some(Command::LocalMedia(state)) => Some(Input::LocalMediaChanged(state)),
            // The app dropped its handle: that is a hang-up too.
            Some(Command::HangUp) | None => Some(Input::HangUp),
        }
    }

    async fn write_audio(&mut self, packet: Bytes) {
        let Some(peer) = self
            .peer
            .as_ref()
            .filter(|p| p.state() == ConnectionState::Connected)
        else {
            return;
        };
        match peer.write_audio(packet, Duration::from_millis(20)).await {
            Ok(()) => self.counters.update(|s| s.audio_packets_sent += 1),
            Err(e) => tracing::debug!(error = %e, "audio write failed"),
        }
    }

    /// Closes everything, then reports the final state (it follows `Close`).
    async fn close(&mut self) {
        if let Some(connecting) = self.connecting.take() {
            connecting.abort();
        }
        if let Some(mut sender) = self.sender.take() {
            let _ = timeout(CLOSE_TIMEOUT, sender.close()).await;
        }
        self.receiver = None;
        self.current_peer.send_replace(None);
        if let Some(peer) = self.peer.take() {
            peer.close().await;
        }
        self.observer.on_stats(&self.counters.snapshot());
        while let Output::Action(action) = self.negotiator.poll_output() {
            if let Action::StateChanged(state) = action {
                self.report(state);
            }
        }
    }
}

enum Outgoing {
    Join(RoomId, Option<String>),
    Peer(PeerMessage),
    Ping,
}

/// The input a failed operation gives the machine, if it failed.
fn failure(operation: PcOperation, result: Result<(), PeerError>) -> Option<Input> {
    let error = result.err()?;
    if operation == PcOperation::AddRemoteCandidate {
        // Routine: e.g. an address family we lack. ICE tries the others.
        tracing::debug!(error = %error, "remote candidate refused");
    } else {
        tracing::warn!(error = %error, operation = operation.name(), "failed");
    }
    Some(Input::OperationFailed(operation))
}

async fn next_frame(
    receiver: &mut Option<SignalingReceiver>,
) -> Option<Result<FromRelay, SignalingError>> {
    match receiver {
        Some(receiver) => receiver.next().await,
        None => std::future::pending().await,
    }
}

async fn finish_connect(connecting: &mut Option<JoinHandle<ConnectResult>>) -> ConnectResult {
    let Some(task) = connecting else {
        return std::future::pending().await;
    };
    let result = task.await.unwrap_or_else(|e| Err(e.to_string()));
    *connecting = None;
    result
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}
