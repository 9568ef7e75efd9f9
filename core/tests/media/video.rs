//! H.264 through real openh264: pattern round trips, key frames, size changes, bad input.

use proptest::prelude::*;
use videochat_core::media::{
    DecodeError, EncodedFrame, H264Decoder, H264Encoder, H264EncoderConfig, I420Frame,
    PatternStamp, PixelPlanes, Plane, Rotation, TestPattern, VideoFrameRef, is_key_frame,
    nal_types, read_stamp,
};

const FRAME_US: u64 = 33_333;

fn encoder(bitrate_bps: u32) -> H264Encoder {
    H264Encoder::new(H264EncoderConfig {
        bitrate_bps,
        frame_rate: 30.0,
        frame_dropping: true,
        ..H264EncoderConfig::default()
    })
}

/// Encodes pattern frames `numbers` at the pattern's size; dropped frames are left out.
fn encode_pattern(
    encoder: &mut H264Encoder,
    pattern: &mut TestPattern,
    numbers: std::ops::Range<u64>,
) -> Vec<EncodedFrame> {
    numbers
        .filter_map(|n| {
            let frame = pattern.render(PatternStamp {
                frame_number: n,
                timestamp_us: n * FRAME_US,
            });
            encoder.encode(&frame.view(), n * FRAME_US).expect("encode")
        })
        .collect()
}

/// Decodes every access unit and reads the stamps back.
fn decode_stamps(
    decoder: &mut H264Decoder,
    frames: &[EncodedFrame],
) -> Vec<(u32, u32, Option<PatternStamp>)> {
    frames
        .iter()
        .filter_map(|f| decoder.decode(&f.data, f.timestamp_us).expect("decode"))
        .map(|d| (d.width, d.height, read_stamp(&d.view())))
        .collect()
}

fn assert_round_trip(width: u32, height: u32, frames: u64) {
    let mut encoder = encoder(1_000_000);
    let mut pattern = TestPattern::new(width, height);
    let encoded = encode_pattern(&mut encoder, &mut pattern, 0..frames);
    assert!(
        encoded.len() as u64 >= frames * 8 / 10,
        "only {} of {frames} frames encoded",
        encoded.len()
    );
    let mut decoder = H264Decoder::new().expect("decoder");
    let decoded = decode_stamps(&mut decoder, &encoded);
    assert_eq!(decoded.len(), encoded.len());
    let numbers: Vec<u64> = decoded
        .iter()
        .map(|(w, h, s)| {
            assert_eq!((*w, *h), (width, height));
            let stamp = s.unwrap_or_else(|| panic!("unreadable stamp at {width}x{height}"));
            assert_eq!(stamp.timestamp_us, stamp.frame_number * FRAME_US);
            stamp.frame_number
        })
        .collect();
    let sent: Vec<u64> = encoded.iter().map(|f| f.timestamp_us / FRAME_US).collect();
    assert_eq!(numbers, sent, "frame numbers read back in order");
}

#[test]
fn pattern_frames_survive_a_1_mbps_round_trip_in_order_at_720p() {
    assert_round_trip(1280, 720, 30);
}

#[test]
fn pattern_frames_survive_a_1_mbps_round_trip_in_order_in_portrait() {
    assert_round_trip(720, 1280, 20);
}

#[test]
fn pattern_frames_survive_a_1_mbps_round_trip_in_order_at_320x240() {
    assert_round_trip(320, 240, 30);
}

#[test]
fn first_frame_is_a_constrained_baseline_idr_with_parameter_sets() {
    let mut encoder = encoder(1_000_000);
    let mut pattern = TestPattern::new(320, 240);
    let encoded = encode_pattern(&mut encoder, &mut pattern, 0..3);
    let first = &encoded[0];
    assert!(first.key_frame && is_key_frame(&first.data));
    let types: Vec<u8> = nal_types(&first.data).collect();
    assert_eq!(&types[..2], &[7, 8], "SPS and PPS lead the key frame");
    assert!(types.contains(&5));
    // SPS: start code, NAL header, profile_idc 66, constraint_set0+1 (Constrained Baseline).
    let sps = &first.data[first
        .data
        .windows(4)
        .position(|w| w == [0, 0, 1, 0x67])
        .expect("SPS")
        + 4..];
    assert_eq!(sps[0], 66);
    assert_eq!(sps[1] & 0xc0, 0xc0);
    assert!(
        encoded[1..]
            .iter()
            .all(|f| !f.key_frame && !is_key_frame(&f.data))
    );
}

#[test]
fn a_starved_encoder_sends_no_key_frame_nobody_asked_for() {
    // openh264's scene-change detection made skipped frames look like cuts:
    // at a tight rate, a key frame every second or two, each a burst that
    // fills a slow link's queue. A real cut (a camera switch) asks for one.
    let mut pattern = TestPattern::new(640, 480);
    let frames = encode_pattern(&mut encoder(150_000), &mut pattern, 0..150);
    let key_frames = frames.iter().filter(|f| f.key_frame).count();
    assert_eq!(key_frames, 1, "{} frames encoded", frames.len());
}

#[test]
fn requested_key_frame_is_the_next_encoded_frame() {
    let mut encoder = encoder(1_000_000);
    let mut pattern = TestPattern::new(320, 240);
    let before = encode_pattern(&mut encoder, &mut pattern, 0..5);
    encoder.request_key_frame();
    let after = encode_pattern(&mut encoder, &mut pattern, 5..8);
    assert!(before[1..].iter().all(|f| !f.key_frame));
    assert!(after[0].key_frame && is_key_frame(&after[0].data));
    assert!(after[1..].iter().all(|f| !f.key_frame));
}

#[test]
fn camera_switch_to_portrait_sends_a_key_frame_decoded_at_the_new_size() {
    let mut encoder = encoder(1_500_000);
    let mut pattern = TestPattern::new(1280, 720);
    let mut encoded = encode_pattern(&mut encoder, &mut pattern, 0..5);
    pattern.set_size(720, 1280);
    let switched = encode_pattern(&mut encoder, &mut pattern, 5..10);
    assert!(
        switched[0].key_frame,
        "first frame after the size change is a key frame"
    );
    assert_eq!((switched[0].width, switched[0].height), (720, 1280));
    encoded.extend(switched);
    let mut decoder = H264Decoder::new().expect("decoder");
    let sizes: Vec<(u32, u32)> = decode_stamps(&mut decoder, &encoded)
        .iter()
        .map(|(w, h, s)| {
            assert!(s.is_some(), "stamp readable at {w}x{h}");
            (*w, *h)
        })
        .collect();
    assert_eq!(sizes.first(), Some(&(1280, 720)));
    assert_eq!(sizes.last(), Some(&(720, 1280)));
    assert_eq!(sizes.iter().filter(|s| **s == (720, 1280)).count(), 5);
}

#[test]
fn rotated_camera_frames_are_encoded_upright() {
    // A 240x320 "sensor" image captured sideways: rotating by 270 must give the 320x240 pattern.
    let mut pattern = TestPattern::new(320, 240);
    let stamp = PatternStamp {
        frame_number: 9,
        timestamp_us: 9 * FRAME_US,
    };
    let upright = pattern.render(stamp).clone();
    let mut sideways = I420Frame::default();
    videochat_core::media::rotate_i420(&upright.view(), Rotation::Deg90, &mut sideways)
        .expect("rotate");
    let camera = VideoFrameRef {
        planes: PixelPlanes::I420 {
            y: Plane::new(&sideways.y, 240),
            u: Plane::new(&sideways.u, 120),
            v: Plane::new(&sideways.v, 120),
        },
        width: 240,
        height: 320,
        rotation: Rotation::Deg270,
        timestamp_us: stamp.timestamp_us,
    };
    let mut encoder = encoder(1_000_000);
    let encoded = encoder
        .encode_frame(&camera)
        .expect("encode")
        .expect("first frame is never dropped");
    assert_eq!((encoded.width, encoded.height), (320, 240));
    let decoded = H264Decoder::new()
        .expect("decoder")
        .decode(&encoded.data, encoded.timestamp_us)
        .expect("decode")
        .expect("picture");
    assert_eq!(read_stamp(&decoded.view()), Some(stamp));
}

#[test]
fn lower_bitrate_target_makes_smaller_frames_without_a_key_frame() {
    let mut encoder = encoder(2_000_000);
    let mut pattern = TestPattern::new(640, 360);
    let high: usize = encode_pattern(&mut encoder, &mut pattern, 0..45)[15..]
        .iter()
        .map(|f| f.data.len())
        .sum();
    encoder.set_bitrate(200_000).expect("set bitrate");
    assert_eq!(encoder.bitrate_bps(), 200_000);
    let low_frames = encode_pattern(&mut encoder, &mut pattern, 45..90);
    assert!(low_frames.iter().all(|f| !f.key_frame));
    let low: usize = low_frames[15..].iter().map(|f| f.data.len()).sum();
    assert!(
        low * 3 < high,
        "30 frames: {high} bytes at 2 Mbps, {low} bytes at 200 kbps"
    );
    encoder
        .set_bitrate(1_500_000)
        .expect("raising the target is accepted too");
}

#[test]
fn decoder_asks_for_a_key_frame_after_a_lost_frame_and_recovers_on_one() {
    let mut encoder = encoder(1_000_000);
    let mut pattern = TestPattern::new(320, 240);
    let encoded = encode_pattern(&mut encoder, &mut pattern, 0..6);
    let mut decoder = H264Decoder::new().expect("decoder");
    assert_eq!(
        decoder.decode(&encoded[1].data, 0),
        Err(DecodeError::NeedsKeyFrame),
        "P frame before any key frame"
    );
    for frame in &encoded[..3] {
        decoder
            .decode(&frame.data, frame.timestamp_us)
            .expect("in-order frames decode");
    }
    // Frame 3 is lost: frame 4 references it.
    let error = decoder
        .decode(&encoded[4].data, 0)
        .expect_err("gap in the reference chain is detected");
    assert!(error.needs_key_frame(), "{error}");
    assert_eq!(
        decoder.decode(&encoded[5].data, 0),
        Err(DecodeError::NeedsKeyFrame)
    );
    encoder.request_key_frame();
    let key = encode_pattern(&mut encoder, &mut pattern, 6..7).remove(0);
    let picture = decoder
        .decode(&key.data, key.timestamp_us)
        .expect("key frame decodes")
        .expect("picture");
    assert_eq!(read_stamp(&picture.view()).map(|s| s.frame_number), Some(6));
    assert!(!decoder.awaiting_key_frame());
}

#[test]
fn garbage_is_reported_as_an_error_and_decoding_recovers_on_the_next_key_frame() {
    let mut decoder = H264Decoder::new().expect("decoder");
    assert_eq!(
        decoder.decode(b"definitely not h264", 0),
        Err(DecodeError::NotAnnexB)
    );
    assert_eq!(decoder.decode(&[], 0), Err(DecodeError::NotAnnexB));
    let mut encoder = encoder(1_000_000);
    let mut pattern = TestPattern::new(320, 240);
    let encoded = encode_pattern(&mut encoder, &mut pattern, 0..2);
    decoder.decode(&encoded[0].data, 0).expect("key frame");
    // The key frame with its slice data scrambled.
    let mut broken = encoded[0].data.to_vec();
    let len = broken.len();
    for (i, byte) in broken[len / 2..].iter_mut().enumerate() {
        *byte ^= (i as u8).wrapping_mul(37) | 1;
    }
    let result = decoder.decode(&broken, 0);
    assert!(
        result.is_err(),
        "scrambled slice is reported, got {:?}",
        result.map(|f| f.is_some())
    );
    let recovered = decoder
        .decode(&encoded[0].data, 0)
        .expect("clean key frame decodes")
        .expect("picture");
    assert_eq!(
        read_stamp(&recovered.view()).map(|s| s.frame_number),
        Some(0)
    );
}

/// A 320x240 key frame, encoded once for the property test.
fn key_frame() -> &'static [u8] {
    static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut pattern = TestPattern::new(320, 240);
        encode_pattern(&mut encoder(1_000_000), &mut pattern, 0..1)[0]
            .data
            .to_vec()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn decoder_never_panics_on_arbitrary_nal_units_after_a_key_frame(
        nal_type in prop::sample::select(vec![1u8, 5, 7, 8]),
        body in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut decoder = H264Decoder::new().expect("decoder");
        prop_assert!(decoder.decode(key_frame(), 0).expect("key frame decodes").is_some());
        let mut data = vec![0, 0, 0, 1, 0x60 | nal_type];
        data.extend_from_slice(&body);
        let _ = decoder.decode(&data, 0);
        let _ = decoder.decode(&data, 0);
        // Whatever the junk did, a clean key frame brings the picture back.
        prop_assert!(decoder.decode(key_frame(), 0).expect("key frame decodes after junk").is_some());
    }
}
