//! The security code as the UI shows it (docs/protocol.md, "Security code").

pub use videochat_core::call::NotVerified;
use videochat_core::call::SecurityCode as CoreCode;

/// Why there is no code to compare: the UI says "not verified".
#[uniffi::remote(Enum)]
pub enum NotVerified {
    /// The other app does not take part (e.g. the tutorial's web client).
    PeerUnsupported,
    /// The other side broke the exchange: someone may be in the middle.
    ExchangeFailed,
}

/// What to show about the call's privacy.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SecurityCode {
    /// Not connected yet, or the exchange is under way (a few round trips).
    Pending,
    /// Six digits in two groups (e.g. "042 917") both people read to each other: equal codes
    /// mean no one sits in the middle of the call.
    Ready { code: String },
    /// No code to compare.
    NotVerified { reason: NotVerified },
}

impl From<CoreCode> for SecurityCode {
    fn from(code: CoreCode) -> Self {
        match code {
            CoreCode::Pending => SecurityCode::Pending,
            CoreCode::Ready(code) => SecurityCode::Ready { code },
            CoreCode::NotVerified(reason) => SecurityCode::NotVerified { reason },
        }
    }
}
