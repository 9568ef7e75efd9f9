//! Two real peers in one process, on loopback UDP, no STUN: SDP and candidates
//! are passed directly between them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::time::timeout;
use videochat_core::call::Fingerprint;
use videochat_core::negotiation::{ConnectionState, SdpKind};
use videochat_core::peer::{Peer, PeerConfig, PeerError, PeerEvent};
use videochat_protocol::IceCandidate;

const WAIT: Duration = Duration::from_secs(10);

/// One peer, its candidates (held back so a test decides when they travel),
/// and all its other events.
struct Side {
    peer: Arc<Peer>,
    candidates: mpsc::UnboundedReceiver<IceCandidate>,
    events: mpsc::UnboundedReceiver<PeerEvent>,
}

async fn side() -> Side {
    let (tx, mut rx) = mpsc::channel(1024);
    let peer = Arc::new(
        Peer::new(PeerConfig::loopback(), tx)
            .await
            .expect("peer builds"),
    );
    let (cand_tx, candidates) = mpsc::unbounded_channel();
    let (event_tx, events) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let _ = match event {
                PeerEvent::LocalCandidate(c) => cand_tx.send(c).map_err(|_| ()),
                other => event_tx.send(other).map_err(|_| ()),
            };
        }
    });
    Side {
        peer,
        candidates,
        events,
    }
}

impl Side {
    /// Waits for the first event `pick` accepts, skipping others.
    async fn wait_for<T>(&mut self, what: &str, mut pick: impl FnMut(PeerEvent) -> Option<T>) -> T {
        timeout(WAIT, async {
            loop {
                let event = self.events.recv().await.expect("event stream open");
                if let Some(found) = pick(event) {
                    return found;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
    }

    async fn wait_connected(&mut self) {
        self.wait_for("connected", |e| {
            matches!(e, PeerEvent::State(ConnectionState::Connected)).then_some(())
        })
        .await;
    }

    /// Gathers until complete and returns every candidate.
    async fn all_candidates(&mut self) -> Vec<IceCandidate> {
        self.wait_for("gathering complete", |e| {
            matches!(e, PeerEvent::GatheringComplete).then_some(())
        })
        .await;
        let mut out = Vec::new();
        while let Ok(c) = self.candidates.try_recv() {
            out.push(c);
        }
        out
    }

    /// From now on, trickles this side's candidates (and those gathered so
    /// far) to `to` as they come. Call it once `to` has a remote description.
    fn trickle_to(&mut self, to: &Arc<Peer>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut old = std::mem::replace(&mut self.candidates, rx);
        drop(tx);
        let to = to.clone();
        tokio::spawn(async move {
            while let Some(c) = old.recv().await {
                // An ICE restart's candidates may beat its description here (the
                // negotiator orders them in a call); the restart test checks media.
                if let Err(e) = to.add_remote_candidate(c).await {
                    eprintln!("candidate not applied: {e}");
                }
            }
        });
    }
}

/// Offer/answer, then candidates trickled (each side's once the other has its
/// description, as the negotiator orders them); returns the setup time and the offer.
async fn connect(a: &mut Side, b: &mut Side) -> (Duration, String) {
    let start = Instant::now();
    let offer = a.peer.create_offer(false).await.expect("offer");
    b.peer
        .set_remote_description(SdpKind::Offer, offer.clone())
        .await
        .expect("offer applies");
    a.trickle_to(&b.peer);
    let answer = b.peer.create_answer().await.expect("answer");
    a.peer
        .set_remote_description(SdpKind::Answer, answer)
        .await
        .expect("answer applies");
    b.trickle_to(&a.peer);
    a.wait_connected().await;
    b.wait_connected().await;
    (start.elapsed(), offer)
}

/// `n` in four bytes that never form a start code (each has its top bit set).
fn frame_tag(n: u32) -> [u8; 4] {
    [0, 7, 14, 21].map(|shift| 0x80 | ((n >> shift) & 0x7f) as u8)
}

fn tag_of(frame: &[u8]) -> Option<u32> {
    let tag = frame.get(5..9)?;
    Some((0..4).fold(0, |n, i| n | (u32::from(tag[i] & 0x7f) << (7 * i))))
}

const SPS: [u8; 8] = [0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16];
const PPS: [u8; 4] = [0x68, 0xce, 0x3c, 0x80];

/// A tiny Annex-B access unit: SPS+PPS+IDR for frame 0, else one P slice;
/// the frame number is in the payload so the receiver can check order.
fn access_unit(n: u32, len: usize) -> Bytes {
    let mut au = Vec::new();
    if n == 0 {
        for nal in [&SPS[..], &PPS[..]] {
            au.extend_from_slice(&[0, 0, 0, 1]);
            au.extend_from_slice(nal);
        }
    }
    au.extend_from_slice(&[0, 0, 0, 1, if n == 0 { 0x65 } else { 0x41 }]);
    au.extend_from_slice(&frame_tag(n));
    au.extend((0..len).map(|i| (i % 200) as u8 + 0x10));
    Bytes::from(au)
}

async fn send_video(from: &Peer, frames: u32) -> Vec<Bytes> {
    let mut sent = Vec::new();
    for n in 0..frames {
        // Every fifth frame spans several packets (FU-A).
        let au = access_unit(n, if n % 5 == 0 { 4000 } else { 300 });
        from.write_video(au.clone(), Duration::from_millis(33))
            .await
            .expect("video write");
        sent.push(au);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    sent
}

async fn receive_video(to: &mut Side, count: usize) -> Vec<Bytes> {
    let mut got = Vec::new();
    while got.len() < count {
        got.push(
            to.wait_for("remote video", |e| match e {
                PeerEvent::RemoteVideo(f) => Some(f.data),
                _ => None,
            })
            .await,
        );
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_connect_and_exchange_video_and_audio_both_ways() {
    let (mut a, mut b) = (side().await, side().await);
    let (setup, _) = connect(&mut a, &mut b).await;
    println!(
        "setup (offer to both connected, loopback): {} ms",
        setup.as_millis()
    );

    let sent = send_video(&a.peer, 30).await;
    assert_eq!(
        receive_video(&mut b, 30).await,
        sent,
        "a's video reaches b intact, in order"
    );
    let sent = send_video(&b.peer, 10).await;
    assert_eq!(receive_video(&mut a, 10).await, sent, "b's video reaches a");

    let (peer_a, peer_b) = (a.peer.clone(), b.peer.clone());
    for (from, to) in [(&peer_a, &mut b), (&peer_b, &mut a)] {
        for n in 0..10u8 {
            let packet = Bytes::from(vec![0xf8, n, n, n]);
            from.write_audio(packet, Duration::from_millis(20))
                .await
                .expect("audio write");
        }
        let mut previous: Option<u16> = None;
        for n in 0..10u8 {
            let got = to
                .wait_for("remote audio", |e| match e {
                    PeerEvent::RemoteAudio(p) => Some(p),
                    _ => None,
                })
                .await;
            assert_eq!(got.data.as_ref(), &[0xf8, n, n, n]);
            if let Some(prev) = previous {
                assert_eq!(
                    got.sequence,
                    prev.wrapping_add(1),
                    "consecutive sequence numbers"
                );
            }
            previous = Some(got.sequence);
        }
    }

    // The certificate each verified in DTLS is the one the other's SDP names.
    let fingerprint = |der: Option<Vec<u8>>| {
        Fingerprint::of_certificate(&der.expect("a certificate after the handshake"))
    };
    let sdp = |value: Option<String>| Fingerprint::from_sdp(&value.expect("an SDP fingerprint"));
    assert_eq!(
        Some(fingerprint(a.peer.remote_certificate().await)),
        sdp(b.peer.local_fingerprint())
    );
    assert_eq!(
        Some(fingerprint(b.peer.remote_certificate().await)),
        sdp(a.peer.local_fingerprint())
    );
    a.peer.close().await;
    b.peer.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candidates_gathered_before_the_description_connect_once_it_is_set() {
    // The negotiator holds early candidates back (the peer keeps no queue of
    // its own): here every candidate waits until the description is set.
    let (mut a, mut b) = (side().await, side().await);
    let offer = a.peer.create_offer(false).await.expect("offer");
    let a_candidates = a.all_candidates().await;
    assert!(!a_candidates.is_empty());
    assert!(
        a_candidates
            .iter()
            .all(|c| c.sdp_mid.as_deref().is_some_and(|m| !m.is_empty())),
        "local candidates carry the real mid"
    );
    let early = b.peer.add_remote_candidate(a_candidates[0].clone()).await;
    assert!(
        matches!(early, Err(PeerError::BadCandidate(_))),
        "a candidate before any remote description is refused, not queued: {early:?}"
    );
    b.peer
        .set_remote_description(SdpKind::Offer, offer)
        .await
        .expect("offer");
    for c in a_candidates {
        b.peer
            .add_remote_candidate(c)
            .await
            .expect("candidate applies");
    }
    let answer = b.peer.create_answer().await.expect("answer");
    let b_candidates = b.all_candidates().await;
    a.peer
        .set_remote_description(SdpKind::Answer, answer)
        .await
        .expect("answer");
    for c in b_candidates {
        a.peer
            .add_remote_candidate(c)
            .await
            .expect("candidate applies");
    }
    a.wait_connected().await;
    b.wait_connected().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_frame_request_and_loss_reports_reach_the_sender() {
    let (mut a, mut b) = (side().await, side().await);
    connect(&mut a, &mut b).await;
    send_video(&a.peer, 5).await;
    receive_video(&mut b, 5).await;

    b.peer.request_key_frame().await.expect("PLI sent");
    a.wait_for("key frame request", |e| {
        matches!(e, PeerEvent::KeyFrameRequested).then_some(())
    })
    .await;

    // Receiver reports come on a timer; keep video flowing until one arrives.
    let sender = a.peer.clone();
    let feeder = tokio::spawn(async move {
        for n in 5..200 {
            let _ = sender
                .write_video(access_unit(n, 300), Duration::from_millis(33))
                .await;
            tokio::time::sleep(Duration::from_millis(33)).await;
        }
    });
    let loss = a
        .wait_for("receiver report", |e| match e {
            PeerEvent::VideoLoss { fraction_lost } => Some(fraction_lost),
            _ => None,
        })
        .await;
    feeder.abort();
    assert!(
        (0.0..0.02).contains(&loss),
        "no loss on loopback, got {loss}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_restart_offer_works_while_connected() {
    let (mut a, mut b) = (side().await, side().await);
    let (_, first_offer) = connect(&mut a, &mut b).await;
    let ufrag = |sdp: &str| {
        sdp.lines()
            .find_map(|l| l.trim().strip_prefix("a=ice-ufrag:"))
            .map(str::to_owned)
    };

    let restart = a.peer.create_offer(true).await.expect("restart offer");
    assert!(ufrag(&restart).is_some());
    assert_ne!(
        ufrag(&first_offer),
        ufrag(&restart),
        "fresh ICE credentials"
    );
    b.peer
        .set_remote_description(SdpKind::Offer, restart)
        .await
        .expect("restart offer applies");
    let answer = b.peer.create_answer().await.expect("restart answer");
    a.peer
        .set_remote_description(SdpKind::Answer, answer)
        .await
        .expect("restart answer applies");

    // Media still flows once the new ICE generation is up.
    let sender = a.peer.clone();
    let feeder = tokio::spawn(async move {
        for n in 1000..1300 {
            let _ = sender
                .write_video(access_unit(n, 300), Duration::from_millis(33))
                .await;
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let marker = b
        .wait_for("video after restart", |e| match e {
            PeerEvent::RemoteVideo(f) => tag_of(&f.data),
            _ => None,
        })
        .await;
    feeder.abort();
    assert!(marker >= 1000);
    assert_eq!(a.peer.state(), ConnectionState::Connected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_sdp_and_bad_candidates_give_typed_errors() {
    let (tx, _rx) = mpsc::channel(16);
    let peer = Peer::new(PeerConfig::loopback(), tx).await.expect("peer");
    for garbage in ["", "hello", "v=0\r\nm=video\r\n", "v=0\r\no=- x y\r\n\u{0}"] {
        let err = peer
            .set_remote_description(SdpKind::Offer, garbage.to_owned())
            .await
            .expect_err("garbage SDP is refused");
        assert!(matches!(err, PeerError::BadSdp(_)), "{err:?}");
    }
    for garbage in [
        "candidate:garbage",
        "candidate:1 1 udp x 1.2.3.4 9 typ host",
        "🙂",
    ] {
        let err = peer
            .add_remote_candidate(IceCandidate {
                candidate: garbage.to_owned(),
                sdp_mline_index: Some(0),
                sdp_mid: Some("0".to_owned()),
                username_fragment: None,
            })
            .await
            .expect_err("garbage candidate is refused");
        assert!(matches!(err, PeerError::BadCandidate(_)), "{err:?}");
    }
    let err = peer
        .write_video(
            Bytes::from_static(&[0, 0, 0, 1, 0x65]),
            Duration::from_millis(33),
        )
        .await
        .expect_err("nothing to send to yet");
    assert!(matches!(err, PeerError::NotConnected), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_and_mangled_offers_never_panic() {
    let (tx, _rx) = mpsc::channel(16);
    let source = Peer::new(PeerConfig::loopback(), tx).await.expect("peer");
    let offer = source.create_offer(false).await.expect("offer");
    let mut variants: Vec<String> = (0..offer.len())
        .step_by(61)
        .filter(|&i| offer.is_char_boundary(i))
        .map(|i| offer[..i].to_owned())
        .collect();
    for (i, line) in offer.lines().enumerate() {
        let mangled: String = offer
            .lines()
            .enumerate()
            .map(|(j, l)| {
                if i == j {
                    format!("{}:\u{1}::", &line[..line.len() / 2])
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\r\n");
        variants.push(mangled);
    }
    for sdp in variants {
        let (tx, _rx) = mpsc::channel(16);
        let peer = Peer::new(PeerConfig::loopback(), tx).await.expect("peer");
        // A caught panic is `Panicked`, its own error: it must never happen.
        match peer.set_remote_description(SdpKind::Offer, sdp).await {
            Ok(()) | Err(PeerError::BadSdp(_)) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
        peer.close().await;
    }
}
