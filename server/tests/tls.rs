//! TLS: with --tls-cert/--tls-key the relay serves https and wss.

mod common;

use std::sync::Arc;

use common::{Client, Relay, http_get, join, room};
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// Writes a fresh self-signed certificate for `localhost`; returns the
/// paths and the DER certificate to trust.
fn self_signed() -> (String, String, rustls::pki_types::CertificateDer<'static>) {
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])
        .expect("rcgen makes a certificate");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    std::fs::write(&cert, certified.cert.pem()).expect("cert written");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("key written");
    let der = certified.cert.der().clone();
    (cert.display().to_string(), key.display().to_string(), der)
}

async fn tls_connect(
    relay: &Relay,
    trusted: &rustls::pki_types::CertificateDer<'static>,
) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(trusted.clone())
        .expect("the certificate is a valid root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(relay.addr).await.expect("tcp connect");
    let name = ServerName::try_from("localhost").expect("valid server name");
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS handshake with the relay")
}

#[tokio::test]
async fn with_a_certificate_the_relay_speaks_https_and_wss() {
    let (cert, key, der) = self_signed();
    let relay = Relay::start(&["--tls-cert", &cert, "--tls-key", &key]);
    assert_eq!(relay.scheme, "https", "the first line announces https");

    let mut https = tls_connect(&relay, &der).await;
    assert_eq!(
        http_get(&mut https, "/healthz").await,
        (200, b"ok".to_vec())
    );

    let url = format!("wss://localhost:{}/ws", relay.addr.port());
    let name = room("tls");
    let mut peers = Vec::new();
    for _ in 0..2 {
        let stream = tls_connect(&relay, &der).await;
        let (ws, _) = tokio_tungstenite::client_async(url.as_str(), stream)
            .await
            .expect("wss upgrade");
        let mut client = Client { ws };
        client.send(&join(&name)).await;
        peers.push(client);
    }
    peers[0].expect_event("created").await;
    peers[1].expect_event("joined").await;
    peers[0].expect_event("peer-joined").await;
    peers[1].send(r#"{"type":"offer","sdp":"secure"}"#).await;
    assert_eq!(
        peers[0].recv_text().await,
        r#"{"type":"offer","sdp":"secure"}"#
    );
}
