//! Helpers for end-to-end tests: start the real binaries, read what they print,
//! wait for them with deadlines, and never leave a process behind.

mod process;

use std::path::PathBuf;
use std::time::Duration;

pub use process::Process;

/// How long the relay may take to print its address.
const RELAY_START: Duration = Duration::from_secs(10);

/// The path of a workspace binary, built by `cargo test --workspace` next to
/// this test executable (`target/<profile>/deps/..` -> `target/<profile>/<name>`).
pub fn bin_path(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test executables live in target/<profile>/deps");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: build it first (cargo build --workspace --bins)",
        path.display()
    );
    path
}

/// The desktop peer's `{"event":"joined","role":...}` progress line: the role.
pub fn joined_role(line: &str) -> Option<String> {
    let event: serde_json::Value = serde_json::from_str(line).ok()?;
    if event["event"] != "joined" {
        return None;
    }
    event["role"].as_str().map(str::to_owned)
}

/// The real relay process, listening on a free loopback port.
pub struct Relay {
    _process: Process,
    /// e.g. `127.0.0.1:41234`
    pub addr: String,
}

impl Relay {
    /// Starts `videochat-server --listen 127.0.0.1:0` and waits for its first line.
    pub fn start() -> Relay {
        let mut command = std::process::Command::new(bin_path("videochat-server"));
        command
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn");
        let mut process = Process::spawn("relay", command);
        let first = process.first_stdout_line(RELAY_START);
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        Relay {
            _process: process,
            addr,
        }
    }

    /// The WebSocket URL of the relay.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// The web client's URL.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}
