//! videochat core
pub mod signaling;
