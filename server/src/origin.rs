//! Which web pages may open a WebSocket to the relay. Browsers send the
//! page's `Origin` with the upgrade; without a check any site a user visits
//! could use the relay (and the user's address) for its own ends.

/// The origins allowed besides the defaults: a page served by the relay
/// itself (its origin's host is the request's `Host`), and pages on
/// localhost, 127.0.0.1 or [::1] (development). Clients that are not
/// browsers send no `Origin` and are always allowed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    /// Normalised (`scheme://host[:port]`, lower case, no trailing slash).
    allowed: Vec<String>,
}

/// An `--allowed-origin` that is not `http://` or `https://` plus a host.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--allowed-origin is an origin like https://example.com, not {0:?}")]
pub struct BadOrigin(pub String);

impl OriginPolicy {
    /// Allows `origin` too.
    pub fn allow(&mut self, origin: &str) -> Result<(), BadOrigin> {
        let normal = normalise(origin);
        match authority(&normal) {
            Some(host) if !host.is_empty() && !host.contains('/') => {
                self.allowed.push(normal);
                Ok(())
            }
            _ => Err(BadOrigin(origin.to_owned())),
        }
    }

    /// True if a request with these `Origin` and `Host` headers may upgrade.
    pub fn allows(&self, origin: Option<&str>, host: Option<&str>) -> bool {
        let Some(origin) = origin else {
            return true;
        };
        let origin = normalise(origin);
        if self.allowed.contains(&origin) {
            return true;
        }
        let Some(authority) = authority(&origin) else {
            // `null` (a sandboxed page, a file) and anything unparsable.
            return false;
        };
        let same_origin = host.is_some_and(|host| {
            let host = host.to_ascii_lowercase();
            without_default_port(&origin, authority) == without_default_port(&origin, &host)
        });
        same_origin || is_local(authority)
    }
}

fn normalise(origin: &str) -> String {
    origin.trim().trim_end_matches('/').to_ascii_lowercase()
}

/// The `host[:port]` of a normalised http(s) origin.
fn authority(origin: &str) -> Option<&str> {
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
}

/// `authority` without the port its scheme implies (`Host: a:443` is `a`).
fn without_default_port<'a>(origin: &str, authority: &'a str) -> &'a str {
    let default = if origin.starts_with("https://") {
        ":443"
    } else {
        ":80"
    };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// True for localhost, 127.0.0.1 and [::1], on any port.
fn is_local(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.split(':').next().unwrap_or(""),
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_origin_same_origin_and_local_pages_are_allowed_by_default() {
        let policy = OriginPolicy::default();
        assert!(policy.allows(None, Some("chat.example")));
        assert!(policy.allows(Some("https://chat.example"), Some("chat.example")));
        assert!(policy.allows(Some("https://Chat.example"), Some("chat.example:443")));
        assert!(policy.allows(Some("http://chat.example:8080"), Some("chat.example:8080")));
        assert!(policy.allows(Some("http://localhost:5173"), Some("chat.example")));
        assert!(policy.allows(Some("http://127.0.0.1:9"), None));
        assert!(policy.allows(Some("http://[::1]:8080"), None));
    }

    #[test]
    fn other_origins_are_refused_unless_listed() {
        let mut policy = OriginPolicy::default();
        assert!(!policy.allows(Some("https://evil.example"), Some("chat.example")));
        assert!(!policy.allows(Some("http://chat.example:8081"), Some("chat.example:8080")));
        assert!(!policy.allows(Some("null"), Some("chat.example")));
        assert!(!policy.allows(Some("https://localhost.evil.example"), None));
        policy.allow("https://app.example/").expect("an origin");
        assert!(policy.allows(Some("https://APP.example"), Some("chat.example")));
        assert!(!policy.allows(Some("http://app.example"), Some("chat.example")));
    }

    #[test]
    fn an_allowed_origin_must_be_http_or_https_with_a_host() {
        let mut policy = OriginPolicy::default();
        for bad in [
            "app.example",
            "ftp://app.example",
            "https://",
            "https://a/b",
        ] {
            assert_eq!(policy.allow(bad), Err(BadOrigin(bad.to_owned())), "{bad}");
        }
    }
}
