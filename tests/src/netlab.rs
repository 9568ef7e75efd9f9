//! A network lab of Linux network namespaces (`tests/netlab/netlab.sh`): hosts
//! joined to a router that stands for the internet, whose links a test can
//! shape, make lossy, block, cut and move to a new network. Needs root.

use std::ffi::OsStr;
use std::fs::File;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Seconds one script call may take: a few `ip`, `tc` and `iptables` calls.
const SCRIPT_DEADLINE_S: &str = "30";

/// A lab of its own (its namespaces carry a prefix unique to it, so tests
/// run in parallel), destroyed when dropped, also when the test panics.
pub struct Lab {
    prefix: String,
}

impl Lab {
    /// Builds a lab with these hosts (namespaces `<prefix>-<host>`). Host N
    /// (from 1) is 10.77.N.2, its default route via the router at 10.77.N.1.
    /// Panics with the script's reason when it cannot, e.g. without root.
    pub fn new(hosts: &[&str]) -> Lab {
        static LABS: AtomicU32 = AtomicU32::new(0);
        let number = LABS.fetch_add(1, Ordering::Relaxed);
        assert!(number < 0x1000, "a test process may build 4096 labs");
        // At most 11 characters, so that interface names fit in 15.
        let lab = Lab {
            prefix: format!("nl{:06x}{number:x}", std::process::id()),
        };
        // Labs of a run killed before its Drop go now rather than never.
        run_script(&["destroy-all-stale"]);
        let mut args = vec!["create", lab.prefix.as_str()];
        args.extend_from_slice(hosts);
        run_script(&args);
        lab
    }

    /// Unique to this lab; the script's first argument after the command.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The name of the host's network namespace (for `ip netns`).
    pub fn namespace(&self, host: &str) -> String {
        format!("{}-{host}", self.prefix)
    }

    /// The host's current address (it changes with `change_network`).
    pub fn addr(&self, host: &str) -> Ipv4Addr {
        let text = self.run("addr", &[host]);
        text.trim()
            .parse()
            .unwrap_or_else(|e| panic!("netlab gave {text:?} as {host}'s address: {e}"))
    }

    /// `program` run inside the host's namespace: give it to `Process::spawn`.
    pub fn command(&self, host: &str, program: impl AsRef<OsStr>) -> Command {
        // `ip netns exec` execs the program itself, so killing the child kills it.
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", &self.namespace(host)])
            .arg(program);
        command
    }

    /// Runs `f` on a thread inside the host's namespace: sockets it opens
    /// stay in that namespace wherever they are used afterwards.
    pub fn run_in<T: Send>(&self, host: &str, f: impl FnOnce() -> T + Send) -> T {
        let path = format!("/run/netns/{}", self.namespace(host));
        let namespace = File::open(&path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
        std::thread::scope(|scope| {
            let thread = scope.spawn(move || {
                // SAFETY: setns only reads the descriptor, which lives until the call returns;
                // it moves this thread alone, which ends after f.
                let entered = unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) };
                assert_eq!(
                    entered,
                    0,
                    "cannot enter {path}: {}",
                    std::io::Error::last_os_error()
                );
                f()
            });
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }

    /// Limits the host's link to `bits_per_second` both ways (tbf), with a
    /// queue holding about `queue` of traffic before it drops.
    pub fn shape(&self, host: &str, bits_per_second: u64, queue: Duration) {
        let rate = format!("{bits_per_second}bit");
        let queue_ms = queue.as_millis().to_string();
        self.run("shape", &[host, &rate, &queue_ms]);
    }

    /// Takes the host's rate limit away.
    pub fn unshape(&self, host: &str) {
        self.run("unshape", &[host]);
    }

    /// Drops a random `fraction` of the host's packets, each way; 0 stops it.
    pub fn loss(&self, host: &str, fraction: f64) {
        self.run("loss", &[host, &fraction.to_string()]);
    }

    /// The router drops everything between `a` and `b` (no direct route).
    pub fn block(&self, a: &str, b: &str) {
        self.run("block", &[a, b]);
    }

    pub fn unblock(&self, a: &str, b: &str) {
        self.run("unblock", &[a, b]);
    }

    /// Drops all of the host's traffic without telling anyone: its link
    /// stays up, so its connections go half-open.
    pub fn cut(&self, host: &str) {
        self.run("cut", &[host]);
    }

    pub fn restore(&self, host: &str) {
        self.run("restore", &[host]);
    }

    /// "Wi-Fi to cellular": the host gets a new link on a new subnet and
    /// loses the old one with its address; returns the new address.
    pub fn change_network(&self, host: &str) -> Ipv4Addr {
        let text = self.run("change-network", &[host]);
        text.trim()
            .parse()
            .unwrap_or_else(|e| panic!("netlab gave {text:?} as {host}'s new address: {e}"))
    }

    /// Gives the host one more address, on its link, that nothing routes to
    /// (a phone's cellular or VPN address seen from elsewhere): a candidate
    /// whose pairs never work.
    pub fn add_unreachable(&self, host: &str, addr: Ipv4Addr) {
        self.run("add-unreachable", &[host, &addr.to_string()]);
    }

    /// `netlab.sh COMMAND PREFIX ARGS...`
    fn run(&self, command: &str, args: &[&str]) -> String {
        let mut full = vec![command, self.prefix.as_str()];
        full.extend_from_slice(args);
        run_script(&full)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        // Not run_script: a panic here, while a failing test unwinds, would abort.
        let done = script_command(&["destroy", &self.prefix]).output();
        match done {
            Ok(output) if output.status.success() => {}
            Ok(output) => eprintln!(
                "netlab: destroying {} failed: {}",
                self.prefix,
                String::from_utf8_lossy(&output.stderr)
            ),
            Err(e) => eprintln!("netlab: cannot run the script: {e}"),
        }
    }
}

/// The lab script, bounded in time, owned by this process (for destroy-all-stale).
fn script_command(args: &[&str]) -> Command {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("netlab/netlab.sh");
    let mut command = Command::new("timeout");
    command
        .arg(SCRIPT_DEADLINE_S)
        .arg(script)
        .args(args)
        .env("NETLAB_OWNER", std::process::id().to_string());
    command
}

/// Runs the script; its stdout, or a panic with what it said.
fn run_script(args: &[&str]) -> String {
    let output = script_command(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run netlab.sh: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => String::from_utf8_lossy(&output.stdout).into_owned(),
        Some(124) => panic!("netlab.sh {args:?} took over {SCRIPT_DEADLINE_S} s: {stderr}"),
        _ => panic!("netlab.sh {args:?} failed ({}): {stderr}", output.status),
    }
}
