//! What each side sends: the `media` peer message.

use serde::{Deserialize, Serialize};

/// Whether a side's microphone and camera are on, as told to the other side
/// with `{"type":"media","audio":bool,"video":bool}`. A peer that never says
/// otherwise has both on (the tutorial's clients cannot mute).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MediaState {
    /// The microphone is on (false: muted, silence is sent).
    pub audio: bool,
    /// The camera is on (false: no frames are sent; show an avatar, not the last frame).
    pub video: bool,
}

impl Default for MediaState {
    fn default() -> Self {
        MediaState {
            audio: true,
            video: true,
        }
    }
}
