//! NV12 splitting, rotation and RGB conversion on small known images.

use videochat_core::media::{
    FrameError, I420Frame, I420Ref, PixelPlanes, Plane, Rotation, UprightConverter, VideoFrameRef,
    nv12_to_i420, rotate_i420, yuv420_to_i420,
};

/// A 4x2 picture: Y = 1..=8 row by row, U = [10, 20], V = [30, 40].
fn small_i420() -> I420Frame {
    I420Frame {
        width: 4,
        height: 2,
        y: (1..=8).collect(),
        u: vec![10, 20],
        v: vec![30, 40],
        timestamp_us: 0,
    }
}

#[test]
fn nv12_with_padded_strides_is_split_into_i420_planes() {
    // 4x4, strides 6 (two padding bytes per row, marked 99).
    let y: Vec<u8> = (0..4)
        .flat_map(|r| [r * 4, r * 4 + 1, r * 4 + 2, r * 4 + 3, 99, 99])
        .collect();
    let uv = vec![1, 2, 3, 4, 99, 99, 5, 6, 7, 8, 99, 99];
    let mut out = I420Frame::default();
    nv12_to_i420(Plane::new(&y, 6), Plane::new(&uv, 6), 4, 4, &mut out).expect("valid NV12");
    assert_eq!(out.y, (0..16).collect::<Vec<u8>>());
    assert_eq!(out.u, vec![1, 3, 5, 7]);
    assert_eq!(out.v, vec![2, 4, 6, 8]);
}

#[test]
fn camera2_nv21_buffers_one_byte_short_are_gathered_into_i420() {
    // Camera2's YUV_420_888 on many phones: V and U interleaved (NV21), pixel stride 2,
    // row stride 6, and each chroma buffer ending right after its last sample.
    let y: Vec<u8> = (0..4)
        .flat_map(|r| [r * 4, r * 4 + 1, r * 4 + 2, r * 4 + 3, 99, 99])
        .collect();
    let vu = [2, 1, 4, 3, 99, 99, 6, 5, 8, 7];
    let (v, u) = (&vu[..9], &vu[1..]);
    let mut out = I420Frame::default();
    yuv420_to_i420(
        Plane::new(&y, 6),
        Plane::new(u, 6),
        Plane::new(v, 6),
        2,
        4,
        4,
        &mut out,
    )
    .expect("valid YUV_420_888");
    assert_eq!(out.y, (0..16).collect::<Vec<u8>>());
    assert_eq!(out.u, vec![1, 3, 5, 7]);
    assert_eq!(out.v, vec![2, 4, 6, 8]);
    // Planar (pixel stride 1) is the same picture; a pixel stride of 0 is refused.
    let mut planar = I420Frame::default();
    let (u1, v1) = ([1, 3, 5, 7], [2, 4, 6, 8]);
    yuv420_to_i420(
        Plane::new(&y, 6),
        Plane::new(&u1, 2),
        Plane::new(&v1, 2),
        1,
        4,
        4,
        &mut planar,
    )
    .expect("valid planar");
    assert_eq!(planar, out);
    let zero = yuv420_to_i420(
        Plane::new(&y, 6),
        Plane::new(u, 6),
        Plane::new(v, 6),
        0,
        4,
        4,
        &mut planar,
    );
    assert!(zero.is_err());
    // One byte less than the last sample needs is an error, not a panic.
    let short = yuv420_to_i420(
        Plane::new(&y, 6),
        Plane::new(&u[..8], 6),
        Plane::new(v, 6),
        2,
        4,
        4,
        &mut planar,
    );
    assert!(short.is_err());
}

#[test]
fn rotation_by_90_puts_the_bottom_left_pixel_top_left() {
    let mut out = I420Frame::default();
    rotate_i420(&small_i420().view(), Rotation::Deg90, &mut out).expect("valid frame");
    assert_eq!((out.width, out.height), (2, 4));
    assert_eq!(out.y, vec![5, 1, 6, 2, 7, 3, 8, 4]);
    assert_eq!((out.u.clone(), out.v.clone()), (vec![10, 20], vec![30, 40]));
}

#[test]
fn rotation_by_180_reverses_rows_and_columns() {
    let mut out = I420Frame::default();
    rotate_i420(&small_i420().view(), Rotation::Deg180, &mut out).expect("valid frame");
    assert_eq!((out.width, out.height), (4, 2));
    assert_eq!(out.y, vec![8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!((out.u.clone(), out.v.clone()), (vec![20, 10], vec![40, 30]));
}

#[test]
fn rotation_by_270_puts_the_top_right_pixel_top_left() {
    let mut out = I420Frame::default();
    rotate_i420(&small_i420().view(), Rotation::Deg270, &mut out).expect("valid frame");
    assert_eq!((out.width, out.height), (2, 4));
    assert_eq!(out.y, vec![4, 8, 3, 7, 2, 6, 1, 5]);
    assert_eq!((out.u.clone(), out.v.clone()), (vec![20, 10], vec![40, 30]));
}

#[test]
fn rotating_90_then_270_restores_a_frame_larger_than_a_tile() {
    // 70x38 is not a multiple of the 32-pixel tile; strides are padded.
    let (w, h, stride) = (70usize, 38usize, 80usize);
    let y: Vec<u8> = (0..stride * h).map(|i| (i * 7 % 251) as u8).collect();
    let u: Vec<u8> = (0..40 * 19).map(|i| (i * 3 % 241) as u8).collect();
    let v: Vec<u8> = (0..40 * 19).map(|i| (i * 5 % 239) as u8).collect();
    let src = I420Ref {
        width: w as u32,
        height: h as u32,
        y: Plane::new(&y, stride),
        u: Plane::new(&u, 40),
        v: Plane::new(&v, 40),
    };
    let (mut turned, mut back) = (I420Frame::default(), I420Frame::default());
    rotate_i420(&src, Rotation::Deg90, &mut turned).expect("valid frame");
    rotate_i420(&turned.view(), Rotation::Deg270, &mut back).expect("valid frame");
    let expected_y: Vec<u8> = (0..h)
        .flat_map(|r| y[r * stride..r * stride + w].to_vec())
        .collect();
    assert_eq!(back.y, expected_y);
    assert_eq!(
        back.u,
        (0..19)
            .flat_map(|r| u[r * 40..r * 40 + 35].to_vec())
            .collect::<Vec<u8>>()
    );
}

#[test]
fn upright_i420_passes_through_the_converter_without_a_copy() {
    let frame = small_i420();
    let camera = VideoFrameRef {
        planes: PixelPlanes::I420 {
            y: Plane::new(&frame.y, 4),
            u: Plane::new(&frame.u, 2),
            v: Plane::new(&frame.v, 2),
        },
        width: 4,
        height: 2,
        rotation: Rotation::Deg0,
        timestamp_us: 5,
    };
    let mut converter = UprightConverter::new();
    let upright = converter.convert(&camera).expect("valid frame");
    assert_eq!(upright.y.data.as_ptr(), frame.y.as_ptr());
}

#[test]
fn rotated_nv12_camera_frame_comes_out_upright_with_swapped_size() {
    let y: Vec<u8> = (1..=8).collect();
    let uv = vec![10, 30, 20, 40];
    let camera = VideoFrameRef {
        planes: PixelPlanes::Nv12 {
            y: Plane::new(&y, 4),
            uv: Plane::new(&uv, 4),
        },
        width: 4,
        height: 2,
        rotation: Rotation::Deg90,
        timestamp_us: 0,
    };
    let mut converter = UprightConverter::new();
    let upright = converter.convert(&camera).expect("valid frame");
    assert_eq!((upright.width, upright.height), (2, 4));
    assert_eq!(upright.y.data, &[5, 1, 6, 2, 7, 3, 8, 4]);
    assert_eq!(
        (upright.u.data, upright.v.data),
        (&[10u8, 20][..], &[30u8, 40][..])
    );
}

#[test]
fn short_planes_and_small_strides_are_errors_not_panics() {
    let y = vec![0u8; 10];
    let uv = vec![0u8; 4];
    let short = VideoFrameRef {
        planes: PixelPlanes::Nv12 {
            y: Plane::new(&y, 4),
            uv: Plane::new(&uv, 4),
        },
        width: 4,
        height: 4,
        rotation: Rotation::Deg0,
        timestamp_us: 0,
    };
    assert!(matches!(
        UprightConverter::new().convert(&short),
        Err(FrameError::PlaneTooShort { plane: "y", .. })
    ));
    let narrow = VideoFrameRef {
        planes: PixelPlanes::Nv12 {
            y: Plane::new(&y, 2),
            uv: Plane::new(&uv, 4),
        },
        ..short
    };
    assert!(matches!(
        UprightConverter::new().convert(&narrow),
        Err(FrameError::StrideTooSmall { .. })
    ));
    assert!(Rotation::from_degrees(45).is_none());
}

#[test]
fn rgba_conversion_maps_video_range_white_black_and_red() {
    // Columns 0-1 white, 2-3 black; second row pair is BT.601 red (Y 81, U 90, V 240).
    let frame = I420Frame {
        width: 4,
        height: 4,
        y: vec![
            235, 235, 16, 16, 235, 235, 16, 16, 81, 81, 81, 81, 81, 81, 81, 81,
        ],
        u: vec![128, 128, 90, 90],
        v: vec![128, 128, 240, 240],
        timestamp_us: 0,
    };
    let mut rgba = vec![0u8; frame.rgba_len()];
    frame.write_rgba(&mut rgba).expect("right size");
    assert_eq!(&rgba[0..4], &[255, 255, 255, 255]);
    assert_eq!(&rgba[8..12], &[0, 0, 0, 255]);
    let red = &rgba[8 * 4..8 * 4 + 4];
    assert!(
        red[0] > 240 && red[1] < 15 && red[2] < 15,
        "red came out as {red:?}"
    );
    assert!(matches!(
        frame.write_rgba(&mut [0u8; 3]),
        Err(FrameError::OutputSize { .. })
    ));
}

#[test]
fn odd_sized_frames_convert_every_pixel_and_inconsistent_planes_are_errors() {
    // 3x3: chroma is 2x2; the last column and row use the rounded-up chroma samples.
    let mut frame = I420Frame::new(3, 3);
    frame.y.fill(235);
    let mut rgba = vec![0u8; 36];
    frame.write_rgba(&mut rgba).expect("right size");
    assert!(rgba.iter().all(|&p| p == 255), "{rgba:x?}");
    frame.u.pop();
    assert!(matches!(
        frame.write_rgba(&mut [0u8; 36]),
        Err(FrameError::PlaneTooShort { plane: "u", .. })
    ));
}
