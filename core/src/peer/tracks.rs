//! The two local tracks (one video, one audio) and writing encoded media to them.
//!
//! Each track lives for the whole call: webrtc-rs 0.21's `replace_track` drops
//! writes, so a camera switch changes what feeds the track, never the track.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use rtc::media::Sample;
use rtc::media_stream::MediaStreamTrack;
use rtc::rtp_transceiver::rtp_sender::{
    RTCRtpCodec, RTCRtpCodingParameters, RTCRtpEncodingParameters, RtpCodecKind,
};
use webrtc::media_stream::track_local::static_sample::TrackLocalStaticSample;
use webrtc::rtp_transceiver::RtpSender;

use super::PeerError;

/// Browsers group tracks by stream id: one stream keeps audio and video in sync
/// and in one `<video>` element.
const STREAM_ID: &str = "videochat";

/// Marks "payload type not known yet" in the cache (payload types are 7 bits).
const UNKNOWN_PT: u16 = u16::MAX;

/// A random 32-bit value (SSRCs need only be unlikely to collide).
pub(crate) fn random_u32() -> u32 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default(),
    );
    // Zero is legal but some stacks treat it as "unset".
    (hasher.finish() as u32).max(1)
}

/// One local sample track and its RTP sender.
pub(crate) struct LocalTrack {
    track: Arc<TrackLocalStaticSample>,
    sender: Arc<dyn RtpSender>,
    ssrc: u32,
    mime_type: String,
    /// The negotiated payload type; differs with who offered, so it is read from
    /// the sender after each negotiation.
    payload_type: AtomicU16,
}

impl LocalTrack {
    /// The RTP sender (its transport holds the DTLS state).
    pub(crate) fn sender(&self) -> &Arc<dyn RtpSender> {
        &self.sender
    }

    /// A sample track of `kind` sending `codec` on `ssrc`.
    pub(crate) fn sample_track(
        kind: RtpCodecKind,
        ssrc: u32,
        codec: RTCRtpCodec,
    ) -> Result<Arc<TrackLocalStaticSample>, PeerError> {
        let track = MediaStreamTrack::new(
            STREAM_ID.to_owned(),
            format!("videochat-{kind}"),
            format!("videochat-{kind}"),
            kind,
            vec![RTCRtpEncodingParameters {
                rtp_coding_parameters: RTCRtpCodingParameters {
                    ssrc: Some(ssrc),
                    ..Default::default()
                },
                codec,
                ..Default::default()
            }],
        );
        TrackLocalStaticSample::new(Instant::now(), track)
            .map(Arc::new)
            .map_err(PeerError::Internal)
    }

    pub(crate) fn new(
        track: Arc<TrackLocalStaticSample>,
        sender: Arc<dyn RtpSender>,
        ssrc: u32,
        mime_type: &str,
    ) -> Self {
        Self {
            track,
            sender,
            ssrc,
            mime_type: mime_type.to_owned(),
            payload_type: AtomicU16::new(UNKNOWN_PT),
        }
    }

    /// Our SSRC on this track.
    pub(crate) fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Forgets the payload type; the next write reads it again (after a new
    /// offer/answer).
    pub(crate) fn renegotiated(&self) {
        self.payload_type.store(UNKNOWN_PT, Ordering::Relaxed);
    }

    async fn payload_type(&self) -> Result<u8, PeerError> {
        let cached = self.payload_type.load(Ordering::Relaxed);
        if let Ok(pt) = u8::try_from(cached) {
            return Ok(pt);
        }
        let params = self
            .sender
            .get_parameters()
            .await
            .map_err(|_| PeerError::NotConnected)?;
        let codecs = &params.rtp_parameters.codecs;
        let ours = codecs
            .iter()
            .find(|c| {
                c.rtp_codec.mime_type.eq_ignore_ascii_case(&self.mime_type)
                    && (!self.mime_type.eq_ignore_ascii_case("video/H264")
                        || c.rtp_codec.sdp_fmtp_line.contains("packetization-mode=1"))
            })
            .or_else(|| codecs.first())
            .ok_or(PeerError::NotConnected)?;
        self.payload_type
            .store(u16::from(ours.payload_type), Ordering::Relaxed);
        Ok(ours.payload_type)
    }

    /// Packetizes and sends one encoded unit lasting `duration` (which advances
    /// the RTP timestamp).
    pub(crate) async fn write(&self, data: Bytes, duration: Duration) -> Result<(), PeerError> {
        let payload_type = self.payload_type().await?;
        let sample = Sample {
            data,
            duration,
            ..Sample::new(Instant::now())
        };
        self.track
            .sample_writer(self.ssrc, payload_type)
            .write_sample(&sample)
            .await
            // Before negotiation ends the track is unbound; after close the
            // driver is gone. Either way nothing can be sent.
            .map_err(|_| PeerError::NotConnected)
    }
}
