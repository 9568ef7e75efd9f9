//! A loss-based send bitrate controller, fed by RTCP receiver reports.
//!
//! Sans-IO: the caller hands it each reported loss fraction and applies the
//! returned rate to the encoder. The rule is the classic one from the GCC
//! draft's loss-based half:
//!
//! - loss below 2%: the path has room, raise the rate by 8%;
//! - loss between 2% and 10%: hold;
//! - loss above 10%: cut to `rate * (1 - 0.5 * loss)`.
//!
//! The result always stays within the configured bounds.

/// Bounds and starting point of a [`LossBasedBitrate`] controller, in bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitrateLimits {
    /// Never go below this.
    pub min_bps: u32,
    /// Start here.
    pub start_bps: u32,
    /// Never go above this.
    pub max_bps: u32,
}

impl Default for BitrateLimits {
    /// 150 kbit/s to 2.5 Mbit/s, starting at 1 Mbit/s: a 720p30 call's usual range.
    fn default() -> Self {
        Self {
            min_bps: 150_000,
            start_bps: 1_000_000,
            max_bps: 2_500_000,
        }
    }
}

/// Below this loss fraction the rate is raised.
const RAISE_BELOW: f64 = 0.02;
/// Above this loss fraction the rate is cut.
const CUT_ABOVE: f64 = 0.10;
/// Multiplicative increase per report when the path is clean.
const RAISE_FACTOR: f64 = 1.08;

/// Loss-based bitrate controller. See the module docs for the rule.
#[derive(Debug, Clone)]
pub struct LossBasedBitrate {
    limits: BitrateLimits,
    rate_bps: u32,
}

impl LossBasedBitrate {
    /// A controller at `limits.start_bps`, clamped into `[min_bps, max_bps]`.
    ///
    /// Swapped bounds are put in order rather than rejected, so a bad
    /// setting cannot make the controller panic.
    pub fn new(limits: BitrateLimits) -> Self {
        let (min_bps, max_bps) = if limits.min_bps <= limits.max_bps {
            (limits.min_bps, limits.max_bps)
        } else {
            (limits.max_bps, limits.min_bps)
        };
        let limits = BitrateLimits {
            min_bps,
            max_bps,
            start_bps: limits.start_bps.clamp(min_bps, max_bps),
        };
        Self {
            rate_bps: limits.start_bps,
            limits,
        }
    }

    /// The current target rate in bits per second.
    pub fn rate_bps(&self) -> u32 {
        self.rate_bps
    }

    /// The bounds in effect (ordered).
    pub fn limits(&self) -> BitrateLimits {
        self.limits
    }

    /// Feeds one receiver report's loss fraction (0.0 to 1.0; values outside
    /// are clamped, NaN counts as no loss) and returns the new target rate.
    pub fn on_loss_report(&mut self, fraction_lost: f64) -> u32 {
        let loss = if fraction_lost.is_nan() {
            0.0
        } else {
            fraction_lost.clamp(0.0, 1.0)
        };
        let rate = f64::from(self.rate_bps);
        let next = if loss < RAISE_BELOW {
            // At least +1 bit/s so a tiny rate still climbs.
            (rate * RAISE_FACTOR).max(rate + 1.0)
        } else if loss > CUT_ABOVE {
            rate * (1.0 - 0.5 * loss)
        } else {
            rate
        };
        let clamped = next.clamp(
            f64::from(self.limits.min_bps),
            f64::from(self.limits.max_bps),
        );
        // In range of u32 by the clamp above.
        self.rate_bps = clamped.round() as u32;
        self.rate_bps
    }

    /// Feeds the raw RTCP `fraction lost` byte (loss * 256) of a reception report.
    pub fn on_fraction_lost_byte(&mut self, fraction_lost: u8) -> u32 {
        self.on_loss_report(f64::from(fraction_lost) / 256.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn controller(min: u32, start: u32, max: u32) -> LossBasedBitrate {
        LossBasedBitrate::new(BitrateLimits {
            min_bps: min,
            start_bps: start,
            max_bps: max,
        })
    }

    #[test]
    fn clean_path_raises_rate_by_eight_percent() {
        let mut c = controller(100_000, 1_000_000, 5_000_000);
        assert_eq!(c.on_loss_report(0.0), 1_080_000);
        assert_eq!(c.on_loss_report(0.019), 1_166_400);
    }

    #[test]
    fn moderate_loss_holds_rate() {
        let mut c = controller(100_000, 1_000_000, 5_000_000);
        assert_eq!(c.on_loss_report(0.02), 1_000_000);
        assert_eq!(c.on_loss_report(0.05), 1_000_000);
        assert_eq!(c.on_loss_report(0.10), 1_000_000);
    }

    #[test]
    fn heavy_loss_cuts_by_half_the_loss() {
        let mut c = controller(100_000, 1_000_000, 5_000_000);
        // 20% loss: 1 - 0.5 * 0.2 = 0.9
        assert_eq!(c.on_loss_report(0.2), 900_000);
        // 50% loss: 0.75
        assert_eq!(c.on_loss_report(0.5), 675_000);
    }

    #[test]
    fn rate_stays_within_bounds() {
        let mut c = controller(300_000, 1_000_000, 1_200_000);
        for _ in 0..20 {
            c.on_loss_report(0.0);
        }
        assert_eq!(c.rate_bps(), 1_200_000);
        for _ in 0..50 {
            c.on_loss_report(1.0);
        }
        assert_eq!(c.rate_bps(), 300_000);
    }

    #[test]
    fn start_rate_is_clamped_and_swapped_bounds_are_ordered() {
        let c = controller(2_000_000, 50, 100_000);
        assert_eq!(c.limits().min_bps, 100_000);
        assert_eq!(c.limits().max_bps, 2_000_000);
        assert_eq!(c.rate_bps(), 100_000);
    }

    #[test]
    fn garbage_loss_values_do_not_break_the_controller() {
        let mut c = controller(100_000, 1_000_000, 5_000_000);
        assert_eq!(c.on_loss_report(f64::NAN), 1_080_000);
        assert_eq!(c.on_loss_report(-3.0), 1_166_400);
        // > 1.0 is treated as total loss: cut to half.
        assert_eq!(c.on_loss_report(7.0), 583_200);
    }

    #[test]
    fn rtcp_fraction_byte_maps_to_a_fraction() {
        let mut c = controller(100_000, 1_000_000, 5_000_000);
        // 64/256 = 25% loss: cut to 87.5%.
        assert_eq!(c.on_fraction_lost_byte(64), 875_000);
        // 2/256 < 1%: raise.
        assert_eq!(c.on_fraction_lost_byte(2), 945_000);
    }
}
