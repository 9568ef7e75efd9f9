//! Opus voice codec: 48 kHz mono, 20 ms frames, VOIP mode with in-band FEC.
//!
//! Mono because a phone call's microphone is mono and the browser plays mono Opus fine; the
//! SDP still says `opus/48000/2` (RFC 7587), which a mono stream satisfies.

use opus::{Application, Bitrate, Channels};
use thiserror::Error;

/// Opus always runs at 48 kHz on the wire.
pub const OPUS_SAMPLE_RATE: u32 = 48_000;
/// Mono.
pub const OPUS_CHANNELS: usize = 1;
/// Samples in one 20 ms frame (per channel).
pub const OPUS_FRAME_SAMPLES: usize = 960;
/// Largest packet we produce; 1275 bytes is Opus's own maximum for one frame.
const MAX_PACKET_BYTES: usize = 1275;
/// Default target: comfortable wideband speech with room for FEC.
pub const DEFAULT_OPUS_BITRATE_BPS: u32 = 32_000;
/// Loss the encoder plans FEC for until told otherwise.
const DEFAULT_EXPECTED_LOSS_PERCENT: u8 = 5;

/// An Opus encode or decode failure.
#[derive(Debug, Error)]
pub enum AudioError {
    /// The PCM chunk is not exactly one 20 ms frame.
    #[error("expected {OPUS_FRAME_SAMPLES} samples, got {0}")]
    WrongChunkSize(usize),
    /// libopus reported an error (corrupt packet, bad argument).
    #[error("opus: {0}")]
    Codec(#[from] opus::Error),
}

/// Opus encoder for 20 ms chunks of 48 kHz mono `i16` PCM.
pub struct OpusEncoder {
    inner: opus::Encoder,
    buffer: Vec<u8>,
}

impl OpusEncoder {
    /// A VOIP-mode encoder at `bitrate_bps` with in-band FEC on.
    pub fn new(bitrate_bps: u32) -> Result<Self, AudioError> {
        let mut inner = opus::Encoder::new(OPUS_SAMPLE_RATE, Channels::Mono, Application::Voip)?;
        inner.set_inband_fec(true)?;
        // FEC is only spent when the encoder expects loss.
        inner.set_packet_loss_perc(i32::from(DEFAULT_EXPECTED_LOSS_PERCENT))?;
        let mut encoder = Self {
            inner,
            buffer: vec![0; MAX_PACKET_BYTES],
        };
        encoder.set_bitrate(bitrate_bps)?;
        Ok(encoder)
    }

    /// Changes the target bitrate (libopus clamps to 6-510 kbps).
    pub fn set_bitrate(&mut self, bps: u32) -> Result<(), AudioError> {
        self.inner
            .set_bitrate(Bitrate::Bits(i32::try_from(bps).unwrap_or(i32::MAX)))?;
        Ok(())
    }

    /// Tells the encoder how much loss to protect against with FEC (0-100 %).
    pub fn set_expected_packet_loss(&mut self, percent: u8) -> Result<(), AudioError> {
        self.inner
            .set_packet_loss_perc(i32::from(percent.min(100)))?;
        Ok(())
    }

    /// Encodes exactly [`OPUS_FRAME_SAMPLES`] samples into one packet.
    pub fn encode(&mut self, pcm: &[i16]) -> Result<Vec<u8>, AudioError> {
        if pcm.len() != OPUS_FRAME_SAMPLES * OPUS_CHANNELS {
            return Err(AudioError::WrongChunkSize(pcm.len()));
        }
        let len = self.inner.encode(pcm, &mut self.buffer)?;
        Ok(self.buffer[..len].to_vec())
    }
}

/// Opus decoder to 20 ms chunks of 48 kHz mono `i16` PCM, with loss concealment.
pub struct OpusDecoder {
    inner: opus::Decoder,
}

impl OpusDecoder {
    /// A mono 48 kHz decoder.
    pub fn new() -> Result<Self, AudioError> {
        Ok(Self {
            inner: opus::Decoder::new(OPUS_SAMPLE_RATE, Channels::Mono)?,
        })
    }

    /// Decodes a packet, or conceals one lost 20 ms frame when `packet` is `None`.
    pub fn decode(&mut self, packet: Option<&[u8]>) -> Result<Vec<i16>, AudioError> {
        let mut pcm = vec![0; OPUS_FRAME_SAMPLES * OPUS_CHANNELS];
        let samples = self.decode_into(packet, &mut pcm)?;
        pcm.truncate(samples * OPUS_CHANNELS);
        Ok(pcm)
    }

    /// Like [`OpusDecoder::decode`] into a caller buffer (at least one frame long; a packet
    /// of up to 120 ms needs 5760 samples). Returns the samples written.
    pub fn decode_into(
        &mut self,
        packet: Option<&[u8]>,
        pcm: &mut [i16],
    ) -> Result<usize, AudioError> {
        match packet {
            Some(bytes) if !bytes.is_empty() => Ok(self.inner.decode(bytes, pcm, false)?),
            // An empty slice is libopus's "packet lost": it extrapolates one frame.
            _ => {
                let len = pcm.len();
                let frame = pcm
                    .get_mut(..OPUS_FRAME_SAMPLES * OPUS_CHANNELS)
                    .ok_or(AudioError::WrongChunkSize(len))?;
                Ok(self.inner.decode(&[], frame, false)?)
            }
        }
    }

    /// Recovers the frame lost just before `next_packet` from that packet's in-band FEC data
    /// (falls back to concealment when it carries none). Decode `next_packet` itself afterwards.
    pub fn decode_fec(&mut self, next_packet: &[u8]) -> Result<Vec<i16>, AudioError> {
        let mut pcm = vec![0; OPUS_FRAME_SAMPLES * OPUS_CHANNELS];
        let samples = self.inner.decode(next_packet, &mut pcm, true)?;
        pcm.truncate(samples * OPUS_CHANNELS);
        Ok(pcm)
    }
}
