//! The lab's link impairments, measured on real traffic between namespaces:
//! a shaped link carries its rate, a lossy one loses its share, each way.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use videochat_e2e::Lab;

/// Slow start and tbf's initial burst settle within this; not measured.
const WARM_UP: Duration = Duration::from_secs(1);
const DATAGRAMS: usize = 2000;

/// A connection from `from` to `to`: both ends, the accepting one second.
fn connection(lab: &Lab, from: &str, to: &str) -> (TcpStream, TcpStream) {
    let addr = lab.addr(to);
    let listener = lab
        .run_in(to, || TcpListener::bind((addr, 0)))
        .expect("a listener");
    let target = listener.local_addr().expect("a bound address");
    let client = lab
        .run_in(from, || {
            TcpStream::connect_timeout(&target, Duration::from_secs(1))
        })
        .unwrap_or_else(|e| panic!("{from} cannot connect to {to}: {e}"));
    let (server, _) = listener.accept().expect("the connection just made");
    (client, server)
}

/// Bits per second that `from` gets through to `to` over TCP, counted at
/// the receiver during `window` after the warm-up.
fn tcp_rate(lab: &Lab, from: &str, to: &str, window: Duration) -> f64 {
    let (client, mut server) = connection(lab, from, to);
    let done = AtomicBool::new(false);
    // The sender stops when told, or by itself should the receiver fail.
    let sender_deadline = Instant::now() + WARM_UP + window + Duration::from_secs(5);
    std::thread::scope(|scope| {
        scope.spawn(|| send_until(&client, &done, sender_deadline));
        let rate = receive_rate(&mut server, window);
        done.store(true, Ordering::Relaxed);
        rate
    })
}

fn send_until(mut stream: &TcpStream, done: &AtomicBool, deadline: Instant) {
    stream
        .set_write_timeout(Some(Duration::from_millis(200)))
        .expect("a write timeout");
    let chunk = [0u8; 16 * 1024];
    while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
        match stream.write(&chunk) {
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("sending failed: {e}"),
        }
    }
}

fn receive_rate(stream: &mut TcpStream, window: Duration) -> f64 {
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("a read timeout");
    let start = Instant::now();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut counted = 0usize;
    loop {
        let read = stream.read(&mut buffer).expect("data keeps coming");
        assert!(read > 0, "the sender closed early");
        let at = start.elapsed();
        if at > WARM_UP + window {
            return counted as f64 * 8.0 / window.as_secs_f64();
        }
        if at >= WARM_UP {
            counted += read;
        }
    }
}

/// Room for every datagram at once (root may exceed rmem_max), so that only
/// the lab's loss, not a busy receiving thread, can lose any.
fn room_for_all(socket: &UdpSocket) {
    let bytes: libc::c_int = 32 << 20;
    // SAFETY: the option value is a c_int living through the call, its size given.
    let set = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUFFORCE,
            (&bytes as *const libc::c_int).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(
        set,
        0,
        "SO_RCVBUFFORCE: {}",
        std::io::Error::last_os_error()
    );
}

/// The fraction of `DATAGRAMS` UDP datagrams from `from` that `to` does not get.
fn udp_loss(lab: &Lab, from: &str, to: &str) -> f64 {
    let (from_addr, to_addr) = (lab.addr(from), lab.addr(to));
    let receiver = lab
        .run_in(to, || UdpSocket::bind((to_addr, 0)))
        .expect("a receiver");
    room_for_all(&receiver);
    let target = receiver.local_addr().expect("a bound address");
    let sender = lab
        .run_in(from, || UdpSocket::bind((from_addr, 0)))
        .expect("a sender");
    for n in 0..DATAGRAMS {
        sender.send_to(&n.to_be_bytes(), target).expect("sent");
    }
    // Within the lab a datagram arrives in microseconds; a quiet half second means no more.
    receiver
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("a read timeout");
    let mut received = 0;
    let mut buffer = [0u8; 64];
    while receiver.recv(&mut buffer).is_ok() {
        received += 1;
    }
    1.0 - received as f64 / DATAGRAMS as f64
}

#[test]
fn a_link_shaped_to_1_mbit_carries_about_1_mbit_each_way() {
    let lab = Lab::new(&["alice", "bob"]);
    lab.shape("alice", 1_000_000, Duration::from_millis(100));
    let window = Duration::from_secs(3);
    // Alice's own egress, then the router's egress towards her.
    for (from, to) in [("alice", "bob"), ("bob", "alice")] {
        let mbit = tcp_rate(&lab, from, to, window) / 1e6;
        eprintln!("{from} to {to}, shaped: {mbit:.3} Mbit/s");
        assert!((0.6..=1.3).contains(&mbit), "{from} to {to}: {mbit} Mbit/s");
    }

    lab.unshape("alice");
    let mbit = tcp_rate(&lab, "alice", "bob", Duration::from_secs(1)) / 1e6;
    eprintln!("alice to bob, unshaped: {mbit:.0} Mbit/s");
    assert!(mbit > 10.0, "unshaped, only {mbit} Mbit/s");
}

#[test]
fn ten_percent_loss_drops_about_a_tenth_of_the_datagrams_each_way() {
    let lab = Lab::new(&["alice", "bob"]);
    lab.loss("alice", 0.1);
    // 2000 datagrams: the band is over 7 standard deviations wide each side.
    for (from, to) in [("alice", "bob"), ("bob", "alice")] {
        let lost = udp_loss(&lab, from, to);
        eprintln!("{from} to {to}, 10% loss: {:.1}% lost", lost * 100.0);
        assert!((0.05..=0.15).contains(&lost), "{from} to {to}: {lost}");
    }

    lab.loss("alice", 0.0);
    let lost = udp_loss(&lab, "alice", "bob");
    assert!(lost < 0.01, "loss removed, yet {lost} lost");
}
