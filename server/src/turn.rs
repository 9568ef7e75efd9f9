//! Short-lived TURN credentials in the TURN REST API scheme that coturn
//! implements with `use-auth-secret` and `static-auth-secret`: the username
//! is `<unix expiry time>:<tag>` and the password is
//! base64(HMAC-SHA1(secret, username)), so the TURN server checks it with the
//! shared secret alone and refuses it once the time has passed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use videochat_protocol::{IceServer, random_token};

/// The secret shared with the TURN server. Never printed: its `Debug` is
/// redacted, and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct TurnSecret(String);

impl TurnSecret {
    pub fn new(secret: String) -> Self {
        TurnSecret(secret)
    }
}

impl std::fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TurnSecret(<redacted>)")
    }
}

/// The TURN servers a member is handed, and how to make their credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    /// `turn:` / `turns:` URLs of one TURN deployment sharing the secret.
    pub urls: Vec<String>,
    pub secret: TurnSecret,
    /// How long a credential stays valid.
    pub ttl: Duration,
}

impl Turn {
    /// The default credential lifetime: a day, so a long call is not cut off
    /// when its TURN allocation is refreshed.
    pub const DEFAULT_TTL: Duration = Duration::from_secs(86_400);

    /// An ICE server entry with a credential valid until `now` plus the TTL,
    /// under a random tag (neither the room name nor the session token,
    /// both secrets, since TURN usernames travel in the clear and are logged).
    pub fn ice_server(&self, now: SystemTime) -> IceServer {
        let tag = &random_token()[..16];
        self.ice_server_tagged(now, tag)
    }

    fn ice_server_tagged(&self, now: SystemTime, tag: &str) -> IceServer {
        let expiry = now
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_add(self.ttl)
            .as_secs();
        let username = format!("{expiry}:{tag}");
        IceServer {
            urls: self.urls.clone(),
            credential: Some(credential(&self.secret, &username)),
            username: Some(username),
        }
    }
}

/// base64(HMAC-SHA1(secret, username)): the password coturn expects.
pub fn credential(secret: &TurnSecret, username: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.0.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn() -> Turn {
        Turn {
            urls: vec!["turn:turn.example.org:3478".into()],
            secret: TurnSecret::new("north-wind-secret".into()),
            ttl: Duration::from_secs(3600),
        }
    }

    #[test]
    fn the_credential_matches_an_independently_computed_vector() {
        // python3: base64.b64encode(hmac.new(b"north-wind-secret",
        //   b"1700000000:room-tag", hashlib.sha1).digest()); openssl agrees.
        let secret = TurnSecret::new("north-wind-secret".into());
        assert_eq!(
            credential(&secret, "1700000000:room-tag"),
            "qfEfc/Y29XuWW5rnDvU0mZYZJvg="
        );
    }

    #[test]
    fn the_username_is_the_expiry_time_then_the_tag() {
        let now = UNIX_EPOCH + Duration::from_secs(1_699_996_400);
        let server = turn().ice_server_tagged(now, "room-tag");
        assert_eq!(server.urls, ["turn:turn.example.org:3478"]);
        assert_eq!(server.username.as_deref(), Some("1700000000:room-tag"));
        assert_eq!(
            server.credential.as_deref(),
            Some("qfEfc/Y29XuWW5rnDvU0mZYZJvg=")
        );
    }

    #[test]
    fn each_member_gets_its_own_tag() {
        let now = SystemTime::now();
        let (a, b) = (turn().ice_server(now), turn().ice_server(now));
        assert_ne!(a.username, b.username);
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() {
        let printed = format!("{:?}", turn());
        assert!(!printed.contains("north-wind"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
    }
}
