//! Which pages may open a WebSocket: by Origin, checked at the upgrade.

mod common;

use common::Relay;
use tokio_tungstenite::tungstenite::Error as WsError;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// The HTTP status of an upgrade to `relay` with these `Origin` and `Host`
/// headers (101 once upgraded).
async fn upgrade_status(relay: &Relay, origin: Option<&str>, host: Option<&str>) -> u16 {
    let mut request = relay.ws_url().into_client_request().expect("a request");
    let headers = request.headers_mut();
    if let Some(origin) = origin {
        headers.insert("Origin", HeaderValue::from_str(origin).expect("a header"));
    }
    if let Some(host) = host {
        headers.insert("Host", HeaderValue::from_str(host).expect("a header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => response.status().as_u16(),
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("the upgrade failed: {other}"),
    }
}

#[tokio::test]
async fn apps_same_origin_pages_and_local_pages_may_upgrade_other_pages_get_403() {
    let relay = Relay::start(&[]);
    let cases = [
        (None, None, 101),
        (Some("https://chat.example"), Some("chat.example"), 101),
        (Some("http://localhost:5173"), Some("chat.example"), 101),
        (Some("http://127.0.0.1:8080"), None, 101),
        (Some("https://evil.example"), Some("chat.example"), 403),
        (Some("https://evil.example"), None, 403),
        (Some("null"), None, 403),
    ];
    for (origin, host, status) in cases {
        assert_eq!(
            upgrade_status(&relay, origin, host).await,
            status,
            "Origin {origin:?}, Host {host:?}"
        );
    }
}

#[tokio::test]
async fn an_allowed_origin_may_upgrade_and_others_still_may_not() {
    let relay = Relay::start(&[
        "--allowed-origin",
        "https://app.example",
        "--allowed-origin",
        "https://other.example",
    ]);
    let host = Some("chat.example");
    assert_eq!(
        upgrade_status(&relay, Some("https://app.example"), host).await,
        101
    );
    assert_eq!(
        upgrade_status(&relay, Some("https://other.example"), host).await,
        101
    );
    assert_eq!(
        upgrade_status(&relay, Some("https://evil.example"), host).await,
        403
    );
}

#[tokio::test]
async fn a_malformed_allowed_origin_is_refused_at_start() {
    let status = std::process::Command::new(Relay::BINARY)
        .args(["--allowed-origin", "app.example"])
        .output()
        .expect("the relay runs");
    assert_eq!(status.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("--allowed-origin"), "it says why: {stderr}");
}
