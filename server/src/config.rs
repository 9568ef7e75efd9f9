//! Command-line options.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::limits::Limits;

/// Usage text for `--help`.
pub const USAGE: &str = "\
videochat-server: the videochat signaling relay and web client

USAGE: videochat-server [OPTIONS]

OPTIONS:
  --listen ADDR                 address to listen on (default 0.0.0.0:8080; port 0 picks one)
  --tls-cert PEM                certificate chain (PEM); with --tls-key serves https/wss
  --tls-key PEM                 private key (PEM)
  --heartbeat-interval-ms N     ping each client every N ms (default 10000)
  --heartbeat-timeout-ms N      drop a client silent for N ms (default 30000)
  --max-connections N           most simultaneous WebSocket connections (default 10000)
  --rate-burst N                frames a client may send in a burst (default 200)
  --rate-per-second N           frames a client may send per second, sustained (default 50)
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
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            tls: None,
            limits: Limits::default(),
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Run(Config),
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
}

impl Command {
    /// Parses the arguments after the program name.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, ArgsError> {
        let mut config = Config::default();
        let (mut cert, mut key) = (None, None);
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
                "--rate-burst" => limits.rate_burst = small(&name, &value)?,
                "--rate-per-second" => limits.rate_per_second = small(&name, &value)?,
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
        Ok(Command::Run(config))
    }
}

fn is_known(name: &str) -> bool {
    [
        "--listen",
        "--tls-cert",
        "--tls-key",
        "--heartbeat-interval-ms",
        "--heartbeat-timeout-ms",
        "--max-connections",
        "--rate-burst",
        "--rate-per-second",
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
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, ArgsError> {
        Command::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn no_arguments_listen_on_port_8080_without_tls() {
        assert_eq!(parse(&[]), Ok(Command::Run(Config::default())));
    }

    #[test]
    fn every_option_is_read_in_both_spellings() {
        let Ok(Command::Run(config)) = parse(&[
            "--listen=127.0.0.1:0",
            "--tls-cert",
            "c.pem",
            "--tls-key=k.pem",
            "--heartbeat-interval-ms",
            "200",
            "--heartbeat-timeout-ms=600",
            "--max-connections",
            "5",
            "--rate-burst=7",
            "--rate-per-second",
            "3",
        ]) else {
            panic!("valid command line refused");
        };
        assert_eq!(
            config.listen,
            "127.0.0.1:0".parse().expect("literal address")
        );
        let tls = config.tls.expect("tls configured");
        assert_eq!(
            (tls.cert.to_str(), tls.key.to_str()),
            (Some("c.pem"), Some("k.pem"))
        );
        assert_eq!(config.limits.heartbeat_interval, Duration::from_millis(200));
        assert_eq!(config.limits.heartbeat_timeout, Duration::from_millis(600));
        assert_eq!(config.limits.max_connections, 5);
        assert_eq!(
            (config.limits.rate_burst, config.limits.rate_per_second),
            (7, 3)
        );
    }

    #[test]
    fn bad_command_lines_are_refused_with_a_reason() {
        assert_eq!(
            parse(&["--bogus", "1"]),
            Err(ArgsError::UnknownOption("--bogus".into()))
        );
        assert_eq!(
            parse(&["--listen"]),
            Err(ArgsError::MissingValue("--listen".into()))
        );
        assert!(matches!(
            parse(&["--listen", "nowhere"]),
            Err(ArgsError::InvalidValue { .. })
        ));
        assert_eq!(parse(&["--tls-cert", "c.pem"]), Err(ArgsError::HalfTls));
        assert_eq!(
            parse(&[
                "--heartbeat-interval-ms",
                "500",
                "--heartbeat-timeout-ms",
                "500"
            ]),
            Err(ArgsError::HeartbeatTimeoutTooShort)
        );
        assert!(matches!(
            parse(&["--max-connections", "0"]),
            Err(ArgsError::InvalidValue { .. })
        ));
        assert_eq!(parse(&["--help"]), Ok(Command::Help));
    }
}
