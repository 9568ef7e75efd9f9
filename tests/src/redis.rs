//! A real redis-server for the tests of rooms across relay nodes
//! (scripts/setup.sh installs the Debian package). Plain threads, not
//! `Process`: async tests (the relay's) start it too.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const REDIS_START: Duration = Duration::from_secs(10);

/// A redis-server on a free loopback port, without persistence; killed (and
/// its TLS files removed) when dropped.
pub struct Redis {
    child: Child,
    pub url: String,
    /// A TLS Redis's files: its certificate, key and CA.
    tls_dir: Option<PathBuf>,
}

impl Redis {
    /// Starts it and waits until it accepts connections.
    pub fn start() -> Redis {
        let port = free_port();
        Redis {
            child: spawn(&["--port", &port.to_string()]),
            url: format!("redis://127.0.0.1:{port}"),
            tls_dir: None,
        }
    }

    /// Starts it speaking TLS only, its certificate for localhost signed by a
    /// CA made for it (rcgen), whose PEM file is `ca`.
    pub fn start_tls() -> Redis {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("redis-tls-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca_key = rcgen::KeyPair::generate().expect("a CA key");
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("a CA");
        let key = rcgen::KeyPair::generate().expect("a key");
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .and_then(|params| params.signed_by(&key, &*ca))
            .expect("a certificate signed by the CA");
        let path = |name: &str| dir.join(name).to_str().expect("UTF-8 path").to_owned();
        for (name, pem) in [
            ("ca.pem", ca.pem()),
            ("cert.pem", cert.pem()),
            ("key.pem", key.serialize_pem()),
        ] {
            std::fs::write(path(name), pem).expect("PEM written");
        }
        let child = spawn(&[
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &path("cert.pem"),
            "--tls-key-file",
            &path("key.pem"),
            "--tls-ca-cert-file",
            &path("ca.pem"),
            "--tls-auth-clients",
            "no",
        ]);
        Redis {
            child,
            url: format!("rediss://localhost:{port}"),
            tls_dir: Some(dir),
        }
    }

    /// The CA that signed a TLS Redis's certificate (`--redis-ca`).
    pub fn ca(&self) -> Option<PathBuf> {
        self.tls_dir.as_ref().map(|dir| dir.join("ca.pem"))
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.tls_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Starts redis-server and waits until it accepts connections; its output
/// is read to the end on a thread, so it never blocks on a full pipe.
fn spawn(args: &[&str]) -> Child {
    let mut child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1"])
        .args(args)
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("redis-server starts (scripts/setup.sh installs it)");
    let stdout = child.stdout.take().expect("stdout is piped");
    let (ready, is_ready) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Ready to accept connections") {
                let _ = ready.send(());
            }
        }
    });
    if is_ready.recv_timeout(REDIS_START).is_err() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("redis-server {args:?} was not ready within {REDIS_START:?}");
    }
    child
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}
