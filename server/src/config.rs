//! Command-line options.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::limits::Limits;
use crate::origin::{BadOrigin, OriginPolicy};
use crate::redis_target::{BadRedisTarget, RedisTarget};
use crate::turn::{Turn, TurnSecret};

/// Usage text for `--help`.
pub const USAGE: &str = "\
videochat-server: the videochat signaling relay and web client

USAGE: videochat-server [OPTIONS]

OPTIONS:
  --listen ADDR                 address to listen on (default 0.0.0.0:8080; port 0 picks one)
  --tls-cert PEM                certificate chain (PEM); with --tls-key serves https/wss
  --tls-key PEM                 private key (PEM)
  --heartbeat-interval-ms N     ping each client every N ms (default 10000)
  --heartbeat-timeout-ms N      drop a client silent for N ms, or whose socket has taken no
                                data for N ms: it stopped reading (default 30000)
  --max-connections N           most simultaneous WebSocket connections (default 10000)
  --max-connections-per-address N
                                most simultaneous connections from one IP address (IPv6: one
                                /64); more get HTTP 429 (default 64)
  --accept-burst N              new connections taken at once before pacing (default 50)
  --accepts-per-second N        new connections taken per second, sustained; more wait in the
                                listen backlog, so a crowd arriving at once does not delay the
                                calls in progress (default 1000; 0: unpaced)
  --join-burst N                joins one address may make in a burst (default 40)
  --joins-per-second N          joins one address may make per second, sustained (default 20);
                                beyond, a join gets the error rate_limited; the third refused
                                join in a row closes the connection
  --bar-after-abuses N          bar an address whose connections are dropped for abuse (too
                                large, flooding, bad UTF-8) N times within 10 s: its sockets are
                                closed at accept for 10 s; once barred, its next abuse bars
                                it again for twice as long (default 3; 0 never bars; behind a
                                reverse proxy every client shares its address)
  --max-rooms N                 most rooms at once; a join opening one more gets the error
                                relay_busy (default 10000)
  --queue-bytes N               most bytes queued for one client; a client that does not read
                                them is disconnected (default 262144)
  --rate-burst N                frames a client may send in a burst (default 200)
  --rate-per-second N           frames a client may send per second, sustained (default 50)
  --rate-bytes-burst N          bytes a client may send in a burst (default 262144)
  --rate-bytes-per-second N     bytes a client may send per second, sustained (default 32768)
  --resume-grace-ms N           keep the slot of a client that asked to resume this long after
                                its socket is gone (default 20000)
  --allowed-origin ORIGIN       also let pages from ORIGIN (e.g. https://app.example) open a
                                WebSocket; by default only pages served by the relay itself and
                                pages on localhost, 127.0.0.1 or [::1] may (others get HTTP 403),
                                and clients that send no Origin (apps) always may; repeatable
  --redis redis://HOST:PORT      share rooms with other relay nodes through this Redis (one
                                Redis, not a Redis Cluster; rediss:// for Redis over TLS);
                                without it the relay keeps its rooms in memory and needs no
                                outside service
  --redis-url-file PATH         read the --redis URL from this file (surrounding whitespace
                                ignored): a password in it is then not visible in `ps`
  --redis-ca PATH               trust the CA certificates in this PEM file for rediss://
                                instead of the system's (a Redis with a private CA)
  --turn-url URL                a turn: or turns: URL handed to every member with a short-lived
                                credential (repeat for several URLs of one TURN deployment)
  --turn-secret S               the secret shared with the TURN server (coturn's
                                static-auth-secret); visible in `ps`, prefer --turn-secret-file
  --turn-secret-file PATH       read the secret from this file (surrounding whitespace ignored)
  --turn-ttl-s N                how long a TURN credential stays valid (default 86400)
  -h, --help                    print this help
";

/// Paths of the TLS certificate chain and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The relay's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub tls: Option<TlsFiles>,
    pub limits: Limits,
    /// Which web pages may open a WebSocket.
    pub origins: OriginPolicy,
    /// TURN servers to hand out with short-lived credentials.
    pub turn: Option<Turn>,
    /// The Redis whose rooms this node shares with other nodes.
    pub redis: Option<RedisTarget>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            tls: None,
            limits: Limits::default(),
            origins: OriginPolicy::default(),
            turn: None,
            redis: None,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Boxed: a configuration is large, and `Help` carries nothing.
    Run(Box<Config>),
    Help,
}

/// A command line that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    #[error("unknown option {0}")]
    UnknownOption(String),
    #[error("option {0} needs a value")]
    MissingValue(String),
    #[error("invalid value {value:?} for {option}")]
    InvalidValue { option: String, value: String },
    #[error("--tls-cert and --tls-key go together")]
    HalfTls,
    #[error("the heartbeat timeout must be longer than the interval")]
    HeartbeatTimeoutTooShort,
    #[error(transparent)]
    BadOrigin(#[from] BadOrigin),
    #[error(transparent)]
    BadRedis(#[from] BadRedisTarget),
    #[error("--redis-ca needs --redis or --redis-url-file")]
    RedisCaWithoutRedis,
    #[error("give the Redis URL once: --redis or --redis-url-file")]
    TwoRedisUrls,
    #[error("--turn-url is a turn: or turns: URL, not {0:?}")]
    BadTurnUrl(String),
    #[error("--turn-url needs a secret: --turn-secret or --turn-secret-file")]
    TurnUrlWithoutSecret,
    #[error("--turn-secret, --turn-secret-file and --turn-ttl-s need --turn-url")]
    TurnWithoutUrl,
    #[error("give the TURN secret once: --turn-secret or --turn-secret-file")]
    TwoTurnSecrets,
    // Never the secret itself in an error: it is printed.
    #[error("the TURN secret is empty")]
    EmptyTurnSecret,
    #[error("cannot read the file of {option}, {path}: {reason}")]
    UnreadableFile {
        option: String,
        path: String,
        reason: String,
    },
}

impl Command {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, ArgsError> {
        let mut config = Config::default();
        let (mut cert, mut key) = (None, None);
        let mut turn = TurnArgs::default();
        let (mut redis_url, mut redis_ca) = (None, None);
        let mut args = args.into_iter();
        while let Some(option) = args.next() {
            // Accept both `--opt value` and `--opt=value`.
            let (name, inline) = match option.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                None => (option.clone(), None),
            };
            if name == "-h" || name == "--help" {
                return Ok(Command::Help);
            }
            let value = match inline.or_else(|| args.next()) {
                Some(value) => value,
                None if is_known(&name) => return Err(ArgsError::MissingValue(name)),
                None => return Err(ArgsError::UnknownOption(name)),
            };
            let limits = &mut config.limits;
            match name.as_str() {
                "--listen" => config.listen = parse_value(&name, &value)?,
                "--tls-cert" => cert = Some(PathBuf::from(value)),
                "--tls-key" => key = Some(PathBuf::from(value)),
                "--heartbeat-interval-ms" => {
                    limits.heartbeat_interval = Duration::from_millis(positive(&name, &value)?)
                }
                "--heartbeat-timeout-ms" => {
                    limits.heartbeat_timeout = Duration::from_millis(positive(&name, &value)?)
                }
                "--max-connections" => {
                    limits.max_connections = positive(&name, &value)? as usize;
                }
                "--max-connections-per-address" => {
                    limits.max_connections_per_address = positive(&name, &value)? as usize;
                }
                "--accept-burst" => limits.accept_burst = small(&name, &value)?,
                "--accepts-per-second" => limits.accepts_per_second = parse_value(&name, &value)?,
                "--join-burst" => limits.join_burst = small(&name, &value)?,
                "--joins-per-second" => limits.joins_per_second = small(&name, &value)?,
                "--bar-after-abuses" => limits.bar_after_abuses = parse_value(&name, &value)?,
                "--max-rooms" => limits.max_rooms = positive(&name, &value)? as usize,
                "--queue-bytes" => limits.queue_bytes = positive(&name, &value)? as usize,
                "--rate-burst" => limits.rate_burst = small(&name, &value)?,
                "--rate-per-second" => limits.rate_per_second = small(&name, &value)?,
                "--rate-bytes-burst" => limits.rate_bytes_burst = small(&name, &value)?,
                "--rate-bytes-per-second" => limits.rate_bytes_per_second = small(&name, &value)?,
                "--resume-grace-ms" => {
                    limits.resume_grace = Duration::from_millis(positive(&name, &value)?)
                }
                "--allowed-origin" => config.origins.allow(&value)?,
                "--redis" | "--redis-url-file" => {
                    if redis_url.is_some() {
                        return Err(ArgsError::TwoRedisUrls);
                    }
                    redis_url = Some(if name == "--redis-url-file" {
                        read_trimmed(&name, &value)?
                    } else {
                        value
                    });
                }
                "--redis-ca" => redis_ca = Some(read_file(&name, &value)?),
                "--turn-url" => turn.urls.push(value),
                "--turn-secret" | "--turn-secret-file" => {
                    if turn.secret.is_some() {
                        return Err(ArgsError::TwoTurnSecrets);
                    }
                    let from_file = name == "--turn-secret-file";
                    turn.secret = Some(if from_file {
                        read_trimmed(&name, &value)?
                    } else {
                        value
                    });
                }
                "--turn-ttl-s" => turn.ttl = Some(Duration::from_secs(positive(&name, &value)?)),
                _ => return Err(ArgsError::UnknownOption(name)),
            }
        }
        config.tls = match (cert, key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err(ArgsError::HalfTls),
        };
        if config.limits.heartbeat_timeout <= config.limits.heartbeat_interval {
            return Err(ArgsError::HeartbeatTimeoutTooShort);
        }
        config.turn = turn.into_turn()?;
        config.redis = match (redis_url, redis_ca) {
            (Some(url), ca) => Some(RedisTarget::new(url, ca)?),
            (None, None) => None,
            (None, Some(_)) => return Err(ArgsError::RedisCaWithoutRedis),
        };
        Ok(Command::Run(Box::new(config)))
    }
}

/// The TURN options as given, checked together once all are read.
#[derive(Default)]
struct TurnArgs {
    urls: Vec<String>,
    secret: Option<String>,
    ttl: Option<Duration>,
}

impl TurnArgs {
    fn into_turn(self) -> Result<Option<Turn>, ArgsError> {
        if self.urls.is_empty() {
            return match (self.secret, self.ttl) {
                (None, None) => Ok(None),
                _ => Err(ArgsError::TurnWithoutUrl),
            };
        }
        if let Some(url) = self.urls.iter().find(|url| !is_turn_url(url)) {
            return Err(ArgsError::BadTurnUrl(url.clone()));
        }
        let secret = self.secret.ok_or(ArgsError::TurnUrlWithoutSecret)?;
        if secret.is_empty() {
            return Err(ArgsError::EmptyTurnSecret);
        }
        Ok(Some(Turn {
            urls: self.urls,
            secret: TurnSecret::new(secret),
            ttl: self.ttl.unwrap_or(Turn::DEFAULT_TTL),
        }))
    }
}

fn is_turn_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("turn:")
        .or_else(|| url.strip_prefix("turns:"));
    rest.is_some_and(|host| !host.is_empty())
}

/// The file at `path` that `option` names.
fn read_file(option: &str, path: &str) -> Result<Vec<u8>, ArgsError> {
    std::fs::read(path).map_err(|error| ArgsError::UnreadableFile {
        option: option.to_owned(),
        path: path.to_owned(),
        reason: error.to_string(),
    })
}

/// A secret (or a URL holding one) in the text file at `path`, without the
/// surrounding whitespace (a trailing newline, most often): a file, unlike
/// a command line, is not shown by `ps`.
fn read_trimmed(option: &str, path: &str) -> Result<String, ArgsError> {
    let bytes = read_file(option, path)?;
    String::from_utf8(bytes)
        .map(|text| text.trim().to_owned())
        .map_err(|_| ArgsError::UnreadableFile {
            option: option.to_owned(),
            path: path.to_owned(),
            reason: "not UTF-8 text".to_owned(),
        })
}

fn is_known(name: &str) -> bool {
    [
        "--listen",
        "--tls-cert",
        "--tls-key",
        "--heartbeat-interval-ms",
        "--heartbeat-timeout-ms",
        "--max-connections",
        "--max-connections-per-address",
        "--accept-burst",
        "--accepts-per-second",
        "--join-burst",
        "--joins-per-second",
        "--bar-after-abuses",
        "--max-rooms",
        "--queue-bytes",
        "--rate-burst",
        "--rate-per-second",
        "--rate-bytes-burst",
        "--rate-bytes-per-second",
        "--resume-grace-ms",
        "--allowed-origin",
        "--redis",
        "--redis-url-file",
        "--redis-ca",
        "--turn-url",
        "--turn-secret",
        "--turn-secret-file",
        "--turn-ttl-s",
    ]
    .contains(&name)
}

fn parse_value<T: std::str::FromStr>(option: &str, value: &str) -> Result<T, ArgsError> {
    value.parse().map_err(|_| ArgsError::InvalidValue {
        option: option.to_owned(),
        value: value.to_owned(),
    })
}

fn positive(option: &str, value: &str) -> Result<u64, ArgsError> {
    match parse_value::<u64>(option, value)? {
        0 => Err(ArgsError::InvalidValue {
            option: option.to_owned(),
            value: value.to_owned(),
        }),
        n => Ok(n),
    }
}

fn small(option: &str, value: &str) -> Result<u32, ArgsError> {
    u32::try_from(positive(option, value)?).map_err(|_| ArgsError::InvalidValue {
        option: option.to_owned(),
        value: value.to_owned(),
    })
}

#[cfg(test)]
mod tests;
