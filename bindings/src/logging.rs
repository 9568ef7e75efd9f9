//! Routes the core's logs to the platform's log: logcat on Android, the unified log on iOS,
//! stderr elsewhere.
//!
//! The core logs through `tracing`. On Android and iOS no tracing subscriber is installed, so
//! `tracing`'s `log` feature turns each event into a `log` record, which `android_logger` or
//! `oslog` forward. On desktops and in the JVM tests a `tracing-subscriber` writes to stderr
//! (`RUST_LOG` overrides the level there).

/// How much the core logs. Info and above never contain SDP, candidates or IP addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    /// Failures only.
    Error,
    /// Failures and things that look wrong.
    Warn,
    /// Call lifecycle (joined, connected, ended). The default for apps.
    Info,
    /// Negotiation steps; may contain network details.
    Debug,
    /// Everything, per packet. Slow.
    Trace,
}

impl From<LogLevel> for log::LevelFilter {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => Self::Error,
            LogLevel::Warn => Self::Warn,
            LogLevel::Info => Self::Info,
            LogLevel::Debug => Self::Debug,
            LogLevel::Trace => Self::Trace,
        }
    }
}

/// Sends the core's logs to the platform log at `level` and above. Call it once at app start;
/// later calls only change the level where the platform logger allows it. Never fails: without
/// a logger the core is silent.
#[uniffi::export]
pub fn init_logging(level: LogLevel) {
    platform::init(level);
}

#[cfg(target_os = "android")]
mod platform {
    use super::LogLevel;

    pub(super) fn init(level: LogLevel) {
        let filter = log::LevelFilter::from(level);
        android_logger::init_once(
            android_logger::Config::default()
                .with_max_level(filter)
                .with_tag("videochat"),
        );
        log::set_max_level(filter);
    }
}

#[cfg(target_os = "ios")]
mod platform {
    use super::LogLevel;

    pub(super) fn init(level: LogLevel) {
        let filter = log::LevelFilter::from(level);
        // Fails only when a logger is already set (a second call): then just change the level.
        let _ = oslog::OsLogger::new("org.videochat.core")
            .level_filter(filter)
            .init();
        log::set_max_level(filter);
    }
}

#[cfg(not(any(target_os = "android", target_os = "ios")))]
mod platform {
    use std::sync::OnceLock;

    use tracing_subscriber::prelude::*;
    use tracing_subscriber::{EnvFilter, Registry, fmt, reload};

    use super::LogLevel;

    /// Lets later calls change the level of the subscriber the first call installed.
    static RELOAD: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();

    pub(super) fn init(level: LogLevel) {
        let default = match level {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        };
        // RUST_LOG, when set, wins: it is how a developer turns on one module's debug logs.
        let filter =
            || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
        if let Some(handle) = RELOAD.get() {
            let _ = handle.reload(filter());
            return;
        }
        let (layer, handle) = reload::Layer::new(filter());
        let subscriber = tracing_subscriber::registry()
            .with(layer)
            .with(fmt::layer().with_writer(std::io::stderr));
        // Fails only when the host app installed its own subscriber: then it decides.
        if subscriber.try_init().is_ok() {
            let _ = RELOAD.set(handle);
        }
    }
}
