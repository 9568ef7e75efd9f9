use super::*;

/// The vector the web client's test checks too.
const VECTOR: &str = include_str!("../../../../tests/vectors/security-code.json");

fn field(name: &str) -> String {
    let vector: serde_json::Value = serde_json::from_str(VECTOR).expect("the vector is JSON");
    vector[name].as_str().expect("a string field").to_owned()
}

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

fn vector_fingerprints() -> Fingerprints {
    Fingerprints {
        offer: Fingerprint::of_certificate(&bytes(&field("certificateOffer"))),
        answer: Fingerprint::of_certificate(&bytes(&field("certificateAnswer"))),
    }
}

#[test]
fn the_shared_vector_gives_its_fingerprints_commitment_and_code() {
    let fingerprints = vector_fingerprints();
    assert_eq!(
        Some(fingerprints.offer),
        Fingerprint::from_sdp(&field("fingerprintOffer"))
    );
    assert_eq!(
        Some(fingerprints.answer),
        Fingerprint::from_sdp(&field("fingerprintAnswer"))
    );
    let na = Nonce::from_hex(&field("na")).expect("Na");
    let nb = Nonce::from_hex(&field("nb")).expect("Nb");
    assert_eq!(to_hex(&commitment(&fingerprints, &nb)), field("commitment"));
    assert_eq!(security_code(&fingerprints, &na, &nb), field("code"));
}

#[test]
fn another_nonce_or_certificate_gives_another_code() {
    let fingerprints = vector_fingerprints();
    let na = Nonce::from_hex(&field("na")).expect("Na");
    let nb = Nonce::from_hex(&field("nb")).expect("Nb");
    let code = security_code(&fingerprints, &na, &nb);
    assert_ne!(code, security_code(&fingerprints, &nb, &na));
    let swapped = Fingerprints {
        offer: fingerprints.answer,
        answer: fingerprints.offer,
    };
    assert_ne!(code, security_code(&swapped, &na, &nb));
}

#[test]
fn the_code_is_six_digits_in_two_groups() {
    let code = security_code(&vector_fingerprints(), &Nonce::random(), &Nonce::random());
    assert_eq!(code.len(), 7);
    assert!(code.chars().enumerate().all(|(i, c)| if i == 3 {
        c == ' '
    } else {
        c.is_ascii_digit()
    }));
}

#[test]
fn sdp_fingerprints_of_another_algorithm_or_shape_are_refused() {
    let good = field("fingerprintOffer");
    assert!(Fingerprint::from_sdp(&good.to_lowercase()).is_some());
    assert_eq!(
        Fingerprint::from_sdp(&good.replace("sha-256", "sha-1")),
        None
    );
    assert_eq!(Fingerprint::from_sdp(&good[..good.len() - 3]), None);
    assert_eq!(Fingerprint::from_sdp(&format!("{good}:00")), None);
    assert_eq!(Fingerprint::from_sdp(&good.replacen("A", "+", 1)), None);
    assert_eq!(Fingerprint::from_sdp(""), None);
}

#[test]
fn nonces_are_64_hex_digits() {
    let nonce = Nonce::random();
    assert_eq!(Nonce::from_hex(&nonce.to_hex()), Some(nonce));
    assert_eq!(Nonce::from_hex(&nonce.to_hex()[1..]), None);
    assert_eq!(Nonce::from_hex(&"+f".repeat(32)), None);
    assert_eq!(Nonce::from_hex(&"é".repeat(32)), None);
    assert_ne!(Nonce::random(), Nonce::random());
}
