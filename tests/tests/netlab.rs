//! The network lab itself, in real namespaces: hosts reach each other through
//! the router, and block, cut and a network change do what they say; a lab
//! leaves nothing behind. Shaping and loss: netlab_impairments.rs.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::panic::AssertUnwindSafe;
use std::process::Command;
use std::time::Duration;

use videochat_e2e::{Lab, Relay};

/// Within the lab a connection is set up in well under a millisecond; this
/// is how long a silent drop takes to tell apart from that.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

fn listen(lab: &Lab, host: &str) -> TcpListener {
    let addr = lab.addr(host);
    lab.run_in(host, || TcpListener::bind((addr, 0)))
        .unwrap_or_else(|e| panic!("{host} cannot listen: {e}"))
}

fn connect(lab: &Lab, from: &str, to: SocketAddr) -> std::io::Result<TcpStream> {
    lab.run_in(from, || TcpStream::connect_timeout(&to, CONNECT_TIMEOUT))
}

/// A connection from `from` to `to`: both ends, the accepting one second.
fn connection(lab: &Lab, from: &str, to: &str) -> (TcpStream, TcpStream) {
    let listener = listen(lab, to);
    let target = listener.local_addr().expect("a bound address");
    let client = connect(lab, from, target)
        .unwrap_or_else(|e| panic!("{from} cannot connect to {to} at {target}: {e}"));
    // The handshake is done, so the connection is waiting in the backlog.
    let (server, _) = listener.accept().expect("the connection just made");
    (client, server)
}

fn assert_silently_dropped(result: std::io::Result<TcpStream>, what: &str) {
    match result {
        Err(e) if e.kind() == ErrorKind::TimedOut => {}
        other => panic!("{what}: expected a silent drop (timeout), got {other:?}"),
    }
}

/// The lab's namespaces that exist now.
fn namespaces_of(prefix: &str) -> Vec<String> {
    let output = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| name.starts_with(&format!("{prefix}-")))
        .map(str::to_owned)
        .collect()
}

#[test]
fn hosts_reach_each_other_through_the_router_with_their_own_addresses() {
    let hosts = ["alice", "bob", "relay"];
    let lab = Lab::new(&hosts);
    for (n, host) in hosts.iter().enumerate() {
        assert_eq!(lab.addr(host), Ipv4Addr::new(10, 77, n as u8 + 1, 2));
    }
    for from in hosts {
        for to in hosts.iter().filter(|&&to| to != from) {
            let (_client, server) = connection(&lab, from, to);
            // Routed, not translated: the far end sees the sender's own address.
            let seen = server.peer_addr().expect("a peer").ip();
            assert_eq!(seen, lab.addr(from), "{to} sees {from} as {seen}");
        }
    }
}

/// The real relay process runs in the relay host; both peers fetch its page.
fn fetch_page(lab: &Lab, from: &str, relay: &Relay) -> String {
    let addr = relay.addr.parse().expect("the relay's address");
    let mut stream =
        connect(lab, from, addr).unwrap_or_else(|e| panic!("{from} cannot reach the relay: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: relay\r\nConnection: close\r\n\r\n")
        .expect("a request sent");
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).expect("a status line");
    String::from_utf8_lossy(&head).into_owned()
}

#[test]
fn blocked_hosts_cannot_reach_each_other_but_both_reach_the_relay() {
    let lab = Lab::new(&["alice", "bob", "relay"]);
    let relay = Relay::start_in(&lab, "relay");
    let bob_listener = listen(&lab, "bob");
    let alice_listener = listen(&lab, "alice");
    let bob = bob_listener.local_addr().expect("bound");
    let alice = alice_listener.local_addr().expect("bound");

    lab.block("alice", "bob");
    assert_silently_dropped(connect(&lab, "alice", bob), "alice to bob, blocked");
    assert_silently_dropped(connect(&lab, "bob", alice), "bob to alice, blocked");
    for host in ["alice", "bob"] {
        assert_eq!(fetch_page(&lab, host, &relay), "HTTP/1.1 200", "{host}");
    }

    lab.unblock("bob", "alice");
    connect(&lab, "alice", bob).expect("alice reaches bob once unblocked");
}

#[test]
fn a_cut_link_stalls_a_connection_without_closing_it_until_restored() {
    let lab = Lab::new(&["alice", "bob"]);
    let (mut alice, mut bob) = connection(&lab, "alice", "bob");
    let mut byte = [0u8; 1];
    alice.write_all(b"a").expect("alice writes");
    bob.read_exact(&mut byte).expect("bob reads before the cut");

    lab.cut("alice");
    alice.write_all(b"b").expect("a write is only queued");
    // Neither a FIN nor a RST comes through: reads time out instead of ending or failing.
    for (name, stream) in [("bob", &mut bob), ("alice", &mut alice)] {
        stream
            .set_read_timeout(Some(Duration::from_secs(1)))
            .expect("a read timeout");
        match stream.read(&mut byte) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            other => panic!("{name}'s read during the cut should time out, got {other:?}"),
        }
    }

    lab.restore("alice");
    // TCP retransmits the queued byte (its backoff is seconds after a 1 s cut).
    bob.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    bob.read_exact(&mut byte)
        .expect("the byte sent during the cut");
    assert_eq!(&byte, b"b");
}

#[test]
fn a_network_change_gives_a_new_address_and_takes_the_old_one_away() {
    let lab = Lab::new(&["alice", "bob"]);
    let old = lab.addr("alice");
    let new = lab.change_network("alice");
    assert_ne!(new, old);
    assert_eq!(lab.addr("alice"), new);

    let bind = |ip: Ipv4Addr| lab.run_in("alice", move || UdpSocket::bind((ip, 0)).map(drop));
    match bind(old) {
        Err(e) if e.kind() == ErrorKind::AddrNotAvailable => {}
        other => panic!("the old address {old} should be gone, binding gave {other:?}"),
    }
    bind(new).expect("the new address is alice's");
    let (_client, server) = connection(&lab, "alice", "bob");
    assert_eq!(server.peer_addr().expect("a peer").ip(), new);
}

#[test]
fn a_network_change_keeps_blocks() {
    let lab = Lab::new(&["alice", "bob"]);
    let bob_listener = listen(&lab, "bob");
    let bob = bob_listener.local_addr().expect("bound");
    lab.block("alice", "bob");
    lab.change_network("alice");
    assert_silently_dropped(connect(&lab, "alice", bob), "alice to bob after the change");
}

#[test]
fn a_dropped_lab_leaves_no_namespace_behind() {
    let lab = Lab::new(&["alice", "bob"]);
    let prefix = lab.prefix().to_owned();
    assert_eq!(namespaces_of(&prefix).len(), 3, "alice, bob and the router");
    drop(lab);
    assert_eq!(namespaces_of(&prefix), Vec::<String>::new());
}

#[test]
fn a_lab_is_destroyed_when_the_test_using_it_panics() {
    let mut prefix = String::new();
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let lab = Lab::new(&["alice"]);
        prefix = lab.prefix().to_owned();
        panic!("deliberate: the lab must go even when its test panics");
    }));
    assert!(outcome.is_err());
    assert!(!prefix.is_empty());
    assert_eq!(namespaces_of(&prefix), Vec::<String>::new());
}

#[test]
fn a_new_lab_clears_labs_left_by_a_killed_run() {
    // A lab owned by a process that has exited, as after `kill -9` of a test run.
    let mut gone = Command::new("true").spawn().expect("true runs");
    let owner = gone.id();
    gone.wait().expect("true exits");
    let stale = format!("nl{:06x}s", std::process::id());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/netlab/netlab.sh");
    let created = Command::new("timeout")
        .args(["30", script, "create", &stale, "alice"])
        .env("NETLAB_OWNER", owner.to_string())
        .status()
        .expect("netlab.sh runs");
    assert!(created.success());
    assert_eq!(namespaces_of(&stale).len(), 2);

    let _lab = Lab::new(&["alice"]);
    assert_eq!(namespaces_of(&stale), Vec::<String>::new());
}
