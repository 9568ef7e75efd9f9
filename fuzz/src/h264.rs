//! The H.264 frame assembler fed RTP packets as they come off the wire
//! (parsed by webrtc-rs's RTP unmarshaller, then reassembled by ours). Every
//! frame it emits is a non-empty Annex-B access unit.

use bytes::Bytes;
use rtc::rtp;
use rtc::shared::marshal::Unmarshal;
use videochat_core::peer::FrameAssembler;

use crate::input::Reader;

/// Input: length-prefixed (one byte) RTP packets. A packet whose first byte
/// is 0 stands for one built from the next bytes (sequence number step,
/// timestamp step, marker), so short inputs reach reordering and loss.
pub fn h264_assembler(data: &[u8]) {
    let mut assembler = FrameAssembler::new();
    let mut input = Reader::new(data);
    let (mut seq, mut timestamp) = (0u16, 0u32);
    while !input.is_empty() {
        let raw = input.bytes();
        let packet = match raw.split_first() {
            Some((0, rest)) => {
                let mut fields = Reader::new(rest);
                seq = seq.wrapping_add(u16::from(fields.u8()).wrapping_sub(8));
                timestamp = timestamp.wrapping_add(u32::from(fields.u8()) * 100);
                let marker = fields.u8() & 1 == 1;
                let mut packet = rtp::Packet::default();
                packet.header.sequence_number = seq;
                packet.header.timestamp = timestamp;
                packet.header.marker = marker;
                packet.payload = Bytes::copy_from_slice(fields.bytes());
                packet
            }
            _ => match rtp::Packet::unmarshal(&mut &raw[..]) {
                Ok(packet) => packet,
                Err(_) => continue,
            },
        };
        for frame in assembler.push(packet) {
            assert!(!frame.data.is_empty(), "an empty access unit");
            assert!(
                frame.data.starts_with(&[0, 0, 0, 1]),
                "an access unit without a start code"
            );
        }
    }
}
