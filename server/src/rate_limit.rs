//! Per-connection rate limit: a token bucket plus strikes.

use std::time::Instant;

/// What to do with one incoming frame, mildest first (the stricter of two
/// limits is the larger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Within the limit: handle it.
    Allow,
    /// Over the limit: refuse it with `rate_limited`.
    Refuse,
    /// Over the limit once too often: refuse it and close the connection.
    Disconnect,
}

/// A token bucket of `burst` units (frames, or bytes) refilled at
/// `per_second`. Each refused frame is a strike; strikes are forgiven once
/// the bucket is full again, i.e. after the client has been quiet for a while.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    tokens: f64,
    burst: f64,
    per_second: f64,
    strikes: u32,
    max_strikes: u32,
    last: Instant,
}

impl RateLimiter {
    /// A full bucket at `now`.
    pub fn new(burst: u32, per_second: u32, max_strikes: u32, now: Instant) -> Self {
        RateLimiter {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second: f64::from(per_second),
            strikes: 0,
            max_strikes,
            last: now,
        }
    }

    /// Accounts for one frame arriving at `now` (a bucket of frames).
    pub fn check(&mut self, now: Instant) -> Verdict {
        self.take(now, 1)
    }

    /// Accounts for a frame of `units` (its bytes, in a bucket of bytes)
    /// arriving at `now`.
    pub fn take(&mut self, now: Instant, units: u32) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= self.burst {
            self.strikes = 0;
        }
        let units = f64::from(units);
        if self.tokens >= units {
            self.tokens -= units;
            return Verdict::Allow;
        }
        self.strikes = self.strikes.saturating_add(1);
        if self.strikes >= self.max_strikes {
            Verdict::Disconnect
        } else {
            Verdict::Refuse
        }
    }
}

impl RateLimiter {
    /// True once the bucket would be full again at `now`: forgetting this
    /// limiter then loses nothing.
    pub fn is_rested(&self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens + elapsed * self.per_second >= self.burst
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_full_burst_passes_then_frames_are_refused_until_the_third_strike() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(200, 50, 3, t0);
        for _ in 0..200 {
            assert_eq!(limiter.check(t0), Verdict::Allow);
        }
        assert_eq!(limiter.check(t0), Verdict::Refuse);
        assert_eq!(limiter.check(t0), Verdict::Refuse);
        assert_eq!(limiter.check(t0), Verdict::Disconnect);
    }

    #[test]
    fn tokens_refill_at_the_sustained_rate() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(10, 50, 3, t0);
        for _ in 0..10 {
            limiter.check(t0);
        }
        assert_eq!(limiter.check(t0), Verdict::Refuse);
        // 100 ms at 50/s is five frames.
        let later = t0 + Duration::from_millis(100);
        for _ in 0..5 {
            assert_eq!(limiter.check(later), Verdict::Allow);
        }
        assert_eq!(limiter.check(later), Verdict::Refuse);
    }

    #[test]
    fn a_bucket_of_bytes_takes_each_frame_at_its_size() {
        let t0 = Instant::now();
        let mut bytes = RateLimiter::new(100_000, 10_000, 3, t0);
        assert_eq!(bytes.take(t0, 60_000), Verdict::Allow);
        assert_eq!(bytes.take(t0, 40_000), Verdict::Allow);
        assert_eq!(bytes.take(t0, 500), Verdict::Refuse, "the burst is spent");
        // A tenth of a second at 10 kB/s is 1 kB: small frames pass again.
        let later = t0 + Duration::from_millis(100);
        assert_eq!(bytes.take(later, 600), Verdict::Allow);
        assert_eq!(bytes.take(later, 600), Verdict::Refuse);
    }

    #[test]
    fn the_stricter_verdict_is_the_larger() {
        assert!(Verdict::Allow < Verdict::Refuse && Verdict::Refuse < Verdict::Disconnect);
    }

    #[test]
    fn strikes_are_forgiven_after_a_quiet_spell() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(2, 10, 3, t0);
        limiter.check(t0);
        limiter.check(t0);
        assert_eq!(limiter.check(t0), Verdict::Refuse);
        assert_eq!(limiter.check(t0), Verdict::Refuse);
        let quiet = t0 + Duration::from_secs(1);
        assert_eq!(limiter.check(quiet), Verdict::Allow);
        limiter.check(quiet);
        assert_eq!(
            limiter.check(quiet),
            Verdict::Refuse,
            "a fresh first strike"
        );
    }
}
