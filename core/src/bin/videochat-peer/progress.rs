//! Progress events: one JSON object per line on stderr, as things happen, so
//! a script or test can wait for a moment in the call. Stdout keeps only the
//! final report.

use std::io::Write;

use videochat_core::call::{CallState, ConnectionQuality, MediaState, QualitySample};

/// The role the relay gave us, read from the first state inside the room:
/// alone (`created`) we wait for the other and will offer; second (`joined`)
/// negotiation starts at once and we answer.
pub fn role_on_entering(state: &CallState) -> Option<&'static str> {
    match state {
        CallState::WaitingForPeer => Some("initiator"),
        CallState::Negotiating => Some("answerer"),
        _ => None,
    }
}

/// `{"event":"joined","role":"initiator"|"answerer"}`: the relay placed us in the room.
pub fn joined(role: &str) {
    emit(serde_json::json!({"event": "joined", "role": role}));
}

/// `{"event":"state","state":"Connected"}`: every change of the call state.
pub fn state(state: &CallState) {
    emit(serde_json::json!({"event": "state", "state": format!("{state:?}")}));
}

/// `{"event":"remote-media","audio":false,"video":true}`: the remote's microphone or camera
/// went on or off.
pub fn remote_media(state: MediaState) {
    emit(serde_json::json!({"event": "remote-media", "audio": state.audio, "video": state.video}));
}

/// `{"event":"quality","quality":"weak","rtt_ms":41.2,"loss_percent":3.1,...}`: the
/// connection-quality verdict changed (`null` out of a call), with the numbers behind it.
pub fn quality(quality: Option<ConnectionQuality>, measured: &QualitySample) {
    emit(serde_json::json!({
        "event": "quality",
        "quality": quality.map(ConnectionQuality::name),
        "rtt_ms": measured.rtt_ms,
        "loss_percent": measured.loss_percent,
        "received_kbps": measured.received_kbps,
        "fps": measured.fps,
        "freezes": measured.freezes,
    }));
}

fn emit(event: serde_json::Value) {
    // The whole line in one write, so a reader never sees it cut by a log line.
    let _ = std::io::stderr().write_all(format!("{event}\n").as_bytes());
}
