//! A front door before relay nodes that share rooms through Redis: what a
//! deployment's load balancer does.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// How long binding a loopback port may take.
const LISTEN_PATIENCE: Duration = Duration::from_secs(10);

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
                .recv_timeout(LISTEN_PATIENCE)
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
