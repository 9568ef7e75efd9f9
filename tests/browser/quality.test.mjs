// The web client's quality thresholds (server/static/quality.js) against the table the core's
// unit test reads too (tests/fixtures/quality.json): both clients say the same word.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { assessQuality, sampleBetween, shownQuality } from '../../server/static/quality.js';

const table = JSON.parse(readFileSync(new URL('../fixtures/quality.json', import.meta.url), 'utf8'));

test('every row of the shared quality table gets the same verdict as in the core', () => {
  assert.ok(table.length >= 10);
  for (const { label, sample, quality } of table) assert.equal(assessQuality(sample), quality, label);
});

test('a sample is the difference of two readings over their time apart', () => {
  const before = { at: 1000, bytes: 0, received: 100, lost: 0, freezes: 2, fps: 30, rttMs: null };
  const now = { at: 3000, bytes: 250_000, received: 196, lost: 4, freezes: 3, fps: 24, rttMs: 31.6 };
  assert.deepEqual(sampleBetween(before, now, true), {
    rttMs: 32, lossPercent: 4, receivedKbps: 1000, fps: 24, freezes: 1, videoExpected: true,
  });
});

test('a worse verdict shows at once and a better one after three readings, as in the core', () => {
  // The same sequence as the core's unit test (core/src/call/quality.rs).
  const verdicts = ['good', 'poor', 'good', 'good', 'weak', 'good', 'good', 'good', 'poor'];
  let shown = null;
  const seen = verdicts.map((verdict) => (shown = shownQuality(shown, verdict)).level);
  assert.deepEqual(seen, ['good', 'poor', 'poor', 'poor', 'weak', 'weak', 'weak', 'good', 'poor']);
});
