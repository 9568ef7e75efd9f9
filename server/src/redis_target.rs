//! The Redis a cluster of relay nodes shares its rooms through: a `redis://`
//! URL, or `rediss://` for Redis over TLS, with the certificates of a private
//! CA to trust instead of the system's roots if need be.
//!
//! The URL may carry a password (`redis://:secret@host:6379`), and both the
//! configuration's `Debug` and the errors end up in logs: neither shows it.

use std::fmt;

/// Where the shared rooms live; see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub struct RedisTarget {
    url: String,
    /// PEM certificates to trust for `rediss://`, if not the system's roots.
    ca_pem: Option<Vec<u8>>,
}

/// A `--redis` or `--redis-ca` the relay cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadRedisTarget {
    /// The URL, its password hidden.
    #[error("--redis is a redis://HOST:PORT or rediss://HOST:PORT URL, not {0:?}")]
    Url(String),
    #[error("--redis-ca is for Redis over TLS: give a rediss:// URL")]
    CaWithoutTls,
}

impl RedisTarget {
    pub fn new(url: String, ca_pem: Option<Vec<u8>>) -> Result<Self, BadRedisTarget> {
        let host = url
            .strip_prefix("redis://")
            .or_else(|| url.strip_prefix("rediss://"));
        if host.is_none_or(str::is_empty) {
            return Err(BadRedisTarget::Url(without_password(&url)));
        }
        if ca_pem.is_some() && !url.starts_with("rediss://") {
            return Err(BadRedisTarget::CaWithoutTls);
        }
        Ok(Self { url, ca_pem })
    }

    /// A client for it (connecting is the caller's next step).
    pub fn client(&self) -> redis::RedisResult<redis::Client> {
        match &self.ca_pem {
            None => redis::Client::open(self.url.as_str()),
            Some(ca) => redis::Client::build_with_tls(
                self.url.as_str(),
                redis::TlsCertificates {
                    client_tls: None,
                    root_cert: Some(ca.clone()),
                },
            ),
        }
    }
}

/// The URL without its password.
impl fmt::Display for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&without_password(&self.url))
    }
}

impl fmt::Debug for RedisTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTarget")
            .field("url", &without_password(&self.url))
            .field("private_ca", &self.ca_pem.is_some())
            .finish()
    }
}

/// `url` with whatever precedes an `@` in its host part (user and password)
/// replaced by `***`.
fn without_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let shown = match rest[..authority_end].rfind('@') {
        Some(at) => format!("***{}", &rest[at..]),
        None => rest.to_owned(),
    };
    if scheme.is_empty() {
        shown
    } else {
        format!("{scheme}://{shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_tls_urls_are_taken_and_others_refused() {
        for good in ["redis://127.0.0.1:6379", "rediss://redis.example:6380/0"] {
            assert!(RedisTarget::new(good.to_owned(), None).is_ok(), "{good}");
        }
        for bad in [
            "127.0.0.1:6379",
            "redis://",
            "rediss://",
            "http://redis:6379",
        ] {
            assert_eq!(
                RedisTarget::new(bad.to_owned(), None),
                Err(BadRedisTarget::Url(bad.to_owned()))
            );
        }
    }

    #[test]
    fn a_private_ca_needs_tls() {
        let ca = Some(b"-----BEGIN CERTIFICATE-----".to_vec());
        assert_eq!(
            RedisTarget::new("redis://10.0.0.5:6379".to_owned(), ca.clone()),
            Err(BadRedisTarget::CaWithoutTls)
        );
        assert!(RedisTarget::new("rediss://10.0.0.5:6380".to_owned(), ca).is_ok());
    }

    #[test]
    fn the_password_is_never_shown() {
        let target = RedisTarget::new("rediss://app:hunter2@redis.example:6380/1".into(), None)
            .expect("a valid URL");
        assert_eq!(target.to_string(), "rediss://***@redis.example:6380/1");
        assert!(!format!("{target:?}").contains("hunter2"));
        let refused = RedisTarget::new("http://:hunter2@redis.example".into(), None);
        let Err(BadRedisTarget::Url(shown)) = refused else {
            panic!("an http URL is refused");
        };
        assert_eq!(shown, "http://***@redis.example");
        assert_eq!(
            without_password(":hunter2@redis.example"),
            "***@redis.example"
        );
    }
}
