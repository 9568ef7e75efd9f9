//! Limits per client address: simultaneous connections, joins per second
//! (a token bucket shared by all of the address's connections), and a bar on
//! an address whose connections keep being dropped for abuse. An IPv6
//! address counts as its /64, which one host or home usually holds whole; an
//! IPv4-mapped IPv6 address as its IPv4 address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::rate_limit::{RateLimiter, Verdict};

/// The per-address limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRules {
    pub max_connections: usize,
    pub join_burst: u32,
    pub joins_per_second: u32,
    /// Joins refused in a row (the bucket never refilling between them)
    /// after which the address is told to stop: `Verdict::Disconnect`.
    pub join_strikes: u32,
    /// Abuses within `ABUSE_WINDOW` that bar the address; 0 never bars.
    pub bar_after_abuses: u32,
}

/// What each client address holds now.
#[derive(Debug)]
pub struct PerAddress {
    rules: AddressRules,
    table: Mutex<Table>,
}

#[derive(Debug)]
struct Table {
    entries: HashMap<IpAddr, Entry>,
    /// Size at which the next sweep of idle entries runs.
    sweep_at: usize,
}

#[derive(Debug)]
struct Entry {
    connections: usize,
    joins: RateLimiter,
    /// Connections dropped for abuse since `abuse_since`.
    abuses: u32,
    abuse_since: Instant,
    barred_until: Option<Instant>,
    /// Bars so far, while the entry lives: each bar is twice the last.
    bars: u32,
}

impl Entry {
    fn is_barred(&self, now: Instant) -> bool {
        self.barred_until.is_some_and(|until| now < until)
    }

    /// Nothing to remember: no connection, no join or abuse that still counts.
    fn is_idle(&self, now: Instant) -> bool {
        self.connections == 0
            && self.joins.is_rested(now)
            && !self.is_barred(now)
            && (self.abuses == 0 || now.saturating_duration_since(self.abuse_since) > ABUSE_WINDOW)
    }
}

/// An address whose connections are dropped for abuse (a frame too large, a
/// flood, bad UTF-8) `AddressRules::bar_after_abuses` times within this ...
const ABUSE_WINDOW: Duration = Duration::from_secs(10);
/// ... is refused at accept for this long, twice as long each time it comes
/// back for more (up to `MAX_BAR`): a reconnecting abuser then costs an
/// accepted and closed socket, not an upgrade, a join and a frame to read.
/// Behind a carrier-grade NAT its neighbours wait with it; no app of ours
/// is ever dropped for abuse. An address forgotten (idle, swept) starts over.
const BAR: Duration = Duration::from_secs(10);
const MAX_BAR: Duration = Duration::from_secs(640);

/// Smallest table that is swept: below it, idle entries cost nothing much.
const FIRST_SWEEP: usize = 1024;

impl PerAddress {
    pub fn new(rules: AddressRules) -> Self {
        PerAddress {
            rules,
            table: Mutex::new(Table {
                entries: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
        }
    }

    /// Counts one more connection from `ip` at `now`, unless the address
    /// already has as many as it may. The caller calls [`Self::release`]
    /// when an admitted connection ends.
    pub fn admit(&self, ip: IpAddr, now: Instant) -> bool {
        let mut table = self.lock();
        if table.entries.len() >= table.sweep_at {
            // Idle entries are kept only while their join bucket refills,
            // so reconnecting does not buy a fresh burst.
            table.entries.retain(|_, entry| !entry.is_idle(now));
            table.sweep_at = (table.entries.len() * 2).max(FIRST_SWEEP);
        }
        let rules = self.rules;
        let entry = table.entries.entry(key(ip)).or_insert_with(|| Entry {
            connections: 0,
            joins: RateLimiter::new(
                rules.join_burst,
                rules.joins_per_second,
                rules.join_strikes,
                now,
            ),
            abuses: 0,
            abuse_since: now,
            barred_until: None,
            bars: 0,
        });
        if entry.connections >= rules.max_connections || entry.is_barred(now) {
            return false;
        }
        entry.connections += 1;
        true
    }

    /// An admitted connection from `ip` ended.
    pub fn release(&self, ip: IpAddr, now: Instant) {
        let mut table = self.lock();
        let key = key(ip);
        if let Some(entry) = table.entries.get_mut(&key) {
            entry.connections = entry.connections.saturating_sub(1);
            if entry.is_idle(now) {
                table.entries.remove(&key);
            }
        }
    }

    /// Accounts for one join from `ip` at `now`: refused if the address
    /// joins faster than it may, and `Disconnect` once it kept on after
    /// `AddressRules::join_strikes` refusals (a join storm, not a person).
    pub fn allow_join(&self, ip: IpAddr, now: Instant) -> Verdict {
        let mut table = self.lock();
        match table.entries.get_mut(&key(ip)) {
            Some(entry) => entry.joins.check(now),
            // Only admitted connections join; one without an entry is not
            // counted here (it cannot happen).
            None => Verdict::Allow,
        }
    }

    /// A connection from `ip` was dropped for abuse at `now`; the address is
    /// barred if that happened often enough.
    pub fn abused(&self, ip: IpAddr, now: Instant) {
        let mut table = self.lock();
        // Admitted connections have an entry until they are released.
        let Some(entry) = table.entries.get_mut(&key(ip)) else {
            return;
        };
        if now.saturating_duration_since(entry.abuse_since) > ABUSE_WINDOW {
            entry.abuses = 0;
            entry.abuse_since = now;
        }
        entry.abuses += 1;
        // Once barred, an address has used up its benefit of the doubt.
        let bar_after = if entry.bars > 0 {
            1
        } else {
            self.rules.bar_after_abuses
        };
        if self.rules.bar_after_abuses > 0 && entry.abuses >= bar_after {
            let bar = BAR.saturating_mul(1 << entry.bars.min(16)).min(MAX_BAR);
            entry.abuses = 0;
            entry.bars += 1;
            entry.barred_until = Some(now + bar);
        }
    }

    /// Whether `ip` is barred at `now`: checked when a socket is accepted,
    /// before anything is read from it.
    pub fn is_barred(&self, ip: IpAddr, now: Instant) -> bool {
        self.lock()
            .entries
            .get(&key(ip))
            .is_some_and(|entry| entry.is_barred(now))
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Counters only: nothing a panic could leave half-changed.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The address `ip` counts as.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn rules() -> AddressRules {
        AddressRules {
            max_connections: 2,
            join_burst: 3,
            joins_per_second: 10,
            join_strikes: 3,
            bar_after_abuses: 3,
        }
    }

    #[test]
    fn an_ipv6_address_counts_as_its_64_and_a_mapped_ipv4_as_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(key(a), key(b));
        assert_ne!(key(a), key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn connections_beyond_the_limit_are_refused_until_one_ends() {
        let limits = PerAddress::new(rules());
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.admit(ip, now));
        assert!(limits.admit(ip, now));
        assert!(!limits.admit(ip, now));
        assert!(
            limits.admit("192.0.2.2".parse().unwrap(), now),
            "another address"
        );
        limits.release(ip, now);
        assert!(limits.admit(ip, now));
    }

    /// An admitted address that has just made its burst of joins.
    fn burst_used() -> (PerAddress, IpAddr, Instant) {
        let limits = PerAddress::new(rules());
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.admit(ip, now));
        for _ in 0..3 {
            assert_eq!(limits.allow_join(ip, now), Verdict::Allow);
        }
        (limits, ip, now)
    }

    #[test]
    fn joins_beyond_the_burst_are_refused_until_the_bucket_refills() {
        let (limits, ip, now) = burst_used();
        assert_eq!(limits.allow_join(ip, now), Verdict::Refuse);
        // Reconnecting does not buy a fresh burst.
        limits.release(ip, now);
        assert!(limits.admit(ip, now));
        assert_eq!(limits.allow_join(ip, now), Verdict::Refuse);
        let later = now + Duration::from_millis(100);
        assert_eq!(limits.allow_join(ip, later), Verdict::Allow);
    }

    #[test]
    fn an_address_that_keeps_joining_after_refusals_is_told_to_stop() {
        let (limits, ip, now) = burst_used();
        // Three refusals in a row are strikes, the third one out.
        assert_eq!(limits.allow_join(ip, now), Verdict::Refuse);
        assert_eq!(limits.allow_join(ip, now), Verdict::Refuse);
        assert_eq!(limits.allow_join(ip, now), Verdict::Disconnect);
        // A full bucket forgives: a second later the address starts over.
        let rested = now + Duration::from_secs(1);
        assert_eq!(limits.allow_join(ip, rested), Verdict::Allow);
    }

    #[test]
    fn an_address_dropped_for_abuse_three_times_in_ten_seconds_is_barred_ten() {
        let limits = PerAddress::new(rules());
        let now = Instant::now();
        let at = |secs: u64| now + Duration::from_secs(secs);
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let neighbour: IpAddr = "192.0.2.2".parse().unwrap();
        for second in [0, 1] {
            assert!(limits.admit(ip, at(second)));
            limits.abused(ip, at(second));
            limits.release(ip, at(second));
        }
        assert!(!limits.is_barred(ip, at(2)), "twice is not yet a bar");
        assert!(limits.admit(ip, at(2)));
        limits.abused(ip, at(2));
        limits.release(ip, at(2));
        assert!(limits.is_barred(ip, at(2)));
        assert!(!limits.admit(ip, at(11)), "barred for ten seconds");
        assert!(limits.admit(neighbour, at(2)), "only that address");
        assert!(!limits.is_barred(ip, at(12)));
        assert!(limits.admit(ip, at(12)));
    }

    #[test]
    fn abuse_spread_thinner_than_the_window_is_not_barred() {
        let limits = PerAddress::new(rules());
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for n in 0..6 {
            let at = now + Duration::from_secs(6 * n);
            assert!(limits.admit(ip, at), "connection {n}");
            limits.abused(ip, at);
            limits.release(ip, at);
        }
    }

    #[test]
    fn an_address_barred_before_is_barred_again_at_its_first_abuse_for_twice_as_long() {
        let limits = PerAddress::new(rules());
        let start = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let abuse = |at: Instant| {
            assert!(limits.admit(ip, at), "admitted at {:?}", at - start);
            limits.abused(ip, at);
            limits.release(ip, at);
        };
        for _ in 0..3 {
            abuse(start);
        }
        let after_first = start + BAR;
        assert!(!limits.is_barred(ip, after_first));
        abuse(after_first);
        assert!(
            limits.is_barred(ip, after_first + BAR),
            "20 s the second time"
        );
        assert!(!limits.is_barred(ip, after_first + 2 * BAR));
    }

    #[test]
    fn no_bar_when_barring_is_off() {
        let limits = PerAddress::new(AddressRules {
            bar_after_abuses: 0,
            ..rules()
        });
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..10 {
            assert!(limits.admit(ip, now));
            limits.abused(ip, now);
            limits.release(ip, now);
        }
        assert!(!limits.is_barred(ip, now));
    }
}
