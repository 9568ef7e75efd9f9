use super::*;
use rtc::rtp::codec::h264::H264Payloader;
use rtc::rtp::header::Header;
use rtc::rtp::packetizer::Payloader;

const SPS: [u8; 8] = [0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16];
const PPS: [u8; 4] = [0x68, 0xce, 0x3c, 0x80];

/// An Annex-B access unit: SPS, PPS and an IDR slice of `len` bytes (key), or
/// one non-IDR slice (delta).
fn access_unit(key: bool, len: usize) -> Bytes {
    let mut au = Vec::new();
    if key {
        for nal in [&SPS[..], &PPS[..]] {
            au.extend_from_slice(&[0, 0, 0, 1]);
            au.extend_from_slice(nal);
        }
    }
    au.extend_from_slice(&[0, 0, 0, 1, if key { 0x65 } else { 0x41 }]);
    au.extend((0..len).map(|i| (i % 251) as u8 | 0x10));
    Bytes::from(au)
}

/// RTP packets of one access unit, the way a sender packetizes it (MTU 1200).
fn packetize(au: &Bytes, first_seq: u16, timestamp: u32) -> Vec<rtp::Packet> {
    let payloads = H264Payloader::default()
        .payload(1200, au)
        .expect("valid access unit");
    let last = payloads.len() - 1;
    payloads
        .into_iter()
        .enumerate()
        .map(|(i, payload)| rtp::Packet {
            header: Header {
                sequence_number: first_seq.wrapping_add(i as u16),
                timestamp,
                marker: i == last,
                ..Default::default()
            },
            payload,
        })
        .collect()
}

fn padding(seq: u16, timestamp: u32) -> rtp::Packet {
    rtp::Packet {
        header: Header {
            sequence_number: seq,
            timestamp,
            padding: true,
            ..Default::default()
        },
        payload: Bytes::new(),
    }
}

fn push_all(asm: &mut FrameAssembler, packets: Vec<rtp::Packet>) -> Vec<RemoteVideoFrame> {
    packets.into_iter().flat_map(|p| asm.push(p)).collect()
}

#[test]
fn frame_is_emitted_as_soon_as_its_marker_packet_arrives() {
    let au = access_unit(false, 300);
    let mut asm = FrameAssembler::new();
    let frames = push_all(&mut asm, packetize(&au, 10, 3000));
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].data, au);
    assert_eq!(frames[0].rtp_timestamp, 3000);
    assert!(!frames[0].key_frame);
    assert_eq!(frames[0].lost_packets, 0);
}

#[test]
fn fragmented_key_frame_is_reassembled_even_when_reordered() {
    let au = access_unit(true, 5000);
    let mut packets = packetize(&au, 65_533, 90_000);
    assert!(packets.len() >= 5, "FU-A across the sequence wrap");
    packets.swap(1, 3);
    let sent = packets.len() as u32;
    let mut asm = FrameAssembler::new();
    let frames = push_all(&mut asm, packets);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].data, au);
    assert!(frames[0].key_frame);
    assert_eq!(frames[0].packets, sent, "counts the packets it came in");
}

#[test]
fn padding_between_frames_is_not_counted_as_loss() {
    let mut asm = FrameAssembler::new();
    let mut packets = packetize(&access_unit(true, 2000), 100, 0);
    let next_seq = 100 + packets.len() as u16;
    packets.extend((0..5).map(|i| padding(next_seq + i, 0)));
    packets.extend(packetize(&access_unit(false, 500), next_seq + 5, 3000));
    let frames = push_all(&mut asm, packets);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].lost_packets, 0);
}

#[test]
fn a_lost_packet_drops_its_frame_and_is_reported_on_the_next_one() {
    let mut asm = FrameAssembler::new();
    let mut seq = 0u16;
    let mut frames = Vec::new();
    for n in 0..20u32 {
        let mut packets = packetize(&access_unit(n == 0, 3000), seq, n * 3000);
        seq = seq.wrapping_add(packets.len() as u16);
        if n == 3 {
            packets.remove(1);
        }
        frames.extend(push_all(&mut asm, packets));
    }
    let timestamps: Vec<u32> = frames.iter().map(|f| f.rtp_timestamp).collect();
    assert!(!timestamps.contains(&9000), "the damaged frame is dropped");
    assert_eq!(
        frames.len(),
        19,
        "every other frame arrives: {timestamps:?}"
    );
    let after = frames
        .iter()
        .find(|f| f.rtp_timestamp > 9000)
        .expect("frame 4");
    assert!(after.lost_packets >= 1);
    let mut sorted = timestamps.clone();
    sorted.sort_unstable();
    assert_eq!(timestamps, sorted, "frames come out in order");
}

#[test]
fn joining_mid_frame_skips_to_the_next_whole_frame() {
    let mut asm = FrameAssembler::new();
    let first = packetize(&access_unit(true, 4000), 50, 0);
    let n = first.len() as u16;
    let mut packets: Vec<_> = first.into_iter().skip(2).collect();
    packets.extend(packetize(&access_unit(false, 100), 50 + n, 3000));
    let frames = push_all(&mut asm, packets);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].rtp_timestamp, 3000);
    assert!(frames[0].lost_packets > 0);
}

#[test]
fn malformed_payloads_never_panic_and_count_as_loss() {
    let mut asm = FrameAssembler::new();
    let bad: [&[u8]; 5] = [
        &[0x78, 0x00],             // STAP-A with a truncated length field
        &[0x78, 0x00, 0x09, 0x67], // STAP-A longer than the packet
        &[0x7c],                   // FU-A without its header
        &[0x1e, 0x01, 0x02],       // an unsupported NAL type
        &[0x41],                   // a one-byte slice
    ];
    for (i, payload) in bad.iter().enumerate() {
        let frames = asm.push(rtp::Packet {
            header: Header {
                sequence_number: i as u16,
                timestamp: i as u32 * 3000,
                marker: true,
                ..Default::default()
            },
            payload: Bytes::copy_from_slice(payload),
        });
        assert!(frames.is_empty());
    }
    let good = access_unit(true, 100);
    let frames = push_all(&mut asm, packetize(&good, 5, 15_000));
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].data, good);
    assert!(frames[0].lost_packets >= 4);
}

#[test]
fn duplicates_and_late_packets_are_ignored() {
    let mut asm = FrameAssembler::new();
    let packets = packetize(&access_unit(false, 3000), 7, 0);
    let mut frames = push_all(&mut asm, packets.clone());
    frames.extend(push_all(&mut asm, packets));
    assert_eq!(frames.len(), 1);
}

#[test]
fn well_formedness_check_accepts_real_aggregates() {
    let stap = Bytes::from_static(&[0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x01, 0x68]);
    assert!(is_well_formed(&stap));
    assert!(!is_well_formed(&Bytes::from_static(&[
        0x78, 0x00, 0x05, 0x67
    ])));
    assert!(contains_idr(&[0, 0, 0, 1, 0x65, 1]));
    assert!(!contains_idr(&[0, 0, 0, 1, 0x41, 1]));
}
