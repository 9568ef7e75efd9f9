//! A real TURN server (coturn's `turnserver`) in a lab host, and the TURN REST
//! credentials it accepts: a shared secret, no user database.

use std::net::{SocketAddrV4, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::{Lab, Process};

pub const TURN_PORT: u16 = 3478;
pub const TURN_REALM: &str = "videochat.test";
/// coturn sets up its relay ports before it answers; this only bounds a hang.
const TURN_START: Duration = Duration::from_secs(10);

/// coturn listening on a lab host's address (UDP and TCP, no TLS), killed
/// when dropped. Its files (log, pid, database) go too, unless the test
/// failed: then their folder is printed.
pub struct Turn {
    process: Option<Process>,
    /// Where clients reach it: the host's address, port 3478.
    pub addr: SocketAddrV4,
    dir: PathBuf,
}

impl Turn {
    /// Starts `turnserver` in `host` with `use-auth-secret` and waits until it
    /// answers a STUN binding request.
    pub fn start(lab: &Lab, host: &str, secret: &str) -> Turn {
        let ip = lab.addr(host);
        let dir = std::env::temp_dir().join(format!("{}-{host}-turn", lab.prefix()));
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let ip_text = ip.to_string();
        let mut command = lab.command(host, "turnserver");
        command
            .args(["-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint"])
            .args(["--listening-ip", &ip_text, "--relay-ip", &ip_text])
            .args(["--listening-port", &TURN_PORT.to_string()])
            .args(["--use-auth-secret", "--static-auth-secret", secret])
            .args(["--realm", TURN_REALM, "--simple-log", "--log-file"])
            .arg(dir.join("turn.log"))
            .arg("--pidfile")
            .arg(dir.join("turn.pid"))
            .arg("--userdb")
            .arg(dir.join("turndb"));
        let turn = Turn {
            process: Some(Process::spawn("turnserver", command)),
            addr: SocketAddrV4::new(ip, TURN_PORT),
            dir,
        };
        let addr = turn.addr;
        let answered = lab.run_in(host, move || answers_within(addr, TURN_START));
        assert!(
            answered,
            "turnserver did not answer on {addr} within {TURN_START:?}; log: {}",
            turn.log()
        );
        turn
    }

    /// What coturn logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("turn.log")).unwrap_or_default()
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        drop(self.process.take());
        if std::thread::panicking() {
            eprintln!("turnserver's files are kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// TURN REST credentials (coturn's `use-auth-secret`): the username is
/// `<unix expiry>:<tag>`, the password base64(HMAC-SHA1(secret, username)).
pub fn turn_rest_credentials(secret: &str, tag: &str, expires: SystemTime) -> (String, String) {
    let expiry = expires
        .duration_since(UNIX_EPOCH)
        .expect("an expiry after 1970")
        .as_secs();
    let username = format!("{expiry}:{tag}");
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(username.as_bytes());
    let password = BASE64.encode(mac.finalize().into_bytes());
    (username, password)
}

/// Sends STUN binding requests to `server` until one is answered or time is up.
fn answers_within(server: SocketAddrV4, within: Duration) -> bool {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a read timeout");
    // Binding request, no attributes, the magic cookie, a 12-byte transaction id.
    let mut request = [0u8; 20];
    request[..2].copy_from_slice(&1u16.to_be_bytes());
    request[4..8].copy_from_slice(&0x2112_A442u32.to_be_bytes());
    request[8..].copy_from_slice(b"netlab-probe");
    let deadline = Instant::now() + within;
    let mut response = [0u8; 1500];
    while Instant::now() < deadline {
        socket
            .send_to(&request, server)
            .expect("a datagram to send");
        // Until coturn listens, nothing answers and the read times out.
        if let Ok((len, _)) = socket.recv_from(&mut response) {
            // A binding success response to this very request.
            if len >= 20 && response[..2] == [1, 1] && response[8..20] == request[8..] {
                return true;
            }
        }
    }
    false
}
