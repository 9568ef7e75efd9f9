//! Helpers for end-to-end tests: start the real binaries, read what they print,
//! and never leave a process behind.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};

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

/// A child process killed when dropped, so a failing test leaves nothing running.
pub struct Process {
    pub child: Child,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The real relay process, listening on a free loopback port.
pub struct Relay {
    pub process: Process,
    /// e.g. `127.0.0.1:41234`
    pub addr: String,
}

impl Relay {
    /// Starts `videochat-server --listen 127.0.0.1:0` and waits for its first line.
    pub fn start() -> Relay {
        let mut child = Command::new(bin_path("videochat-server"))
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("videochat-server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("the relay prints its address");
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_owned();
        Relay {
            process: Process { child },
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

/// Spawns a command with piped stdout, killed when dropped.
pub fn spawn(command: &mut Command) -> (Process, ChildStdout) {
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    (Process { child }, stdout)
}

/// Waits for a process to exit and returns its exit success and the last
/// stdout line parsed as JSON (the desktop peer's and browser harness's report).
pub fn finish(mut process: Process, stdout: ChildStdout) -> (bool, serde_json::Value) {
    let mut last = String::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if !line.trim().is_empty() {
            last = line;
        }
    }
    let status = process.child.wait().expect("the child can be waited on");
    let report = serde_json::from_str(&last).unwrap_or(serde_json::Value::String(last));
    (status.success(), report)
}
