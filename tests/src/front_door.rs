//! Relay nodes sharing rooms through a real redis-server (`--redis`), and a
//! front door before them: what a deployment's load balancer does.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use crate::Process;

const REDIS_START: Duration = Duration::from_secs(10);

/// A redis-server on a free port, without persistence; killed when dropped.
pub struct Redis {
    _process: Process,
    pub url: String,
}

impl Redis {
    /// Starts it and waits until it accepts connections
    /// (scripts/setup.sh installs the Debian package).
    pub fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new("redis-server");
        command
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"]);
        let mut process = Process::spawn("redis", command);
        process.wait_for_stdout(REDIS_START, "Ready to accept connections", |line| {
            line.contains("Ready to accept connections").then_some(())
        });
        Redis {
            _process: process,
            url: format!("redis://127.0.0.1:{port}"),
        }
    }
}

/// Accepts on a port of its own and joins each connection to the first
/// node, in order, that accepts it: a dead node's clients land on the next,
/// as behind a load balancer. Stops when dropped.
pub struct FrontDoor {
    pub addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl FrontDoor {
    pub fn start(nodes: &[String]) -> FrontDoor {
        let nodes = nodes.to_vec();
        let (stop, stopped) = oneshot::channel::<()>();
        let (bound, addr) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the front door");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
                let _ = bound.send(listener.local_addr().expect("bound"));
                let accept = async {
                    while let Ok((client, _)) = listener.accept().await {
                        tokio::spawn(forward(client, nodes.clone()));
                    }
                };
                tokio::select! {
                    () = accept => {}
                    _ = stopped => {}
                }
            });
        });
        FrontDoor {
            addr: addr
                .recv_timeout(REDIS_START)
                .expect("the front door listens"),
            _stop: stop,
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }
}

async fn forward(mut client: TcpStream, nodes: Vec<String>) {
    for node in &nodes {
        if let Ok(mut upstream) = TcpStream::connect(node.as_str()).await {
            let _ = copy_bidirectional(&mut client, &mut upstream).await;
            return;
        }
    }
}
