//! The one thing the negotiation reads from an SDP.

/// The first `a=fingerprint:` value of an SDP (`"sha-256 AB:CD:..."`): the
/// certificate of the DTLS transport the description belongs to. A new one
/// means a new connection on that side.
pub fn dtls_fingerprint(sdp: &str) -> Option<&str> {
    sdp.lines()
        .find_map(|l| l.trim().strip_prefix("a=fingerprint:"))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::dtls_fingerprint;

    #[test]
    fn the_first_fingerprint_line_counts() {
        let sdp = "v=0\r\na=fingerprint:sha-256 AB:CD\r\nm=video 9\r\na=fingerprint:sha-1 EF\r\n";
        assert_eq!(dtls_fingerprint(sdp), Some("sha-256 AB:CD"));
        assert_eq!(dtls_fingerprint("v=0\r\nm=audio 9\r\n"), None);
    }
}
