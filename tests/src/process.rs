//! A child process with deadlines: its output read as it comes, its exit
//! awaited as an event, and a hang failing the test with what it waited for.

use std::process::Stdio;
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Child;
use tokio::runtime::Runtime;

/// Reads the children's pipes and notices their exits while a test blocks
/// on its own thread; tokio's child watcher makes exit an event, not a poll.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for child processes")
    })
}

/// One line a child printed.
enum Line {
    Stdout(String),
    Stderr(String),
}

/// A child process, killed when dropped, so a failing test leaves nothing
/// running. Its stdout and stderr are read as they come; stderr lines reach
/// the test's output (prefixed with the name) as the test takes them in.
pub struct Process {
    name: String,
    child: Child,
    lines: mpsc::Receiver<Line>,
    stdout: Vec<String>,
}

impl Process {
    /// Starts `command` with piped stdout and stderr; `name` labels its
    /// output and failure messages.
    pub fn spawn(name: &str, command: std::process::Command) -> Process {
        let _context = runtime().enter();
        let mut command = tokio::process::Command::from(command);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        runtime().spawn(forward(stdout, tx.clone(), Line::Stdout));
        runtime().spawn(forward(stderr, tx, Line::Stderr));
        Process {
            name: name.to_owned(),
            child,
            lines,
            stdout: Vec::new(),
        }
    }

    /// Waits up to `within` for a stderr line that `pick` makes something of.
    pub fn wait_for_stderr<T>(
        &mut self,
        within: Duration,
        what: &str,
        mut pick: impl FnMut(&str) -> Option<T>,
    ) -> T {
        self.wait_for_line(within, what, |line| match line {
            Line::Stderr(text) => pick(text),
            Line::Stdout(_) => None,
        })
    }

    /// Waits up to `within` for the first stdout line.
    pub fn first_stdout_line(&mut self, within: Duration) -> String {
        if let Some(first) = self.stdout.first() {
            return first.clone();
        }
        self.wait_for_line(within, "a line on stdout", |line| match line {
            Line::Stdout(text) => Some(text.clone()),
            Line::Stderr(_) => None,
        })
    }

    fn wait_for_line<T>(
        &mut self,
        within: Duration,
        what: &str,
        mut pick: impl FnMut(&Line) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let picked = pick(&line);
                    self.take_in(line);
                    if let Some(picked) = picked {
                        return picked;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("{} printed no {what} within {within:?}", self.name)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("{} closed its output before printing {what}", self.name)
                }
            }
        }
    }

    /// Waits up to `within` for the process to exit; returns whether it
    /// succeeded and its last stdout line parsed as JSON (the report of the
    /// desktop peer and of the browser harness).
    pub fn finish(mut self, within: Duration) -> (bool, serde_json::Value) {
        let exited =
            runtime().block_on(async { tokio::time::timeout(within, self.child.wait()).await });
        let status = match exited {
            Ok(status) => {
                status.unwrap_or_else(|e| panic!("{} cannot be waited on: {e}", self.name))
            }
            Err(_) => {
                self.take_in_pending();
                panic!("{} did not exit within {within:?}", self.name);
            }
        };
        // The pipes close with the process; a moment covers reading what is left.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.take_in(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "{} exited but something still holds its output open",
                        self.name
                    )
                }
            }
        }
        let last = self
            .stdout
            .iter()
            .rev()
            .find(|line| !line.trim().is_empty())
            .cloned()
            .unwrap_or_default();
        let report = serde_json::from_str(&last).unwrap_or(serde_json::Value::String(last));
        (status.success(), report)
    }

    /// Keeps stdout, shows stderr in the test's output.
    fn take_in(&mut self, line: Line) {
        match line {
            Line::Stdout(text) => self.stdout.push(text),
            Line::Stderr(text) => eprintln!("[{}] {text}", self.name),
        }
    }

    /// Takes in what has arrived, without waiting (before failing, to show it).
    fn take_in_pending(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.take_in(line);
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Killed and reaped here, so not even a zombie outlives the test.
        let _ = self.child.start_kill();
        runtime().block_on(async {
            let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        });
    }
}

/// Sends each line of `pipe` until it closes.
async fn forward(pipe: impl AsyncRead + Unpin, to: mpsc::Sender<Line>, kind: fn(String) -> Line) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if to.send(kind(line)).is_err() {
            return;
        }
    }
}
