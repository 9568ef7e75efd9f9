// The connection-quality indicator (good / weak / poor): the core's thresholds
// (core/src/call/quality.rs), checked against the same table (tests/fixtures/quality.json),
// and the numbers this page measures for it from getStats.

// [weak, poor]: at or beyond weak a measure says weak, at or beyond poor it says poor.
const RTT_MS = [250, 500];
const LOSS_PERCENT = [2, 8];
const FREEZES = [1, 3];
// Rates: below weak is weak, below poor is poor.
const FPS = [15, 8];

const LEVELS = ['good', 'weak', 'poor'];
const above = (v, [weak, poor]) => (v >= poor ? 2 : v >= weak ? 1 : 0); // NaN: 0
const below = (v, [weak, poor]) => (v < poor ? 2 : v < weak ? 1 : 0);

/**
 * 'good', 'weak' or 'poor': the worst of the sample's measures (frame rate only while video is
 * expected). The bitrate received is shown, not judged: a still picture needs far less than a busy one.
 */
export function assessQuality({ rttMs, lossPercent, fps, freezes, videoExpected }) {
  const verdicts = [rttMs === null ? 0 : above(rttMs, RTT_MS), above(lossPercent, LOSS_PERCENT), above(freezes, FREEZES)];
  if (videoExpected) verdicts.push(below(fps, FPS));
  return LEVELS[Math.max(...verdicts)];
}

/** The cumulative counters of one getStats report that the sample is made of. */
export function counters(report) {
  const c = { at: 0, bytes: 0, received: 0, lost: 0, freezes: 0, fps: 0, rttMs: null };
  report.forEach((s) => {
    if (s.type === 'inbound-rtp') {
      c.at = Math.max(c.at, s.timestamp);
      c.bytes += s.bytesReceived ?? 0;
      c.received += s.packetsReceived ?? 0;
      c.lost += Math.max(0, s.packetsLost ?? 0);
      if (s.kind === 'video') {
        c.freezes += s.freezeCount ?? 0;
        c.fps = s.framesPerSecond ?? 0;
      }
    } else if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded'
      && typeof s.currentRoundTripTime === 'number') {
      c.rttMs = s.currentRoundTripTime * 1000;
    }
  });
  return c;
}

/** The sample between two `counters` readings, `videoExpected` as the call knows it. */
export function sampleBetween(before, now, videoExpected) {
  const seconds = Math.max(0.001, (now.at - before.at) / 1000);
  const received = now.received - before.received;
  const lost = now.lost - before.lost;
  return {
    rttMs: now.rttMs === null ? null : Math.round(now.rttMs),
    lossPercent: received + lost > 0 ? (100 * lost) / (received + lost) : 0,
    receivedKbps: Math.round((8 * (now.bytes - before.bytes)) / seconds / 1000),
    fps: now.fps,
    freezes: now.freezes - before.freezes,
    videoExpected,
  };
}

/** Seconds a better verdict must hold before the indicator shows it (the core's RECOVERY_SAMPLES). */
export const RECOVERY_SAMPLES = 3;

/**
 * What the indicator shows after `verdict`, given what it showed ({level, betterInARow} or null):
 * a worse verdict at once, a better one once it held for RECOVERY_SAMPLES readings in a row
 * (the core's ShownQuality), so a good second in a bad spell does not flash "Good connection".
 */
export function shownQuality(shown, verdict) {
  const rank = (level) => LEVELS.indexOf(level);
  if (shown && rank(verdict) < rank(shown.level)) {
    const betterInARow = shown.betterInARow + 1;
    if (betterInARow < RECOVERY_SAMPLES) return { level: shown.level, betterInARow };
  }
  return { level: verdict, betterInARow: 0 };
}
