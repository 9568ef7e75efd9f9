//! TURN REST API credentials in `created`, `joined` and `resumed`, as coturn
//! checks them with `use-auth-secret` and `static-auth-secret`.

mod common;

use std::process::Stdio;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{Client, PATIENCE, Relay, join_resumable, join_session, room};
use serde_json::{Value, json};
use tokio::process::Command;
use videochat_server::turn::{TurnSecret, credential};

const SECRET: &str = "shared-with-coturn";
const TTL_S: u64 = 600;

/// Checks `event` carries one TURN entry whose credential coturn would accept
/// with `SECRET` until about now plus the TTL; returns its username.
fn check_ice_servers(event: &Value) -> String {
    let servers = event["iceServers"]
        .as_array()
        .unwrap_or_else(|| panic!("no iceServers in {event}"));
    assert_eq!(servers.len(), 1, "{event}");
    let server = &servers[0];
    assert_eq!(
        server["urls"],
        json!([
            "turn:127.0.0.1:3478",
            "turns:turn.example.org:5349?transport=tcp"
        ])
    );
    let username = server["username"].as_str().expect("a username");
    let (expiry, tag) = username.split_once(':').expect("expiry:tag");
    assert!(!tag.is_empty());
    let expiry: u64 = expiry.parse().expect("the expiry is unix seconds");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert!(
        (now + TTL_S - 30..=now + TTL_S).contains(&expiry),
        "expiry {expiry} is not about now ({now}) plus {TTL_S} s"
    );
    let expected = credential(&TurnSecret::new(SECRET.into()), username);
    assert_eq!(server["credential"], expected.as_str());
    username.to_owned()
}

#[tokio::test]
async fn each_member_gets_its_own_turn_credential_in_created_joined_and_resumed() {
    let secret_file = std::env::temp_dir().join(format!("turn-test-{}", std::process::id()));
    std::fs::write(&secret_file, format!("{SECRET}\n")).expect("secret written");
    let relay = Relay::start(&[
        "--turn-url",
        "turn:127.0.0.1:3478",
        "--turn-url",
        "turns:turn.example.org:5349?transport=tcp",
        "--turn-secret-file",
        secret_file.to_str().expect("UTF-8 temp path"),
        "--turn-ttl-s",
        "600",
    ]);
    std::fs::remove_file(&secret_file).expect("secret removed");
    let name = room("turn");
    let (_a, created) = Client::joined(&relay, &name).await;
    assert_eq!(created["type"], "created");
    assert!(created.get("session").is_none(), "not asked for: {created}");
    let a_user = check_ice_servers(&created);

    let (b, joined) = Client::joined_by(&relay, &join_resumable(&name)).await;
    assert_eq!(joined["type"], "joined");
    let b_user = check_ice_servers(&joined);
    assert_ne!(a_user, b_user, "each member its own username");

    let token = joined["session"].as_str().expect("a token").to_owned();
    drop(b);
    let (_b2, resumed) = Client::joined_by(&relay, &join_session(&name, &token)).await;
    assert_eq!(resumed["type"], "resumed");
    check_ice_servers(&resumed);
}

#[tokio::test]
async fn without_turn_options_no_ice_servers_are_handed_out() {
    let relay = Relay::start(&[]);
    let name = room("no-turn");
    let (_a, created) = Client::joined_by(&relay, &join_resumable(&name)).await;
    assert!(created.get("iceServers").is_none(), "{created}");
    assert!(created.get("session").is_some(), "{created}");
}

#[tokio::test]
async fn incomplete_turn_options_stop_the_relay_with_a_reason() {
    for (args, reason) in [
        (&["--turn-url", "turn:h:3478"][..], "needs a secret"),
        (&["--turn-secret", "s3cret-value"], "need --turn-url"),
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_videochat-server"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            // A relay that wrongly started is killed when the wait gives up.
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(PATIENCE, run)
            .await
            .expect("the relay refused to start instead of running")
            .expect("the relay runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("s3cret-value"), "{stderr}");
        assert!(output.stdout.is_empty(), "it never listened");
    }
}
