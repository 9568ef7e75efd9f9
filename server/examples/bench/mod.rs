//! What the relay benchmarks share: the relay process and its memory, and
//! clients that connect from a loopback address of their own (so the relay
//! runs with its per-address limits as deployed) and join rooms.
#![allow(dead_code)] // Each benchmark uses its own subset.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Ws = WebSocketStream<TcpStream>;

/// A relay process, killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `binary` on a free loopback port with `args` and waits for its
    /// `listening on` line.
    pub fn start(binary: &PathBuf, args: &[&str]) -> Result<Server, Error> {
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        // Killed on drop from here on, should the relay not start.
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("unexpected first line {line:?}"))?;
        server.addr = addr.parse()?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// CPU time the relay has used so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, Error> {
        cpu_seconds(self.pid())
    }

    /// The relay's resident set size, in KiB.
    pub fn rss_kib(&self) -> Result<u64, Error> {
        vm_rss_kib(self.pid())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds `videochat-server` with the calling example's profile and returns
/// its path.
pub fn build_server() -> Result<PathBuf, Error> {
    let me = std::env::current_exe()?;
    let profile_dir = me
        .parent()
        .and_then(|p| p.parent())
        .ok_or("unexpected example path")?;
    let binary = profile_dir.join("videochat-server");
    // Built since this example was: nothing to do. (A nested `cargo build`
    // may resolve other dependency features than `cargo run --example` and
    // rebuild TLS crates each time.)
    let modified = |path: &std::path::Path| std::fs::metadata(path).and_then(|m| m.modified());
    if let (Ok(bin), Ok(example)) = (modified(&binary), modified(&me))
        && bin >= example
    {
        return Ok(binary);
    }
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.args([
        "build",
        "-q",
        "-p",
        "videochat-server",
        "--bin",
        "videochat-server",
    ]);
    if release {
        build.arg("--release");
    }
    if !build.status()?.success() {
        return Err("building videochat-server failed".into());
    }
    Ok(binary)
}

/// The resident set size of process `pid`, in KiB.
pub fn vm_rss_kib(pid: u32) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .ok_or("no VmRSS")?;
    let kib = line.split_whitespace().nth(1).ok_or("malformed VmRSS")?;
    Ok(kib.parse()?)
}

/// CPU time `pid` has used so far (user and system), in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64, Error> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The fields after the parenthesised command name, which may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .ok_or("malformed stat")?
        .1
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of stat(5); here 11 and 12.
    let ticks: u64 = fields.get(11).ok_or("no utime")?.parse::<u64>()?
        + fields.get(12).ok_or("no stime")?.parse::<u64>()?;
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    Ok(ticks as f64 / per_second.max(1) as f64)
}

/// The `n`th client address: 127.10.0.1, 127.10.0.2, ... (every 127/8
/// address is the loopback), so each client has an address of its own.
pub fn client_ip(n: usize) -> IpAddr {
    let host = n % 250 + 1;
    let net = n / 250;
    IpAddr::V4(Ipv4Addr::new(
        127,
        10 + (net / 256) as u8,
        (net % 256) as u8,
        host as u8,
    ))
}

/// Opens a WebSocket to `server` from `from`.
pub async fn connect(server: SocketAddr, from: IpAddr) -> Result<Ws, Error> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let tcp = socket.connect(server).await?;
    tcp.set_nodelay(true)?;
    let url = format!("ws://{server}/ws");
    let (ws, _) = tokio_tungstenite::client_async(url, tcp).await?;
    Ok(ws)
}

/// A `join` frame.
pub fn join_frame(room: &str) -> Message {
    Message::text(format!(r#"{{"type":"join","room":"{room}"}}"#))
}

/// Connects from `from`, joins `room`, and returns the socket once the relay
/// answered `created` or `joined`.
pub async fn joined(server: SocketAddr, from: IpAddr, room: &str) -> Result<Ws, Error> {
    let mut ws = connect(server, from).await?;
    ws.send(join_frame(room)).await?;
    let answer = next_text(&mut ws, Duration::from_secs(10)).await?;
    if answer.contains("\"created\"") || answer.contains("\"joined\"") {
        Ok(ws)
    } else {
        Err(format!("unexpected answer to join: {answer}").into())
    }
}

/// The next text frame within `wait` (pings are answered on the way).
pub async fn next_text(ws: &mut Ws, wait: Duration) -> Result<String, Error> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Ok(text.to_string()),
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(error))) => return Err(error.into()),
            Ok(None) => return Err("the connection ended".into()),
            Err(_) => return Err(format!("nothing within {wait:?}").into()),
        }
    }
}

/// The relay's `/metrics` samples: `(series, value)`.
pub async fn scrape(server: SocketAddr) -> Result<Vec<(String, f64)>, Error> {
    let mut tcp = TcpStream::connect(server).await?;
    let request = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    tcp.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    tcp.read_to_string(&mut response).await?;
    let body = response.split_once("\r\n\r\n").ok_or("no body")?.1;
    Ok(body
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect())
}

/// The value at quantile `q` of sorted `values`.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}
