//! Limits per client address: simultaneous connections, and joins per
//! second (a token bucket shared by all of the address's connections). An
//! IPv6 address counts as its /64, which one host or home usually holds
//! whole; an IPv4-mapped IPv6 address as its IPv4 address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::rate_limit::{RateLimiter, Verdict};

/// The per-address limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRules {
    pub max_connections: usize,
    pub join_burst: u32,
    pub joins_per_second: u32,
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
}

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
            table
                .entries
                .retain(|_, entry| entry.connections > 0 || !entry.joins.is_rested(now));
            table.sweep_at = (table.entries.len() * 2).max(FIRST_SWEEP);
        }
        let rules = self.rules;
        let entry = table.entries.entry(key(ip)).or_insert_with(|| Entry {
            connections: 0,
            joins: RateLimiter::new(rules.join_burst, rules.joins_per_second, u32::MAX, now),
        });
        if entry.connections >= rules.max_connections {
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
            if entry.connections == 0 && entry.joins.is_rested(now) {
                table.entries.remove(&key);
            }
        }
    }

    /// Accounts for one join from `ip` at `now`; false if the address
    /// joins faster than it may.
    pub fn allow_join(&self, ip: IpAddr, now: Instant) -> bool {
        let mut table = self.lock();
        match table.entries.get_mut(&key(ip)) {
            Some(entry) => entry.joins.check(now) == Verdict::Allow,
            // Only admitted connections join; one without an entry is not
            // counted here (it cannot happen).
            None => true,
        }
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

    #[test]
    fn joins_beyond_the_burst_are_refused_until_the_bucket_refills() {
        let limits = PerAddress::new(rules());
        let now = Instant::now();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!(limits.admit(ip, now));
        for _ in 0..3 {
            assert!(limits.allow_join(ip, now));
        }
        assert!(!limits.allow_join(ip, now));
        // Reconnecting does not buy a fresh burst.
        limits.release(ip, now);
        assert!(limits.admit(ip, now));
        assert!(!limits.allow_join(ip, now));
        assert!(limits.allow_join(ip, now + Duration::from_millis(100)));
    }
}
