//! Shared helpers: start the real `videochat-server` binary and talk to it
//! over real WebSockets.
#![allow(dead_code)] // Each test file uses its own subset.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// One starter of redis-server for every test crate.
pub use videochat_e2e::Redis;

/// How long a test waits for a frame that should come.
pub const PATIENCE: Duration = Duration::from_secs(5);

/// How long the relay may take to print its address before the test fails.
const START_PATIENCE: Duration = Duration::from_secs(10);

/// A running relay process, killed when dropped.
pub struct Relay {
    child: Child,
    pub addr: SocketAddr,
    pub scheme: String,
    /// Set when the tests run against two nodes (`VIDEOCHAT_TEST_NODES=2`).
    two_nodes: Option<TwoNodes>,
}

/// The second node of a two-node deployment and the Redis both use;
/// clients connect to the nodes in turn.
struct TwoNodes {
    second: Box<Relay>,
    next: AtomicUsize,
    _redis: Redis,
}

impl Relay {
    /// Starts the relay on a free loopback port with extra `args`; with
    /// `VIDEOCHAT_TEST_NODES=2`, two relay nodes sharing rooms through a
    /// redis-server of their own, which clients use in turn (the first
    /// client of a test on node 1, the second on node 2, ...).
    pub fn start(args: &[&str]) -> Relay {
        if std::env::var("VIDEOCHAT_TEST_NODES").is_ok_and(|nodes| nodes == "2") {
            let redis = Redis::start();
            let mut first = Relay::node(&redis, args);
            let second = Box::new(Relay::node(&redis, args));
            first.two_nodes = Some(TwoNodes {
                second,
                next: AtomicUsize::new(0),
                _redis: redis,
            });
            return first;
        }
        Relay::single(args)
    }

    /// One relay process, whatever the environment says.
    pub fn single(args: &[&str]) -> Relay {
        let mut command = Command::new(Relay::BINARY);
        command.args(["--listen", "127.0.0.1:0"]).args(args);
        Relay::spawn(command)
    }

    /// One relay node sharing rooms through `redis`.
    pub fn node(redis: &Redis, args: &[&str]) -> Relay {
        let mut all = vec!["--redis", redis.url.as_str()];
        let ca = redis.ca();
        if let Some(ca) = &ca {
            all.extend(["--redis-ca", ca.to_str().expect("UTF-8 path")]);
        }
        all.extend_from_slice(args);
        Relay::single(&all)
    }

    /// Kills the process at once (SIGKILL): no goodbye to anyone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The relay's binary.
    pub const BINARY: &str = env!("CARGO_BIN_EXE_videochat-server");

    /// Runs `command`, which starts the relay (perhaps through a shell), and
    /// waits for its address.
    pub fn spawn(mut command: Command) -> Relay {
        let mut child = command
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the relay binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let first_line = read_first_line(stdout);
        let line = match first_line.recv_timeout(START_PATIENCE) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                panic!("the relay printed no address within {START_PATIENCE:?}");
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = child.wait().expect("the relay can be waited on");
                panic!("the relay ended ({status}) before printing its address");
            }
        };
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let (scheme, addr) = url.split_once("://").expect("the line holds a URL");
        Relay {
            addr: addr.parse().expect("the URL holds a socket address"),
            scheme: scheme.to_owned(),
            child,
            two_nodes: None,
        }
    }

    /// The WebSocket URL; of each node in turn in a two-node deployment.
    pub fn ws_url(&self) -> String {
        match &self.two_nodes {
            Some(nodes) if nodes.next.fetch_add(1, Ordering::Relaxed) % 2 == 1 => {
                nodes.second.ws_url()
            }
            _ => format!("ws://{}/ws", self.addr),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `stdout`'s first line on a thread and sends it (nothing if the
/// stream ends first), then drains the rest so the relay never writes into a
/// full or closed pipe.
fn read_first_line(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        if let Some(Ok(line)) = lines.next() {
            let _ = tx.send(line);
        }
        lines.map_while(Result::ok).for_each(drop);
    });
    rx
}

/// What a client heard while it listened.
#[derive(Debug)]
pub enum Heard {
    /// A data or close frame.
    Message(Message),
    /// Nothing but heartbeats, and the connection is still open.
    Nothing,
    /// The connection ended (closed, reset or broken), with why.
    Ended(String),
}

/// A test client on one WebSocket (plain TCP unless said otherwise).
pub struct Client<S = MaybeTlsStream<TcpStream>> {
    pub ws: WebSocketStream<S>,
}

impl Client {
    pub async fn connect(relay: &Relay) -> Client {
        Client::connect_url(&relay.ws_url()).await
    }

    pub async fn connect_url(url: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("the relay accepts a WebSocket");
        Client { ws }
    }

    /// Connects and joins `room`, returning the relay's answer.
    pub async fn joined(relay: &Relay, room: &str) -> (Client, Value) {
        Client::joined_url(&relay.ws_url(), room).await
    }

    /// Connects and sends `join` (any of the join frames above), returning
    /// the relay's answer.
    pub async fn joined_by(relay: &Relay, join: &str) -> (Client, Value) {
        let mut client = Client::connect(relay).await;
        client.send(join).await;
        let answer = client.recv_json().await;
        (client, answer)
    }

    /// Connects to `url` and joins `room`, returning the relay's answer.
    pub async fn joined_url(url: &str, room: &str) -> (Client, Value) {
        let mut client = Client::connect_url(url).await;
        client
            .send(&format!(r#"{{"type":"join","room":"{room}"}}"#))
            .await;
        let answer = client.recv_json().await;
        (client, answer)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub async fn send(&mut self, text: &str) {
        self.ws
            .send(Message::text(text))
            .await
            .expect("the relay takes the frame");
    }

    /// The next text frame (pings are answered on the way).
    pub async fn recv_text(&mut self) -> String {
        match self.next_message(PATIENCE).await {
            Some(Message::Text(text)) => text.to_string(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    pub async fn recv_json(&mut self) -> Value {
        let text = self.recv_text().await;
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }

    /// Receives the next frame and checks it is the relay event `kind`.
    pub async fn expect_event(&mut self, kind: &str) -> Value {
        let event = self.recv_json().await;
        assert_eq!(event["type"], kind, "unexpected event {event}");
        event
    }

    /// Receives the next frame and checks it is an error with `code`.
    pub async fn expect_error(&mut self, code: &str) {
        let event = self.expect_event("error").await;
        assert_eq!(event["code"], code, "unexpected error {event}");
        assert!(event["message"].is_string(), "an error says why: {event}");
    }

    /// The next data or close frame within `wait`; `None` if nothing came or
    /// the connection ended.
    pub async fn next_message(&mut self, wait: Duration) -> Option<Message> {
        match self.listen(wait).await {
            Heard::Message(message) => Some(message),
            Heard::Nothing | Heard::Ended(_) => None,
        }
    }

    /// Reads for up to `wait`, answering heartbeats on the way, and says
    /// whether a data or close frame came, nothing came, or the connection
    /// ended.
    pub async fn listen(&mut self, wait: Duration) -> Heard {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_elapsed) => return Heard::Nothing,
                Ok(None) => return Heard::Ended("the stream ended".to_owned()),
                Ok(Some(Err(error))) => return Heard::Ended(error.to_string()),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(Some(Ok(message))) => return Heard::Message(message),
            }
        }
    }

    /// Asserts nothing but heartbeats arrives for `wait` and the connection
    /// stays open: a closed connection is not a quiet one.
    pub async fn expect_silence(&mut self, wait: Duration) {
        match self.listen(wait).await {
            Heard::Nothing => {}
            Heard::Message(message) => panic!("expected silence, got {message:?}"),
            Heard::Ended(why) => panic!("expected silence, but the connection ended: {why}"),
        }
    }

    /// Reads (and discards) until the connection ends; fails if it is still
    /// open after `PATIENCE`.
    pub async fn expect_gone(&mut self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.listen(left).await {
                Heard::Ended(_) => return,
                Heard::Message(_) => continue,
                Heard::Nothing => panic!("the connection was still open after {PATIENCE:?}"),
            }
        }
    }

    /// Reads until the relay closes; returns its close frame.
    pub async fn expect_close(&mut self) -> CloseFrame {
        loop {
            match self.next_message(PATIENCE).await {
                Some(Message::Close(Some(frame))) => return frame,
                Some(Message::Text(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }
}

/// A `join` frame.
pub fn join(room: &str) -> String {
    format!(r#"{{"type":"join","room":"{room}"}}"#)
}

/// A `join` that asks for a session token, to resume after losing the socket.
pub fn join_resumable(room: &str) -> String {
    format!(r#"{{"type":"join","room":"{room}","resume":true}}"#)
}

/// A `join` that takes back the slot of `session`.
pub fn join_session(room: &str, session: &str) -> String {
    format!(r#"{{"type":"join","room":"{room}","session":"{session}"}}"#)
}

/// A fresh room name, unique within the test process.
pub fn room(label: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{label}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Sends a raw HTTP/1.1 GET over `io` and returns (status, body).
pub async fn http_get<S: AsyncRead + AsyncWrite + Unpin>(io: &mut S, path: &str) -> (u16, Vec<u8>) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    io.write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut response = Vec::new();
    tokio::time::timeout(PATIENCE, io.read_to_end(&mut response))
        .await
        .expect("the response comes in time")
        .expect("the response is read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("the response has a header");
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    (status, response[split + 4..].to_vec())
}

/// Scrapes `/metrics`, checking every line is a HELP, a TYPE or a sample
/// (`name{label="value"} number`) of a metric that declared its TYPE.
/// Returns the samples by `name{labels}`.
pub async fn scrape(relay: &Relay) -> HashMap<String, f64> {
    let mut tcp = TcpStream::connect(relay.addr).await.expect("tcp connect");
    let (status, body) = http_get(&mut tcp, "/metrics").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).expect("the metrics are UTF-8");
    let mut typed = HashMap::new();
    let mut samples = HashMap::new();
    for line in text.lines() {
        if let Some(help) = line.strip_prefix("# HELP ") {
            assert!(help.split_once(' ').is_some(), "HELP has a text: {line}");
        } else if let Some(kind) = line.strip_prefix("# TYPE ") {
            let (name, kind) = kind.split_once(' ').expect("TYPE name kind");
            assert!(["gauge", "counter"].contains(&kind), "{line}");
            typed.insert(name.to_owned(), kind.to_owned());
        } else {
            let (series, value) = line.rsplit_once(' ').expect("a sample: series value");
            let value: f64 = value.parse().unwrap_or_else(|_| panic!("a number: {line}"));
            let name = match series.split_once('{') {
                Some((name, labels)) => {
                    let labels = labels.strip_suffix('}').expect("labels end with }");
                    let (key, quoted) = labels.split_once('=').expect("label=\"value\"");
                    assert!(key.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
                    assert!(quoted.starts_with('"') && quoted.ends_with('"'), "{line}");
                    name
                }
                None => series,
            };
            let kind = typed
                .get(name)
                .unwrap_or_else(|| panic!("no TYPE before {line}"));
            assert!(kind != "counter" || name.ends_with("_total"), "{line}");
            assert!(value >= 0.0, "{line}");
            samples.insert(series.to_owned(), value);
        }
    }
    samples
}
