//! A real coturn in the lab's "turn" host accepts TURN REST credentials made
//! from its shared secret, and only those: coturn's own client,
//! `turnutils_uclient`, allocates and relays from alice's namespace.

use std::process::Output;
use std::time::{Duration, SystemTime};

use videochat_e2e::{Lab, TURN_PORT, Turn, turn_rest_credentials};

const SECRET: &str = "lab-shared-secret";

fn in_ten_minutes() -> SystemTime {
    SystemTime::now() + Duration::from_secs(600)
}

/// `turnutils_uclient` in alice: two clients allocate relays and send
/// each other a few messages through them (`-y`), then it exits.
fn uclient(lab: &Lab, turn: &Turn, username: &str, password: &str) -> Output {
    let mut command = lab.command("alice", "timeout");
    command
        .args(["30", "turnutils_uclient", "-y", "-n", "3"])
        .args(["-u", username, "-w", password])
        .args(["-p", &TURN_PORT.to_string(), &turn.addr.ip().to_string()]);
    command.output().expect("turnutils_uclient runs")
}

/// "tot_send_msgs=S, tot_recv_msgs=R" from the client's closing summary.
fn messages(stdout: &str) -> Option<(u32, u32)> {
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.contains("tot_recv_msgs="))?;
    let number = |key: &str| -> Option<u32> {
        let start = summary.find(key)? + key.len();
        let digits: String = summary[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    Some((number("tot_send_msgs=")?, number("tot_recv_msgs=")?))
}

/// The server answered and said no (rather than not answering at all).
fn refused(output: Output, what: &str) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{what} was accepted: {stdout}");
    assert!(
        stdout.contains("Cannot complete Allocation"),
        "{what}: not an allocation refusal: {stdout}"
    );
}

#[test]
fn an_allocation_with_turn_rest_credentials_relays_messages() {
    let lab = Lab::new(&["alice", "turn"]);
    let turn = Turn::start(&lab, "turn", SECRET);
    let (username, password) = turn_rest_credentials(SECRET, "alice", in_ten_minutes());
    let output = uclient(&lab, &turn, &username, &password);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "uclient failed: {stdout}");
    let (sent, received) = messages(&stdout).unwrap_or_else(|| panic!("no summary: {stdout}"));
    assert!(
        sent > 0 && received == sent,
        "{sent} sent, {received} relayed"
    );
}

#[test]
fn coturn_refuses_another_secret_and_an_expired_username() {
    let lab = Lab::new(&["alice", "turn"]);
    let turn = Turn::start(&lab, "turn", SECRET);
    let (username, password) = turn_rest_credentials("another-secret", "alice", in_ten_minutes());
    refused(uclient(&lab, &turn, &username, &password), "another secret");

    // Signed with the right secret, but its expiry time has passed.
    let a_minute_ago = SystemTime::now() - Duration::from_secs(60);
    let (username, password) = turn_rest_credentials(SECRET, "alice", a_minute_ago);
    refused(
        uclient(&lab, &turn, &username, &password),
        "an expired username",
    );
}
