//! Codecs and interceptors: what the peer offers and how RTP/RTCP is processed.

use rtc::interceptor::{CongestionControlBuilder, NackResponderBuilder, Registry, Slot};
use rtc::peer_connection::configuration::interceptor_registry::{
    configure_rtcp_reports, configure_twcc,
};
use rtc::peer_connection::configuration::media_engine::{
    MIME_TYPE_H264, MIME_TYPE_OPUS, MediaEngine,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind,
};

use super::PeerError;
use super::events::EventQueue;
use super::nack::NackRequester;
use super::rtcp::FeedbackObserver;
use super::send_rate::{BitrateLimits, SendRate};
use super::tracks::random_u32;

/// H.264 Constrained Baseline 3.1, packetization mode 1, exactly as Chromium
/// offers it. Without the full line webrtc-rs matches another profile or mode 0.
pub const H264_FMTP: &str =
    "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f";
/// Opus with 10 ms minimum packet time and in-band FEC, as browsers offer it.
pub const OPUS_FMTP: &str = "minptime=10;useinbandfec=1";
/// RTP clock rate of video.
pub const VIDEO_CLOCK_RATE: u32 = 90_000;
/// RTP clock rate of Opus (always 48 kHz on the wire).
pub const AUDIO_CLOCK_RATE: u32 = 48_000;

/// Our preferred payload types when we offer; an answer takes the offerer's.
const H264_PAYLOAD_TYPE: u8 = 102;
const OPUS_PAYLOAD_TYPE: u8 = 111;

/// Where the feedback observer sits in the chain: nearest the wire, so it sees
/// inbound RTCP before any interceptor could consume it.
const FEEDBACK_OBSERVER_SLOT: usize = 500;

/// The H.264 codec our video track sends.
pub(crate) fn h264_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_H264.to_owned(),
        clock_rate: VIDEO_CLOCK_RATE,
        channels: 0,
        sdp_fmtp_line: H264_FMTP.to_owned(),
        // transport-cc is added with the congestion control interceptors.
        rtcp_feedback: [("ccm", "fir"), ("nack", ""), ("nack", "pli")]
            .into_iter()
            .map(|(typ, parameter)| RTCPFeedback {
                typ: typ.to_owned(),
                parameter: parameter.to_owned(),
            })
            .collect(),
    }
}

/// The Opus codec our audio track sends.
pub(crate) fn opus_codec() -> RTCRtpCodec {
    RTCRtpCodec {
        mime_type: MIME_TYPE_OPUS.to_owned(),
        clock_rate: AUDIO_CLOCK_RATE,
        channels: 2,
        sdp_fmtp_line: OPUS_FMTP.to_owned(),
        rtcp_feedback: Vec::new(),
    }
}

/// A media engine with H.264 and Opus, and the interceptor chain: NACK, RTCP
/// reports, transport-wide feedback both ways with congestion control
/// ([`SendRate`]) on what we send, plus our [`FeedbackObserver`] for `video_ssrc`.
pub(crate) fn media_engine_and_interceptors(
    video_ssrc: u32,
    send_rate: BitrateLimits,
    events: EventQueue,
) -> Result<(MediaEngine, Registry), PeerError> {
    let mut engine = MediaEngine::default();
    // Codecs first: the interceptor helpers only add feedback to codecs that exist.
    engine
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: h264_codec(),
                payload_type: H264_PAYLOAD_TYPE,
            },
            RtpCodecKind::Video,
        )
        .map_err(PeerError::Internal)?;
    engine
        .register_codec(
            RTCRtpCodecParameters {
                rtp_codec: opus_codec(),
                payload_type: OPUS_PAYLOAD_TYPE,
            },
            RtpCodecKind::Audio,
        )
        .map_err(PeerError::Internal)?;
    let registry = configure_rtcp_reports(Registry::new())
        .with(Slot::NackResponder, NackResponderBuilder::new().build())
        // In place of rtc's generator: see NackRequester.
        .with(Slot::NackGenerator, NackRequester::new(random_u32()));
    let registry = configure_twcc(registry, &mut engine)
        .map_err(PeerError::Internal)?
        .with(
            Slot::CongestionControl,
            CongestionControlBuilder::new(SendRate::new(send_rate, events.clone())).build(),
        )
        .with(
            Slot::from(FEEDBACK_OBSERVER_SLOT),
            FeedbackObserver::new(video_ssrc, events),
        );
    Ok((engine, registry))
}
