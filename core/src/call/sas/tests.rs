use std::time::Instant;

use super::*;
use crate::call::security_code::Fingerprint;

fn fingerprint(byte: u8) -> Fingerprint {
    Fingerprint([byte; 32])
}

fn pair(offer: u8, answer: u8) -> Fingerprints {
    Fingerprints {
        offer: fingerprint(offer),
        answer: fingerprint(answer),
    }
}

/// Runs the exchange between an initiator and an answerer that see
/// `initiator_sees` and `answerer_sees`, passing each message on as is.
fn exchange(
    initiator_sees: Fingerprints,
    answerer_sees: Fingerprints,
) -> (SasExchange, SasExchange) {
    let now = Instant::now();
    let mut initiator = SasExchange::new(Role::Initiator);
    let mut answerer = SasExchange::new(Role::Answerer);
    assert_eq!(initiator.on_connected(initiator_sees, now), None);
    let commit = answerer
        .on_connected(answerer_sees, now)
        .expect("the answerer commits");
    let nonce = initiator
        .on_message(commit)
        .expect("the initiator answers with Na");
    let reveal = answerer.on_message(nonce).expect("the answerer reveals Nb");
    assert_eq!(initiator.on_message(reveal), None);
    (initiator, answerer)
}

fn ready(code: &SecurityCode) -> &str {
    match code {
        SecurityCode::Ready(code) => code,
        other => panic!("no code: {other:?}"),
    }
}

#[test]
fn both_sides_of_a_direct_call_show_the_same_code() {
    let (initiator, answerer) = exchange(pair(1, 2), pair(1, 2));
    assert_eq!(ready(initiator.code()), ready(answerer.code()));
}

#[test]
fn each_call_gets_a_fresh_code() {
    let (first, _) = exchange(pair(1, 2), pair(1, 2));
    let (second, _) = exchange(pair(1, 2), pair(1, 2));
    assert_ne!(ready(first.code()), ready(second.code()));
}

#[test]
fn a_relay_forwarding_the_exchange_across_swapped_certificates_breaks_the_commitment() {
    // Mallory terminates DTLS on both sides (certificates 8 and 9) and
    // passes the messages on untouched: the commitment names the answerer's
    // view of the certificates, which is not the initiator's.
    let (initiator, answerer) = exchange(pair(1, 8), pair(9, 2));
    assert_eq!(
        initiator.code(),
        &SecurityCode::NotVerified(NotVerified::ExchangeFailed)
    );
    assert!(matches!(answerer.code(), SecurityCode::Ready(_)));
}

#[test]
fn a_relay_running_its_own_exchange_with_each_side_shows_them_different_codes() {
    // Mallory answers Alice and offers to Bob, honestly on each leg: both
    // legs complete, and Alice's and Bob's codes differ (he had to commit to
    // Bob's leg's Nb before Alice's Na decided her code).
    let (alice, _mallory_to_alice) = exchange(pair(1, 8), pair(1, 8));
    let (_mallory_to_bob, bob) = exchange(pair(9, 2), pair(9, 2));
    assert_ne!(ready(alice.code()), ready(bob.code()));
}

#[test]
fn the_initiator_takes_one_commitment_only() {
    let now = Instant::now();
    let mut initiator = SasExchange::new(Role::Initiator);
    let mut answerer = SasExchange::new(Role::Answerer);
    initiator.on_connected(pair(1, 2), now);
    let commit = answerer.on_connected(pair(1, 2), now).expect("commit");
    assert!(initiator.on_message(commit).is_some());
    // A second commitment, once Na is out, would let the sender choose Nb again.
    let late = SasMessage::Commit { c: "00".repeat(32) };
    assert_eq!(initiator.on_message(late), None);
    assert_eq!(initiator.code(), &SecurityCode::Pending);
}

#[test]
fn the_answerer_reveals_only_after_the_nonce_and_the_initiator_checks_the_opening() {
    let now = Instant::now();
    let mut initiator = SasExchange::new(Role::Initiator);
    let mut answerer = SasExchange::new(Role::Answerer);
    initiator.on_connected(pair(1, 2), now);
    // A reveal before any commitment is out of turn.
    let early = SasMessage::Reveal { n: "11".repeat(32) };
    assert_eq!(initiator.on_message(early), None);
    let commit = answerer.on_connected(pair(1, 2), now).expect("commit");
    initiator.on_message(commit);
    let forged = SasMessage::Reveal { n: "22".repeat(32) };
    initiator.on_message(forged);
    assert_eq!(
        initiator.code(),
        &SecurityCode::NotVerified(NotVerified::ExchangeFailed)
    );
}

#[test]
fn a_peer_that_never_answers_is_not_verified_after_the_timeout() {
    let now = Instant::now();
    let mut initiator = SasExchange::new(Role::Initiator);
    initiator.on_connected(pair(1, 2), now);
    assert_eq!(initiator.deadline(), Some(now + SAS_TIMEOUT));
    initiator.on_timeout(now + SAS_TIMEOUT / 2);
    assert_eq!(initiator.code(), &SecurityCode::Pending);
    initiator.on_timeout(now + SAS_TIMEOUT);
    assert_eq!(
        initiator.code(),
        &SecurityCode::NotVerified(NotVerified::PeerUnsupported)
    );
    assert_eq!(initiator.deadline(), None);
}

#[test]
fn a_slow_peer_still_gets_its_code_after_the_timeout() {
    let now = Instant::now();
    let mut initiator = SasExchange::new(Role::Initiator);
    let mut answerer = SasExchange::new(Role::Answerer);
    initiator.on_connected(pair(1, 2), now);
    initiator.on_timeout(now + SAS_TIMEOUT);
    let commit = answerer
        .on_connected(pair(1, 2), now + SAS_TIMEOUT)
        .expect("commit");
    let nonce = initiator.on_message(commit).expect("nonce");
    let reveal = answerer.on_message(nonce).expect("reveal");
    initiator.on_message(reveal);
    assert_eq!(ready(initiator.code()), ready(answerer.code()));
}

#[test]
fn malformed_values_fail_the_exchange() {
    let now = Instant::now();
    let mut initiator = SasExchange::new(Role::Initiator);
    initiator.on_connected(pair(1, 2), now);
    initiator.on_message(SasMessage::Commit {
        c: "not hex".to_owned(),
    });
    assert_eq!(
        initiator.code(),
        &SecurityCode::NotVerified(NotVerified::ExchangeFailed)
    );
    let mut answerer = SasExchange::new(Role::Answerer);
    answerer.on_connected(pair(1, 2), now);
    assert_eq!(
        answerer.on_message(SasMessage::Nonce { n: "ab".to_owned() }),
        None
    );
    assert_eq!(
        answerer.code(),
        &SecurityCode::NotVerified(NotVerified::ExchangeFailed)
    );
}

#[test]
fn reconnecting_keeps_the_exchange() {
    let now = Instant::now();
    let mut answerer = SasExchange::new(Role::Answerer);
    assert!(answerer.on_connected(pair(1, 2), now).is_some());
    assert_eq!(answerer.on_connected(pair(1, 2), now), None);
}
