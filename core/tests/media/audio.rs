//! Opus through real libopus: a tone keeps its level and pitch, losses are concealed.

use videochat_core::media::{
    AudioError, OPUS_FRAME_SAMPLES, OpusDecoder, OpusEncoder, ToneGenerator,
};

fn rms(samples: &[i16]) -> f64 {
    (samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

fn pitch_hz(samples: &[i16]) -> f64 {
    let crossings = samples
        .windows(2)
        .filter(|w| (w[0] < 0) != (w[1] < 0))
        .count();
    crossings as f64 / 2.0 / (samples.len() as f64 / 48_000.0)
}

/// 50 packets (one second) of a 440 Hz tone.
fn tone_packets(encoder: &mut OpusEncoder) -> (Vec<i16>, Vec<Vec<u8>>) {
    let mut tone = ToneGenerator::new(440.0, 8000);
    let mut pcm = Vec::new();
    let mut packets = Vec::new();
    for _ in 0..50 {
        let chunk = tone.next_chunk();
        packets.push(encoder.encode(&chunk).expect("encode"));
        pcm.extend(chunk);
    }
    (pcm, packets)
}

#[test]
fn tone_keeps_its_level_and_pitch_through_opus() {
    let mut encoder = OpusEncoder::new(32_000).expect("encoder");
    let (pcm, packets) = tone_packets(&mut encoder);
    let mean_packet = packets.iter().map(Vec::len).sum::<usize>() / packets.len();
    assert!(
        (40..=200).contains(&mean_packet),
        "mean packet {mean_packet} bytes at 32 kbps"
    );
    let mut decoder = OpusDecoder::new().expect("decoder");
    let mut decoded = Vec::new();
    for packet in &packets {
        let out = decoder.decode(Some(packet)).expect("decode");
        assert_eq!(out.len(), OPUS_FRAME_SAMPLES);
        decoded.extend(out);
    }
    // Skip the codec's start-up (first 100 ms).
    let (input, output) = (&pcm[4800..], &decoded[4800..]);
    let ratio = rms(output) / rms(input);
    assert!((0.8..1.25).contains(&ratio), "level ratio {ratio}");
    let pitch = pitch_hz(output);
    assert!((pitch - 440.0).abs() < 10.0, "decoded pitch {pitch} Hz");
}

#[test]
fn a_missing_packet_is_concealed_with_a_continuing_tone() {
    let mut encoder = OpusEncoder::new(32_000).expect("encoder");
    let (pcm, packets) = tone_packets(&mut encoder);
    let mut decoder = OpusDecoder::new().expect("decoder");
    for packet in &packets[..20] {
        decoder.decode(Some(packet)).expect("decode");
    }
    let concealed = decoder.decode(None).expect("concealment");
    assert_eq!(concealed.len(), OPUS_FRAME_SAMPLES);
    let ratio = rms(&concealed) / rms(&pcm[20 * 960..21 * 960]);
    assert!(ratio > 0.3, "concealed frame level ratio {ratio}");
    let pitch = pitch_hz(&concealed);
    assert!((pitch - 440.0).abs() < 40.0, "concealed pitch {pitch} Hz");
    // The stream carries on after the gap.
    let next = decoder
        .decode(Some(&packets[21]))
        .expect("decode after gap");
    assert!(rms(&next) / rms(&pcm[21 * 960..22 * 960]) > 0.5);
}

#[test]
fn in_band_fec_from_the_next_packet_recovers_a_lost_frame() {
    let mut encoder = OpusEncoder::new(32_000).expect("encoder");
    encoder.set_expected_packet_loss(20).expect("loss hint");
    let (pcm, packets) = tone_packets(&mut encoder);
    let mut decoder = OpusDecoder::new().expect("decoder");
    for packet in &packets[..30] {
        decoder.decode(Some(packet)).expect("decode");
    }
    let recovered = decoder.decode_fec(&packets[31]).expect("fec decode");
    assert_eq!(recovered.len(), OPUS_FRAME_SAMPLES);
    let ratio = rms(&recovered) / rms(&pcm[30 * 960..31 * 960]);
    assert!(ratio > 0.5, "recovered frame level ratio {ratio}");
}

#[test]
fn wrong_chunk_sizes_and_invalid_packets_are_errors() {
    let mut encoder = OpusEncoder::new(32_000).expect("encoder");
    assert!(matches!(
        encoder.encode(&[0; 480]),
        Err(AudioError::WrongChunkSize(480))
    ));
    let mut decoder = OpusDecoder::new().expect("decoder");
    // TOC code 3 (arbitrary frame count) announcing zero frames is invalid.
    assert!(matches!(
        decoder.decode(Some(&[0x03, 0x00])),
        Err(AudioError::Codec(_))
    ));
    // The decoder still works afterwards.
    let packet = encoder
        .encode(&ToneGenerator::default().next_chunk())
        .expect("encode");
    assert_eq!(
        decoder.decode(Some(&packet)).expect("decode").len(),
        OPUS_FRAME_SAMPLES
    );
}
