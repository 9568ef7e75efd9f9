//! Remote media: RTP packets in, H.264 access units and Opus packets out.
//!
//! [`FrameAssembler`] is used instead of rtc's `SampleBuilder` for two reasons:
//! `SampleBuilder` holds every frame until the first packet of the *next* frame
//! arrives (one frame interval of added latency, 33 ms at 30 fps), and its H.264
//! depacketizer indexes past the end of a malformed STAP-A (a panic on remote
//! input). The assembler emits a frame as soon as its marker packet completes a
//! gap-free run, validates aggregation packets, and does not count libWebRTC's
//! padding-only packets as loss.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use rtc::rtp;
use rtc::rtp::codec::h264::H264Packet;
use rtc::rtp::packetizer::Depacketizer;
use webrtc::media_stream::track_remote::{TrackRemote, TrackRemoteEvent};

use super::events::{EventQueue, PeerEvent, RemoteAudioPacket, RemoteVideoFrame};

/// Give up on an incomplete frame once this many newer packets are waiting.
const MAX_PENDING_PACKETS: u64 = 2_000;
/// ... or once packets this much newer (90 kHz ticks, 300 ms) have arrived.
const MAX_WAIT_TICKS: i32 = 27_000;

const NALU_TYPE_MASK: u8 = 0x1f;
const STAP_A: u8 = 24;
const FU_A: u8 = 28;
const FU_START: u8 = 0x80;
const IDR: u8 = 5;

/// Reassembles H.264 access units from RTP packets (RFC 6184, packetization mode 1).
///
/// Sans-IO: push packets in arrival order, collect the frames each push completes.
#[derive(Debug, Default)]
pub struct FrameAssembler {
    /// Waiting packets by extended (unwrapped) sequence number.
    packets: BTreeMap<u64, rtp::Packet>,
    /// The first sequence number not yet consumed.
    next: Option<u64>,
    /// Highest extended sequence number seen, for unwrapping.
    highest: Option<u64>,
    /// Media packets lost or discarded since the last emitted frame.
    lost: u32,
}

enum Step {
    /// Waiting for a missing packet.
    Wait,
    /// Consumed packets (a frame, padding or a broken frame); try again.
    Progress(Option<RemoteVideoFrame>),
}

impl FrameAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one packet; returns the frames it completed, oldest first.
    pub fn push(&mut self, packet: rtp::Packet) -> Vec<RemoteVideoFrame> {
        let seq = self.unwrap_sequence(packet.header.sequence_number);
        let next = *self.next.get_or_insert(seq);
        if seq < next {
            // Late (already given up on) or a duplicate of a consumed packet.
            return Vec::new();
        }
        self.packets.insert(seq, packet);

        let mut frames = Vec::new();
        loop {
            match self.step() {
                Step::Progress(frame) => frames.extend(frame),
                Step::Wait if self.stuck() => self.skip_stuck_frame(),
                Step::Wait => break,
            }
        }
        frames
    }

    fn unwrap_sequence(&mut self, seq: u16) -> u64 {
        let ext = match self.highest {
            // Start high so reordered earlier packets do not underflow.
            None => (1 << 32) + u64::from(seq),
            Some(highest) => {
                let delta = i64::from(seq.wrapping_sub(highest as u16) as i16);
                highest.saturating_add_signed(delta)
            }
        };
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        ext
    }

    fn step(&mut self) -> Step {
        let Some(start) = self.next else {
            return Step::Wait;
        };
        let Some(first) = self.packets.get(&start) else {
            return Step::Wait;
        };
        if first.payload.is_empty() {
            // libWebRTC padding: consumes a sequence number, carries no media.
            self.packets.remove(&start);
            self.next = Some(start + 1);
            return Step::Progress(None);
        }
        let timestamp = first.header.timestamp;
        let head_ok = is_partition_head(&first.payload);

        // Find where this frame ends: its marker, or the next timestamp.
        let mut end = start;
        let complete_through = loop {
            match self.packets.get(&end) {
                None => return Step::Wait,
                Some(p) if p.header.timestamp != timestamp => break end,
                Some(p) if p.header.marker => break end + 1,
                Some(_) => end += 1,
            }
        };
        let payloads: Vec<Bytes> = (start..complete_through)
            .filter_map(|s| self.packets.remove(&s))
            .map(|p| p.payload)
            .collect();
        self.next = Some(complete_through);
        if !head_ok {
            // The frame's first packets were lost earlier: undecodable.
            self.lost = self.lost.saturating_add(payloads.len() as u32);
            return Step::Progress(None);
        }
        match depacketize(&payloads) {
            Some(data) => {
                let frame = RemoteVideoFrame {
                    key_frame: contains_idr(&data),
                    data,
                    rtp_timestamp: timestamp,
                    lost_packets: std::mem::take(&mut self.lost),
                    packets: payloads.len() as u32,
                };
                Step::Progress(Some(frame))
            }
            None => {
                self.lost = self.lost.saturating_add(payloads.len() as u32);
                Step::Progress(None)
            }
        }
    }

    /// The oldest incomplete frame has waited too long for a missing packet.
    fn stuck(&self) -> bool {
        let (Some(next), Some((&newest, newest_packet))) =
            (self.next, self.packets.last_key_value())
        else {
            return false;
        };
        let Some((_, oldest_packet)) = self.packets.first_key_value() else {
            return false;
        };
        let waited_ticks = newest_packet
            .header
            .timestamp
            .wrapping_sub(oldest_packet.header.timestamp) as i32;
        newest.saturating_sub(next) > MAX_PENDING_PACKETS || waited_ticks > MAX_WAIT_TICKS
    }

    /// Gives up on a missing packet: resumes at the oldest waiting packet if it
    /// can start a frame, else drops its whole frame (all packets sharing its
    /// timestamp). The sequence numbers skipped count as lost.
    fn skip_stuck_frame(&mut self) {
        let Some(next) = self.next else { return };
        let Some((&oldest_seq, oldest)) = self.packets.first_key_value() else {
            return;
        };
        let timestamp = oldest.header.timestamp;
        let resume = if oldest_seq > next && is_partition_head(&oldest.payload) {
            oldest_seq
        } else {
            self.packets
                .iter()
                .find(|(_, p)| p.header.timestamp != timestamp)
                .map(|(&s, _)| s)
                .or_else(|| self.highest.map(|h| h + 1))
                .unwrap_or(next + 1)
        };
        let padding = self
            .packets
            .range(next..resume)
            .filter(|(_, p)| p.payload.is_empty())
            .count() as u64;
        let skipped = resume.saturating_sub(next).saturating_sub(padding);
        self.lost = self
            .lost
            .saturating_add(u32::try_from(skipped).unwrap_or(u32::MAX));
        self.packets = self.packets.split_off(&resume);
        self.next = Some(resume);
    }
}

/// First packet of a NAL unit (not a middle or end FU-A fragment).
fn is_partition_head(payload: &Bytes) -> bool {
    match payload.first().map(|b| b & NALU_TYPE_MASK) {
        None => false,
        Some(FU_A) => payload.get(1).is_some_and(|b| b & FU_START != 0),
        Some(_) => true,
    }
}

/// A STAP-A whose length fields stay inside the packet (rtc's depacketizer
/// would index out of bounds otherwise).
fn is_well_formed(payload: &Bytes) -> bool {
    if payload.first().map(|b| b & NALU_TYPE_MASK) != Some(STAP_A) {
        return true;
    }
    let mut offset = 1;
    while offset < payload.len() {
        let (Some(&hi), Some(&lo)) = (payload.get(offset), payload.get(offset + 1)) else {
            return false;
        };
        offset += 2 + ((usize::from(hi) << 8) | usize::from(lo));
        if offset > payload.len() {
            return false;
        }
    }
    true
}

/// Annex-B access unit from one frame's payloads; `None` if any is malformed.
fn depacketize(payloads: &[Bytes]) -> Option<Bytes> {
    // A fresh depacketizer per frame: no FU-A remainder leaks between frames.
    let mut depacketizer = H264Packet::default();
    let mut out = BytesMut::new();
    for payload in payloads {
        if !is_well_formed(payload) {
            return None;
        }
        out.extend_from_slice(&depacketizer.depacketize(payload).ok()?);
    }
    (!out.is_empty()).then(|| out.freeze())
}

/// Whether an Annex-B access unit (4-byte start codes) holds an IDR slice.
fn contains_idr(annex_b: &[u8]) -> bool {
    annex_b
        .windows(5)
        .any(|w| w[..4] == [0, 0, 0, 1] && w[4] & NALU_TYPE_MASK == IDR)
}

/// Reads the remote video track until it ends, emitting access units.
pub(crate) async fn read_video(track: Arc<dyn TrackRemote>, events: EventQueue) {
    let mut assembler = FrameAssembler::new();
    while let Some(event) = track.poll().await {
        match event {
            TrackRemoteEvent::OnRtpPacket(packet) => {
                for frame in assembler.push(packet) {
                    events.media(PeerEvent::RemoteVideo(frame));
                }
            }
            TrackRemoteEvent::OnEnded => break,
            _ => {}
        }
    }
}

/// Reads the remote audio track until it ends, emitting Opus packets.
pub(crate) async fn read_audio(track: Arc<dyn TrackRemote>, events: EventQueue) {
    while let Some(event) = track.poll().await {
        match event {
            TrackRemoteEvent::OnRtpPacket(packet) if !packet.payload.is_empty() => {
                events.media(PeerEvent::RemoteAudio(RemoteAudioPacket {
                    data: packet.payload,
                    sequence: packet.header.sequence_number,
                    rtp_timestamp: packet.header.timestamp,
                }));
            }
            TrackRemoteEvent::OnEnded => break,
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "receive_tests.rs"]
mod tests;
