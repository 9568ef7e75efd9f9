//! videochat core
pub mod call;
pub mod media;
pub mod negotiation;
pub mod peer;
pub mod signaling;
