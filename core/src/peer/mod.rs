//! The WebRTC peer connection (webrtc-rs 0.21): encoded media in and out.
//!
//! A [`Peer`] owns one `RTCPeerConnection` with one H.264 and one Opus track
//! (sendrecv) for the whole call. The call driver feeds it SDP and candidates,
//! writes encoded media, and drains [`PeerEvent`]s:
//!
//! ```no_run
//! # use videochat_core::peer::*;
//! # async fn run() -> Result<(), PeerError> {
//! let (tx, mut events) = tokio::sync::mpsc::channel(1024);
//! let peer = Peer::new(PeerConfig::default(), tx).await?;
//! let offer_sdp = peer.create_offer(false).await?; // send as {"type":"offer"}
//! // ... peer.set_remote_description(SdpKind::Answer, answer).await?;
//! // ... peer.add_remote_candidate(candidate).await?; // after the description
//! # use videochat_core::negotiation::SdpKind;
//! while let Some(event) = events.recv().await {
//!     match event {
//!         PeerEvent::LocalCandidate(c) => { /* send to the remote */ }
//!         PeerEvent::RemoteVideo(frame) => { /* decode frame.data */ }
//!         PeerEvent::KeyFrameRequested => { /* force an IDR */ }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

mod config;
mod engine;
mod error;
mod events;
mod handler;
mod nack;
mod receive;
mod remote_input;
mod rtcp;
mod send_rate;
mod tracks;

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::FutureExt;
use rtc::peer_connection::configuration::media_engine::{MIME_TYPE_H264, MIME_TYPE_OPUS};
use rtc::peer_connection::transport::RTCIceCandidateInit;
use rtc::rtcp::payload_feedbacks::picture_loss_indication::PictureLossIndication;
use rtc::rtp_transceiver::rtp_sender::RtpCodecKind;
use tokio::sync::mpsc;
use videochat_protocol::IceCandidate;
use webrtc::media_stream::track_local::TrackLocal;
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, RTCStatsReportEntry, StatsSelector,
};

pub use config::{DEFAULT_STUN_URL, IceServer, PeerConfig};
pub use engine::{AUDIO_CLOCK_RATE, H264_FMTP, OPUS_FMTP, VIDEO_CLOCK_RATE};
pub use error::{PeerError, WebRtcError};
pub use events::{PeerEvent, RemoteAudioPacket, RemoteVideoFrame};
pub use receive::FrameAssembler;
pub use remote_input::{MAX_CANDIDATE_BYTES, MAX_SDP_BYTES, check_candidate, parse_description};
pub use send_rate::BitrateLimits;

use crate::negotiation::{ConnectionState, SdpKind, dtls_fingerprint};
use events::EventQueue;
use handler::{Handler, PeerShared};
use remote_input::panicked;
use tracks::{LocalTrack, random_u32};

/// One WebRTC peer connection carrying encoded H.264 video and Opus audio.
pub struct Peer {
    pc: Arc<dyn PeerConnection>,
    video: LocalTrack,
    audio: LocalTrack,
    shared: Arc<PeerShared>,
}

impl Peer {
    /// Builds the connection, binds its sockets and adds the two local tracks.
    /// Events go to `events` in order; media events are dropped if it is full.
    pub async fn new(
        config: PeerConfig,
        events: mpsc::Sender<PeerEvent>,
    ) -> Result<Peer, PeerError> {
        let events = EventQueue::new(events);
        let video_ssrc = random_u32();
        let audio_ssrc = random_u32().max(video_ssrc.wrapping_add(1)).max(1);
        let (engine, registry) =
            engine::media_engine_and_interceptors(video_ssrc, config.send_rate, events.clone())?;
        let shared = Arc::new(PeerShared::new(events));
        let pc = PeerConnectionBuilder::new()
            .with_configuration(config.rtc_configuration())
            .with_media_engine(engine)
            .with_setting_engine(config.setting_engine())
            .with_interceptor_registry(registry)
            .with_handler(Arc::new(Handler::new(shared.clone())))
            .with_udp_addrs(config.udp_addrs.clone())
            .build()
            .await
            .map_err(PeerError::BadConfig)?;
        let pc: Arc<dyn PeerConnection> = Arc::new(pc);

        let add = async |kind, ssrc, codec, mime: &str| -> Result<LocalTrack, PeerError> {
            let track = LocalTrack::sample_track(kind, ssrc, codec)?;
            let sender = pc
                .add_track(track.clone() as Arc<dyn TrackLocal>)
                .await
                .map_err(PeerError::Internal)?;
            Ok(LocalTrack::new(track, sender, ssrc, mime))
        };
        let audio = add(
            RtpCodecKind::Audio,
            audio_ssrc,
            engine::opus_codec(),
            MIME_TYPE_OPUS,
        )
        .await?;
        let video = add(
            RtpCodecKind::Video,
            video_ssrc,
            engine::h264_codec(),
            MIME_TYPE_H264,
        )
        .await?;
        Ok(Peer {
            pc,
            video,
            audio,
            shared,
        })
    }

    /// Creates an offer, sets it as the local description and returns its SDP.
    /// With `ice_restart`, the offer carries fresh ICE credentials and candidates
    /// are gathered again (recovery after a network change).
    pub async fn create_offer(&self, ice_restart: bool) -> Result<String, PeerError> {
        self.check_open()?;
        if ice_restart {
            self.pc.restart_ice().await.map_err(PeerError::Internal)?;
        }
        let offer = self
            .pc
            .create_offer(None)
            .await
            .map_err(PeerError::Internal)?;
        let sdp = offer.sdp.clone();
        self.pc
            .set_local_description(offer)
            .await
            .map_err(PeerError::Internal)?;
        self.local_description_set(&sdp);
        Ok(sdp)
    }

    /// Creates the answer to the remote offer, sets it as the local description
    /// and returns its SDP.
    pub async fn create_answer(&self) -> Result<String, PeerError> {
        self.check_open()?;
        let answer = self
            .pc
            .create_answer(None)
            .await
            .map_err(PeerError::Internal)?;
        let sdp = answer.sdp.clone();
        self.pc
            .set_local_description(answer)
            .await
            .map_err(PeerError::Internal)?;
        self.local_description_set(&sdp);
        Ok(sdp)
    }

    /// Applies the remote offer or answer.
    pub async fn set_remote_description(
        &self,
        kind: SdpKind,
        sdp: String,
    ) -> Result<(), PeerError> {
        self.check_open()?;
        let desc = parse_description(kind, sdp)?;
        AssertUnwindSafe(self.pc.set_remote_description(desc))
            .catch_unwind()
            .await
            .map_err(|_| panicked("set remote description"))?
            .map_err(PeerError::BadSdp)?;
        self.video.renegotiated();
        self.audio.renegotiated();
        Ok(())
    }

    /// Adds a remote ICE candidate; the remote description must be set
    /// (the negotiator holds early candidates back until it is). The
    /// end-of-candidates marker (empty line) is accepted and ignored.
    pub async fn add_remote_candidate(&self, candidate: IceCandidate) -> Result<(), PeerError> {
        self.check_open()?;
        if candidate.is_end_of_candidates() {
            return Ok(());
        }
        check_candidate(&candidate)?;
        let init = RTCIceCandidateInit {
            candidate: candidate.candidate,
            sdp_mid: candidate.sdp_mid,
            sdp_mline_index: candidate.sdp_mline_index,
            username_fragment: candidate.username_fragment,
            url: None,
        };
        AssertUnwindSafe(self.pc.add_ice_candidate(init))
            .catch_unwind()
            .await
            .map_err(|_| panicked("add candidate"))?
            .map_err(PeerError::BadCandidate)
    }

    /// Sends one H.264 Annex-B access unit that lasts `duration` (1/fps).
    pub async fn write_video(
        &self,
        access_unit: Bytes,
        duration: Duration,
    ) -> Result<(), PeerError> {
        self.check_sendable()?;
        self.video.write(access_unit, duration).await
    }

    /// Sends one Opus packet that lasts `duration` (usually 20 ms).
    pub async fn write_audio(&self, packet: Bytes, duration: Duration) -> Result<(), PeerError> {
        self.check_sendable()?;
        self.audio.write(packet, duration).await
    }

    /// Asks the remote for a key frame (PLI on its video), e.g. when our decoder fails.
    pub async fn request_key_frame(&self) -> Result<(), PeerError> {
        self.check_sendable()?;
        let (track, media_ssrc) = self.shared.remote_video().ok_or(PeerError::NotConnected)?;
        let pli = PictureLossIndication {
            sender_ssrc: self.video.ssrc(),
            media_ssrc,
        };
        track
            .write_rtcp(vec![Box::new(pli)])
            .await
            .map_err(|_| PeerError::NotConnected)
    }

    /// The current connection state.
    pub fn state(&self) -> ConnectionState {
        self.shared.state()
    }

    /// The round trip of the candidate pair in use, from ICE's latest
    /// connectivity or consent check; `None` before the first answer.
    pub async fn round_trip_time(&self) -> Option<Duration> {
        let report = self.pc.get_stats(Instant::now(), StatsSelector::None).await;
        let selected = report.iter().find_map(|entry| match entry {
            RTCStatsReportEntry::Transport(t) => Some(t.selected_candidate_pair_id.as_str()),
            _ => None,
        })?;
        match report.get(selected)? {
            RTCStatsReportEntry::IceCandidatePair(pair) if pair.current_round_trip_time > 0.0 => {
                Some(Duration::from_secs_f64(pair.current_round_trip_time))
            }
            _ => None,
        }
    }

    /// Our DTLS certificate fingerprint (`"sha-256 AB:CD:..."`), once an SDP is made.
    pub fn local_fingerprint(&self) -> Option<String> {
        self.shared.local_fingerprint()
    }

    /// The certificate the remote presented in the DTLS handshake (DER),
    /// which DTLS checked against its SDP's fingerprint: `None` before the
    /// handshake completed. (An SDP may carry several `a=fingerprint` lines;
    /// this is the one certificate that counts.)
    pub async fn remote_certificate(&self) -> Option<Vec<u8>> {
        let transport = self.video.sender().transport().await.ok()??;
        let chain = transport.get_remote_certificates().await.ok()?;
        chain.into_iter().next()
    }

    /// Stops sending and closes the connection. Idempotent.
    pub async fn close(&self) {
        // Writers stop first: a write racing close logs the whole packet.
        if self.shared.mark_closed() {
            if let Err(e) = self.pc.close().await {
                tracing::debug!(error = %e, "close");
            }
            self.shared.set_state(ConnectionState::Closed);
        }
    }

    fn check_open(&self) -> Result<(), PeerError> {
        if self.shared.is_closed() {
            Err(PeerError::Closed)
        } else {
            Ok(())
        }
    }

    fn check_sendable(&self) -> Result<(), PeerError> {
        self.check_open()?;
        match self.shared.state() {
            ConnectionState::Connected => Ok(()),
            ConnectionState::Failed => Err(PeerError::ConnectionFailed),
            _ => Err(PeerError::NotConnected),
        }
    }

    fn local_description_set(&self, sdp: &str) {
        self.video.renegotiated();
        self.audio.renegotiated();
        self.shared
            .set_local_fingerprint(dtls_fingerprint(sdp).map(str::to_owned));
        if let Some(mid) = sdp.lines().find_map(|l| l.trim().strip_prefix("a=mid:")) {
            // With BUNDLE every candidate belongs to the first m-line.
            self.shared.set_candidate_mid(mid.to_owned(), 0);
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        // webrtc-rs stops its driver when the connection is dropped; just make
        // sure no writer starts meanwhile.
        self.shared.mark_closed();
    }
}
