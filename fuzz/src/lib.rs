//! Fuzz targets for everything that parses what another party sent: the wire
//! types, the relay's handling of a client's text frame, the negotiator fed
//! relay and peer events, the H.264 frame assembler fed RTP packets, and the
//! SDP and candidate lines handed to the peer layer.
//!
//! Each target is a plain `fn(&[u8])` that panics only on a bug. The
//! libFuzzer harness (`fuzz/libfuzzer`, nightly, `scripts/bench-fuzz.sh`)
//! calls them coverage-guided; `tests/corpus.rs` replays every saved corpus
//! file through them on stable, which is what CI runs.

mod h264;
mod input;
mod negotiator;
mod peer_input;
mod relay;
mod wire;

pub use h264::h264_assembler;
pub use negotiator::negotiator;
pub use peer_input::peer_input;
pub use relay::relay_frames;
pub use wire::wire_protocol;

/// A fuzz target: any bytes in, a panic only on a bug.
pub type Target = fn(&[u8]);

/// Every target by the name of its corpus directory (`fuzz/corpus/NAME`)
/// and of its libFuzzer binary.
pub const TARGETS: [(&str, Target); 5] = [
    ("wire_protocol", wire_protocol),
    ("relay_frames", relay_frames),
    ("negotiator", negotiator),
    ("h264_assembler", h264_assembler),
    ("peer_input", peer_input),
];
