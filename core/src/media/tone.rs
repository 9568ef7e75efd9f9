//! A sine tone in 20 ms chunks: the desktop peer's microphone.

use super::opus::{OPUS_FRAME_SAMPLES, OPUS_SAMPLE_RATE};

/// Generates a continuous sine wave as 48 kHz mono `i16` chunks of 20 ms.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    frequency_hz: f64,
    amplitude: f64,
    /// Phase in cycles, kept in [0, 1) so it never loses precision.
    phase: f64,
}

impl ToneGenerator {
    /// A tone at `frequency_hz` with peak `amplitude` (e.g. 440 Hz at 8000).
    pub fn new(frequency_hz: f64, amplitude: i16) -> Self {
        Self {
            frequency_hz,
            amplitude: f64::from(amplitude),
            phase: 0.0,
        }
    }

    /// The tone's frequency.
    pub fn frequency_hz(&self) -> f64 {
        self.frequency_hz
    }

    /// Fills `out` with the next samples, continuing the phase from the previous call.
    pub fn fill(&mut self, out: &mut [i16]) {
        let step = self.frequency_hz / f64::from(OPUS_SAMPLE_RATE);
        for sample in out {
            *sample = (self.amplitude * (self.phase * std::f64::consts::TAU).sin()).round() as i16;
            self.phase = (self.phase + step).fract();
        }
    }

    /// The next 20 ms chunk ([`OPUS_FRAME_SAMPLES`] samples).
    pub fn next_chunk(&mut self) -> Vec<i16> {
        let mut chunk = vec![0; OPUS_FRAME_SAMPLES];
        self.fill(&mut chunk);
        chunk
    }
}

impl Default for ToneGenerator {
    /// 440 Hz at about a quarter of full scale.
    fn default() -> Self {
        Self::new(440.0, 8000)
    }
}
