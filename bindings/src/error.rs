//! The errors the UI sees: typed cases it can act on, never a panic.
//!
//! No field is called `message`: Kotlin exceptions already have one and the generated code
//! would not compile.

use videochat_core::call::{AudioError, StartError};
use videochat_core::media::FrameError;

use crate::types::CallFailure;

/// Why a call could not start or a method failed. Kotlin: `CallException`; Swift: `CallError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CallError {
    /// The config cannot work: a malformed relay URL, an empty room, bad video limits.
    #[error("invalid call config: {reason}")]
    InvalidConfig {
        /// What is wrong, for a developer (not localized).
        reason: String,
    },
    /// A camera or audio frame was rejected: sizes, strides, plane lengths or rotation.
    #[error("invalid frame: {reason}")]
    InvalidFrame {
        /// What is wrong, for a developer.
        reason: String,
    },
    /// The call has ended or was closed; frames are no longer taken.
    #[error("the call has ended")]
    CallEnded,
    /// The call broke (delivered to `CallListener.onError`, followed by a `Failed` state).
    #[error("the call failed: {failure:?}")]
    Failed {
        /// What broke.
        failure: CallFailure,
    },
    /// A failure inside the core (a bug or an exhausted resource).
    #[error("internal error: {reason}")]
    Internal {
        /// What failed, for a developer.
        reason: String,
    },
}

/// What a listener method may throw. Kotlin: `ListenerException`.
///
/// A listener that throws anything (this or an unexpected exception) is logged and ignored: the
/// call and later callbacks go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ListenerError {
    /// The listener could not handle a callback.
    #[error("listener failed: {reason}")]
    Failed {
        /// What went wrong, as the listener tells it.
        reason: String,
    },
}

/// Exceptions a listener did not declare arrive here instead of panicking in the core.
impl From<uniffi::UnexpectedUniFFICallbackError> for ListenerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed { reason: e.reason }
    }
}

impl From<StartError> for CallError {
    fn from(e: StartError) -> Self {
        let reason = e.to_string();
        match e {
            StartError::Config(_) => Self::InvalidConfig { reason },
            StartError::Thread(_) | StartError::Audio(_) => Self::Internal { reason },
        }
    }
}

impl From<FrameError> for CallError {
    fn from(e: FrameError) -> Self {
        Self::InvalidFrame {
            reason: e.to_string(),
        }
    }
}

impl From<AudioError> for CallError {
    fn from(e: AudioError) -> Self {
        match e {
            AudioError::WrongChunkSize(_) => Self::InvalidFrame {
                reason: e.to_string(),
            },
            AudioError::Codec(_) => Self::Internal {
                reason: e.to_string(),
            },
        }
    }
}
