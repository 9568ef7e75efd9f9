//! A short code two people can read to each other to know their call is
//! private: it is derived from both DTLS certificate fingerprints, so a man in
//! the middle (who must present his own certificates) gives each side a
//! different code. The browser client derives the same code the same way.

/// The code for a call between fingerprints `a` and `b` (each as in SDP:
/// `"sha-256 AB:CD:..."`), the same whichever side computes it: six digits in
/// two groups, e.g. `"042 917"`.
pub fn security_code(a: &str, b: &str) -> String {
    let mut pair = [normalize(a), normalize(b)];
    pair.sort();
    let digest = ring::digest::digest(&ring::digest::SHA256, pair.join("|").as_bytes());
    let bytes = digest.as_ref();
    let number = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
    format!("{:03} {:03}", number / 1000, number % 1000)
}

/// `"SHA-256 ab:cd"` and `"sha-256 AB:CD"` are the same fingerprint.
fn normalize(fingerprint: &str) -> String {
    let mut parts = fingerprint.split_whitespace();
    let algorithm = parts.next().unwrap_or_default().to_ascii_lowercase();
    let value = parts.next().unwrap_or_default().to_ascii_uppercase();
    format!("{algorithm} {value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINE: &str = "sha-256 0A:1B:2C:3D";
    const YOURS: &str = "sha-256 FF:EE:DD:CC";

    #[test]
    fn both_sides_read_the_same_code() {
        assert_eq!(security_code(MINE, YOURS), security_code(YOURS, MINE));
    }

    #[test]
    fn spelling_of_the_fingerprint_does_not_matter() {
        assert_eq!(
            security_code(MINE, YOURS),
            security_code("SHA-256 0a:1b:2c:3d", " sha-256  ff:ee:dd:cc ")
        );
    }

    #[test]
    fn another_certificate_gives_another_code() {
        assert_ne!(
            security_code(MINE, YOURS),
            security_code(MINE, "sha-256 FF:EE:DD:CD")
        );
    }

    #[test]
    fn the_code_is_six_digits_in_two_groups() {
        let code = security_code(MINE, YOURS);
        assert_eq!(code.len(), 7);
        assert!(code.chars().enumerate().all(|(i, c)| if i == 3 {
            c == ' '
        } else {
            c.is_ascii_digit()
        }));
    }

    #[test]
    fn the_code_is_sha256_of_the_sorted_pair() {
        // printf 'sha-256 0A:1B:2C:3D|sha-256 FF:EE:DD:CC' | sha256sum
        //   -> a93aa921...; 0xa93aa921 % 1_000_000 = 193889
        assert_eq!(security_code(YOURS, MINE), "193 889");
    }
}
