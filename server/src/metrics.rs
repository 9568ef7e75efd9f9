//! The relay's counters and gauges, served on `GET /metrics` in the
//! Prometheus text format (version 0.0.4). Plain atomics: counting never
//! takes a lock on the relay's paths.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use videochat_protocol::ErrorCode;

/// Every error code, in the order they are exported. `code_label`'s match
/// makes a new code a compile error there; add it here too.
const ERROR_CODES: [ErrorCode; 7] = [
    ErrorCode::BadJson,
    ErrorCode::TooLarge,
    ErrorCode::BadRoom,
    ErrorCode::NotJoined,
    ErrorCode::AlreadyJoined,
    ErrorCode::RateLimited,
    ErrorCode::RelayBusy,
];

/// Why the relay dropped a connection (a client's own close is no drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    TooLarge,
    RateLimited,
    HeartbeatLost,
    NotReading,
    WriteStalled,
    Replaced,
    NotUtf8,
    Broken,
}

impl DropReason {
    const ALL: [DropReason; 8] = [
        DropReason::TooLarge,
        DropReason::RateLimited,
        DropReason::HeartbeatLost,
        DropReason::NotReading,
        DropReason::WriteStalled,
        DropReason::Replaced,
        DropReason::NotUtf8,
        DropReason::Broken,
    ];

    /// The `reason` label.
    pub fn label(self) -> &'static str {
        match self {
            DropReason::TooLarge => "too_large",
            DropReason::RateLimited => "rate_limited",
            DropReason::HeartbeatLost => "heartbeat_lost",
            DropReason::NotReading => "not_reading",
            DropReason::WriteStalled => "write_stalled",
            DropReason::Replaced => "replaced",
            DropReason::NotUtf8 => "not_utf8",
            DropReason::Broken => "broken",
        }
    }
}

/// The counters the relay keeps; gauges of connections and rooms are read
/// from the hub when exported.
#[derive(Debug, Default)]
pub struct Metrics {
    frames_relayed: AtomicU64,
    errors: [AtomicU64; ERROR_CODES.len()],
    dropped: [AtomicU64; DropReason::ALL.len()],
    queue_bytes_high_water: AtomicUsize,
}

/// The gauges read at export time.
#[derive(Debug, Clone, Copy)]
pub struct Gauges {
    pub connections: usize,
    /// This relay's rooms, or every node's when nodes share rooms through
    /// Redis; `None` when Redis did not answer (the sample is left out).
    pub rooms: Option<u64>,
}

impl Metrics {
    /// A frame was forwarded to a peer (queued for it, or kept while away).
    pub fn frame_relayed(&self) {
        self.frames_relayed.fetch_add(1, Ordering::Relaxed);
    }

    /// The relay sent an error with `code`.
    pub fn error_sent(&self, code: ErrorCode) {
        if let Some(index) = ERROR_CODES.iter().position(|c| *c == code) {
            self.errors[index].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The relay dropped a connection.
    pub fn dropped(&self, reason: DropReason) {
        // `ALL` lists the variants in declaration order.
        self.dropped[reason as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// One connection's queue holds `bytes` now.
    pub fn queue_bytes(&self, bytes: usize) {
        self.queue_bytes_high_water
            .fetch_max(bytes, Ordering::Relaxed);
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self, gauges: Gauges) -> String {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let mut out = String::new();
        header(
            &mut out,
            "videochat_connections",
            "gauge",
            "Open WebSocket connections.",
        );
        sample(
            &mut out,
            "videochat_connections",
            None,
            gauges.connections as u64,
        );
        header(
            &mut out,
            "videochat_rooms",
            "gauge",
            "Rooms with someone in them (live or away), on every node when nodes share rooms \
             through Redis.",
        );
        if let Some(rooms) = gauges.rooms {
            sample(&mut out, "videochat_rooms", None, rooms);
        }
        header(
            &mut out,
            "videochat_frames_relayed_total",
            "counter",
            "Frames forwarded to a peer.",
        );
        let relayed = load(&self.frames_relayed);
        sample(&mut out, "videochat_frames_relayed_total", None, relayed);
        header(
            &mut out,
            "videochat_errors_total",
            "counter",
            "Error frames sent, by code.",
        );
        for (code, count) in ERROR_CODES.iter().zip(&self.errors) {
            let label = ("code", code_label(*code));
            sample(&mut out, "videochat_errors_total", Some(label), load(count));
        }
        header(
            &mut out,
            "videochat_connections_dropped_total",
            "counter",
            "Connections the relay dropped, by reason.",
        );
        for (reason, count) in DropReason::ALL.iter().zip(&self.dropped) {
            let label = ("reason", reason.label());
            let name = "videochat_connections_dropped_total";
            sample(&mut out, name, Some(label), load(count));
        }
        header(
            &mut out,
            "videochat_queue_bytes_high_water",
            "gauge",
            "Most bytes queued for one connection since the relay started.",
        );
        let high = self.queue_bytes_high_water.load(Ordering::Relaxed) as u64;
        sample(&mut out, "videochat_queue_bytes_high_water", None, high);
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, label: Option<(&str, &str)>, value: u64) {
    let _ = match label {
        Some((key, value_of_label)) => {
            writeln!(out, "{name}{{{key}=\"{value_of_label}\"}} {value}")
        }
        None => writeln!(out, "{name} {value}"),
    };
}

/// The code as it appears on the wire (`bad_json`, ...).
fn code_label(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadJson => "bad_json",
        ErrorCode::TooLarge => "too_large",
        ErrorCode::BadRoom => "bad_room",
        ErrorCode::NotJoined => "not_joined",
        ErrorCode::AlreadyJoined => "already_joined",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::RelayBusy => "relay_busy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_labels_are_the_wire_codes() {
        for code in ERROR_CODES {
            let wire = serde_json::to_value(code).expect("codes serialize");
            assert_eq!(wire, code_label(code));
        }
    }

    #[test]
    fn counters_show_in_their_labelled_samples() {
        let metrics = Metrics::default();
        metrics.error_sent(ErrorCode::BadRoom);
        metrics.dropped(DropReason::WriteStalled);
        metrics.queue_bytes(10);
        metrics.queue_bytes(5);
        let text = metrics.render(Gauges {
            connections: 3,
            rooms: Some(1),
        });
        assert!(text.contains("videochat_errors_total{code=\"bad_room\"} 1\n"));
        assert!(text.contains("videochat_errors_total{code=\"bad_json\"} 0\n"));
        let stalled = "videochat_connections_dropped_total{reason=\"write_stalled\"} 1\n";
        assert!(text.contains(stalled));
        assert!(text.contains("videochat_queue_bytes_high_water 10\n"));
        assert!(text.contains("videochat_connections 3\n"));
        assert!(text.contains("videochat_rooms 1\n"));
    }
}
