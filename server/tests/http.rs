//! Plain HTTP routes: health, the web client's files, and refusals.

mod common;

use common::{Client, Relay, http_get};
use tokio::net::TcpStream;

async fn get(relay: &Relay, path: &str) -> (u16, Vec<u8>) {
    let mut tcp = TcpStream::connect(relay.addr).await.expect("tcp connect");
    http_get(&mut tcp, path).await
}

#[tokio::test]
async fn the_first_line_names_the_bound_port_and_healthz_answers_ok() {
    let relay = Relay::start(&[]);
    assert_eq!(relay.scheme, "http");
    assert_ne!(
        relay.addr.port(),
        0,
        "port 0 was replaced by the bound port"
    );
    assert_eq!(get(&relay, "/healthz").await, (200, b"ok".to_vec()));
}

#[tokio::test]
async fn the_web_client_is_served_from_the_embedded_static_files() {
    let relay = Relay::start(&[]);
    let files: [(&str, &[u8]); 4] = [
        ("/", include_bytes!("../static/index.html")),
        ("/index.html", include_bytes!("../static/index.html")),
        ("/app.js", include_bytes!("../static/app.js")),
        ("/style.css", include_bytes!("../static/style.css")),
    ];
    for (path, contents) in files {
        assert_eq!(get(&relay, path).await, (200, contents.to_vec()), "{path}");
    }
    assert_eq!(get(&relay, "/no-such-file.js").await.0, 404);
}

#[tokio::test]
async fn ws_without_an_upgrade_is_refused_with_426() {
    let relay = Relay::start(&[]);
    assert_eq!(get(&relay, "/ws").await.0, 426);
}

#[tokio::test]
async fn connections_beyond_the_limit_get_503_until_a_place_frees_up() {
    let relay = Relay::start(&["--max-connections", "2"]);
    let mut first = Client::connect(&relay).await;
    let _second = Client::connect(&relay).await;
    let refused = tokio_tungstenite::connect_async(relay.ws_url()).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503)
        }
        other => panic!("expected HTTP 503, got {other:?}"),
    }
    // Close properly and read until the relay closes the socket: it frees the
    // place before it lets the socket go, so the next client is admitted.
    first.ws.close(None).await.expect("the close frame is sent");
    first.expect_gone().await;
    let admitted = tokio_tungstenite::connect_async(relay.ws_url()).await;
    assert!(
        admitted.is_ok(),
        "a freed place is given to the next client: {:?}",
        admitted.err()
    );
}

/// The relay raises its soft open-file limit to the hard limit at start: the
/// usual soft limit of 1024 would cap it far below --max-connections.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_relay_runs_with_its_open_file_limit_raised_to_the_hard_limit() {
    // Started with a soft limit below the hard one (the test's own may be
    // equal, which would prove nothing).
    let mut command = std::process::Command::new("sh");
    command.args([
        "-c",
        "ulimit -Sn 256 && exec \"$0\" --listen 127.0.0.1:0",
        Relay::BINARY,
    ]);
    let relay = Relay::spawn(command);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", relay.pid()))
        .expect("the relay's limits are readable");
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .expect("an open-file limit");
    let numbers: Vec<&str> = line["Max open files".len()..].split_whitespace().collect();
    assert_ne!(numbers[1], "256", "the hard limit allows more: {line}");
    assert_eq!(numbers[0], numbers[1], "soft equals hard: {line}");
}
