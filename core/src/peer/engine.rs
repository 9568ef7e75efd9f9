//! Codecs and interceptors: what the peer offers and how RTP/RTCP is processed.

use rtc::interceptor::{Registry, Slot};
use rtc::peer_connection::configuration::interceptor_registry::register_default_interceptors;
use rtc::peer_connection::configuration::media_engine::{
    MIME_TYPE_H264, MIME_TYPE_OPUS, MediaEngine,
};
use rtc::rtp_transceiver::rtp_sender::{
    RTCPFeedback, RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind,
};

use super::PeerError;
use super::events::EventQueue;
use super::rtcp::FeedbackObserver;

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
        // nack, nack pli and transport-cc are added by the default interceptors.
        rtcp_feedback: vec![RTCPFeedback {
            typ: "ccm".to_owned(),
            parameter: "fir".to_owned(),
        }],
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
/// reports, TWCC feedback, plus our [`FeedbackObserver`] for `video_ssrc`.
pub(crate) fn media_engine_and_interceptors(
    video_ssrc: u32,
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
    let registry = register_default_interceptors(Registry::new(), &mut engine)
        .map_err(PeerError::Internal)?
        .with(
            Slot::from(FEEDBACK_OBSERVER_SLOT),
            FeedbackObserver::new(video_ssrc, events),
        );
    Ok((engine, registry))
}
