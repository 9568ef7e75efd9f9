//! Per-connection rate limit: a token bucket plus strikes.

use std::time::Instant;

/// What to do with one incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the limit: handle it.
    Allow,
    /// Over the limit: refuse it with `rate_limited`.
    Refuse,
    /// Over the limit once too often: refuse it and close the connection.
    Disconnect,
}

/// A token bucket of `burst` frames refilled at `per_second`. Each refused
/// frame is a strike; strikes are forgiven once the bucket is full again,
/// i.e. after the client has been quiet for a while.
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

    /// Accounts for one frame arriving at `now`.
    pub fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= self.burst {
            self.strikes = 0;
        }
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
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
