//! The security code's arithmetic: a short authentication string (SAS) from
//! both DTLS certificate fingerprints and two nonces, as ZRTP and Bluetooth
//! numeric comparison do. The exchange that fixes the nonces is in
//! [`sas`](super::sas); docs/protocol.md ("Security code") is the spec, and
//! the web client (`server/static/security-code.js`) computes the same, checked
//! by one test vector (`tests/vectors/security-code.json`).
//!
//! The answerer commits to Nb before it learns Na, and Na decides the code:
//! a man in the middle must fix his certificates and nonce first and then
//! matches both sides' codes with probability one in a million per call
//! (with the old code, SHA-256 of the two fingerprints alone, he could try
//! certificates until the codes matched).

use std::fmt;

/// Bytes of a SHA-256 digest, a fingerprint and a nonce.
pub const DIGEST_BYTES: usize = 32;

/// A SHA-256 certificate fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; DIGEST_BYTES]);

impl Fingerprint {
    /// The fingerprint of a DER-encoded certificate (the one DTLS verified).
    pub fn of_certificate(der: &[u8]) -> Fingerprint {
        Fingerprint(sha256(&[der]))
    }

    /// Parses an SDP `a=fingerprint` value, `"sha-256 AB:CD:..."` (any case);
    /// `None` for another algorithm or a malformed value.
    pub fn from_sdp(value: &str) -> Option<Fingerprint> {
        let mut parts = value.split_whitespace();
        let algorithm = parts.next()?;
        let hex = parts.next()?;
        if !algorithm.eq_ignore_ascii_case("sha-256") || parts.next().is_some() {
            return None;
        }
        let mut bytes = [0u8; DIGEST_BYTES];
        let mut octets = hex.split(':');
        for byte in &mut bytes {
            *byte = hex_byte(octets.next()?.as_bytes())?;
        }
        octets.next().is_none().then_some(Fingerprint(bytes))
    }
}

/// The two fingerprints of a call, by the side that offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprints {
    pub offer: Fingerprint,
    pub answer: Fingerprint,
}

/// 256 random bits that one side adds to the code.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Nonce(pub [u8; DIGEST_BYTES]);

impl Nonce {
    /// A fresh nonce from the OS random source.
    pub fn random() -> Nonce {
        let mut bytes = [0u8; DIGEST_BYTES];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
            .expect("the OS random source is available");
        Nonce(bytes)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(hex: &str) -> Option<Nonce> {
        parse_hex32(hex).map(Nonce)
    }

    /// As 64 lowercase hex digits (the wire form).
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }
}

impl fmt::Debug for Nonce {
    // The answerer's nonce is a secret until revealed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Nonce(..)")
    }
}

/// The answerer's commitment: SHA-256(fpOffer || fpAnswer || Nb).
pub fn commitment(fingerprints: &Fingerprints, nb: &Nonce) -> [u8; DIGEST_BYTES] {
    sha256(&[&fingerprints.offer.0, &fingerprints.answer.0, &nb.0])
}

/// The code both sides show: SHA-256(fpOffer || fpAnswer || Na || Nb), its
/// first four bytes big-endian modulo 1,000,000, as `"ddd ddd"`.
pub fn security_code(fingerprints: &Fingerprints, na: &Nonce, nb: &Nonce) -> String {
    let digest = sha256(&[&fingerprints.offer.0, &fingerprints.answer.0, &na.0, &nb.0]);
    let number = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
    format!("{:03} {:03}", number / 1000, number % 1000)
}

/// Lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly 64 hex digits (either case) as 32 bytes.
pub fn parse_hex32(hex: &str) -> Option<[u8; DIGEST_BYTES]> {
    if hex.len() != 2 * DIGEST_BYTES {
        return None;
    }
    let mut bytes = [0u8; DIGEST_BYTES];
    for (byte, pair) in bytes.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *byte = hex_byte(pair)?;
    }
    Some(bytes)
}

/// Two hex digits (`from_str_radix` alone would also take `"+f"`).
fn hex_byte(pair: &[u8]) -> Option<u8> {
    if pair.len() != 2 || !pair.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()
}

fn sha256(parts: &[&[u8]]) -> [u8; DIGEST_BYTES] {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    for part in parts {
        context.update(part);
    }
    let mut out = [0u8; DIGEST_BYTES];
    out.copy_from_slice(context.finish().as_ref());
    out
}

#[cfg(test)]
mod tests;
