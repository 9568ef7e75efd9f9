//! Helpers for end-to-end tests: start the real binaries, read what they print,
//! wait for them with deadlines, and never leave a process behind.

mod front_door;
mod netlab;
mod process;
mod redis;
mod turn;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub use front_door::FrontDoor;
pub use netlab::Lab;
pub use process::Process;
pub use redis::Redis;
pub use turn::{TURN_PORT, TURN_REALM, Turn, turn_rest_credentials};

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

/// The real relay process, listening on a free port.
pub struct Relay {
    _process: Process,
    /// e.g. `127.0.0.1:41234`, or a lab host's address
    pub addr: String,
}

impl Relay {
    /// Starts `videochat-server --listen 127.0.0.1:0` and waits for its first line.
    pub fn start() -> Relay {
        Relay::listening(Command::new(bin_path("videochat-server")), "127.0.0.1:0")
    }

    /// Starts a relay node sharing its rooms through `redis`, on a free port.
    pub fn node(redis: &Redis) -> Relay {
        let mut command = Command::new(bin_path("videochat-server"));
        command.args(["--redis", &redis.url]);
        Relay::listening(command, "127.0.0.1:0")
    }

    /// Starts the relay inside a lab host, on a free port of its address.
    pub fn start_in(lab: &Lab, host: &str) -> Relay {
        Relay::start_in_with(lab, host, 0, &[])
    }

    /// Starts the relay inside a lab host on `port` (0: a free one), with
    /// extra options (e.g. TURN credentials). A relay restarted on the port
    /// of the one before is the same relay to its clients.
    pub fn start_in_with(lab: &Lab, host: &str, port: u16, options: &[&str]) -> Relay {
        let mut command = lab.command(host, bin_path("videochat-server"));
        command.args(options);
        Relay::listening(command, &format!("{}:{port}", lab.addr(host)))
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .expect("the relay's address has a port")
    }

    fn listening(mut command: Command, listen: &str) -> Relay {
        command.args(["--listen", listen]).env("RUST_LOG", "warn");
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
