//! When to try the relay again: exponential backoff with jitter.

use std::time::Duration;

use super::config::NegotiationConfig;

/// Reconnection attempts since we were last in the room, and the random
/// source of their jitter (xorshift64*: the machine has no other).
#[derive(Debug)]
pub(super) struct Backoff {
    attempts: u32,
    rng: u64,
}

impl Backoff {
    pub(super) fn new(seed: u64) -> Self {
        // splitmix64 spreads nearby seeds apart; xorshift must not start at zero.
        let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Backoff {
            attempts: 0,
            rng: (z ^ (z >> 31)) | 1,
        }
    }

    pub(super) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Back in the room: the next loss starts from the shortest delay.
    pub(super) fn reset(&mut self) {
        self.attempts = 0;
    }

    /// The delay before the next attempt: `min * 2^attempts`, capped at
    /// `max`, drawn from the upper half of that.
    pub(super) fn next_delay(&mut self, config: &NegotiationConfig) -> Duration {
        let doubling = 2u32.saturating_pow(self.attempts.min(16));
        let ceiling = config
            .min_reconnect_delay
            .saturating_mul(doubling)
            .min(config.max_reconnect_delay);
        self.attempts += 1;
        let fraction = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(0.5 + 0.5 * fraction)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}
