//! A three-step connection-quality indicator (good / weak / poor) from the
//! numbers a call measures. Pure, so the thresholds are tested as a table
//! (`tests/fixtures/quality.json`, which the web client's `quality.js` shares).

/// What a call screen shows: three bars, two, or one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnectionQuality {
    Good,
    Weak,
    Poor,
}

/// What the call measured over the last few seconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QualitySample {
    /// Round-trip time of the media path; `None` until measured.
    pub rtt_ms: Option<f64>,
    /// Packets lost on the way, in percent (0-100).
    pub loss_percent: f64,
    /// Media received, in kilobits per second.
    pub received_kbps: f64,
    /// Remote video frames decoded per second.
    pub fps: f64,
    /// Pictures that stayed on screen for over half a second.
    pub freezes: u32,
    /// The remote camera is on: frames should come.
    pub video_expected: bool,
}

/// The thresholds: at or beyond `weak` a measure says weak, at or beyond
/// `poor` it says poor. Rates below their threshold are bad; the others above.
struct Threshold {
    weak: f64,
    poor: f64,
}

/// A video call starts to feel laggy past 250 ms round trip and breaks up past 500 ms.
const RTT_MS: Threshold = Threshold {
    weak: 250.0,
    poor: 500.0,
};
/// Opus and H.264 with a key-frame request hide about 2 % loss; 8 % shows in both.
const LOSS_PERCENT: Threshold = Threshold {
    weak: 2.0,
    poor: 8.0,
};
/// Motion looks choppy below 15 frames a second and like a slideshow below 8.
const FPS: Threshold = Threshold {
    weak: 15.0,
    poor: 8.0,
};
/// One freeze in the window is noticed; three is a broken call.
const FREEZES: Threshold = Threshold {
    weak: 1.0,
    poor: 3.0,
};

impl Threshold {
    /// For measures where more is worse (round trip, loss, freezes).
    fn above(&self, value: f64) -> ConnectionQuality {
        match value {
            v if v >= self.poor => ConnectionQuality::Poor,
            v if v >= self.weak => ConnectionQuality::Weak,
            _ => ConnectionQuality::Good, // also NaN: no verdict
        }
    }

    /// For rates where less is worse (frame rate).
    fn below(&self, value: f64) -> ConnectionQuality {
        match value {
            v if v < self.poor => ConnectionQuality::Poor,
            v if v < self.weak => ConnectionQuality::Weak,
            _ => ConnectionQuality::Good,
        }
    }
}

impl ConnectionQuality {
    /// The worst verdict of the sample's measures. Frame rate counts only
    /// while remote video is expected: a camera that is off sends nothing,
    /// and that is no fault of the connection. The bitrate received is no
    /// verdict at all (it is in the sample for the stats view): a still
    /// picture needs 50 kbit/s, a busy one 2 Mbit/s, at the same quality.
    pub fn assess(sample: &QualitySample) -> ConnectionQuality {
        let mut verdicts = vec![
            sample
                .rtt_ms
                .map_or(ConnectionQuality::Good, |rtt| RTT_MS.above(rtt)),
            LOSS_PERCENT.above(sample.loss_percent),
            FREEZES.above(f64::from(sample.freezes)),
        ];
        if sample.video_expected {
            verdicts.push(FPS.below(sample.fps));
        }
        verdicts
            .into_iter()
            .max()
            .unwrap_or(ConnectionQuality::Good)
    }

    /// The word the UIs show and the fixtures use.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionQuality::Good => "good",
            ConnectionQuality::Weak => "weak",
            ConnectionQuality::Poor => "poor",
        }
    }
}

/// Seconds a better verdict must hold before the indicator shows it.
pub const RECOVERY_SAMPLES: u32 = 3;

/// The verdict an indicator shows: a worse one at once, a better one only
/// after it held for [`RECOVERY_SAMPLES`] samples in a row, so a good second
/// in a bad spell does not flash "good". (The web client does the same.)
#[derive(Debug, Clone, Copy, Default)]
pub struct ShownQuality {
    shown: Option<ConnectionQuality>,
    better_in_a_row: u32,
}

impl ShownQuality {
    /// Takes the latest sample's verdict; returns what to show.
    pub fn update(&mut self, verdict: ConnectionQuality) -> ConnectionQuality {
        match self.shown {
            Some(shown) if verdict < shown => {
                self.better_in_a_row += 1;
                if self.better_in_a_row < RECOVERY_SAMPLES {
                    return shown;
                }
            }
            _ => {}
        }
        self.better_in_a_row = 0;
        self.shown = Some(verdict);
        verdict
    }

    /// Out of a call: the next verdict is shown as it is.
    pub fn reset(&mut self) {
        *self = ShownQuality::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the table the web client shares gives the same verdict here.
    #[test]
    fn the_shared_table_of_thresholds_holds() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/quality.json"))
                .expect("the fixture is JSON");
        let rows = table.as_array().expect("a list of rows");
        assert!(rows.len() >= 10, "the table covers every threshold");
        for row in rows {
            let s = &row["sample"];
            let number = |key: &str| s[key].as_f64().unwrap_or_else(|| panic!("{key} in {row}"));
            let sample = QualitySample {
                rtt_ms: s["rttMs"].as_f64(),
                loss_percent: number("lossPercent"),
                received_kbps: number("receivedKbps"),
                fps: number("fps"),
                freezes: number("freezes") as u32,
                video_expected: s["videoExpected"].as_bool().expect("videoExpected"),
            };
            assert_eq!(
                ConnectionQuality::assess(&sample).name(),
                row["quality"],
                "{}",
                row["label"]
            );
        }
    }

    #[test]
    fn measures_that_are_not_numbers_give_no_verdict() {
        let sample = QualitySample {
            rtt_ms: Some(f64::NAN),
            loss_percent: f64::NAN,
            received_kbps: 1000.0,
            fps: 30.0,
            freezes: 0,
            video_expected: true,
        };
        assert_eq!(ConnectionQuality::assess(&sample), ConnectionQuality::Good);
    }

    #[test]
    fn a_worse_verdict_shows_at_once_and_a_better_one_after_three_seconds() {
        use ConnectionQuality::{Good, Poor, Weak};
        let mut shown = ShownQuality::default();
        let seen: Vec<_> = [Good, Poor, Good, Good, Weak, Good, Good, Good, Poor]
            .into_iter()
            .map(|verdict| shown.update(verdict))
            .collect();
        assert_eq!(seen, [Good, Poor, Poor, Poor, Weak, Weak, Weak, Good, Poor]);
    }
}
