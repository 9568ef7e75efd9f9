// The web client's rules for the `media` message (server/static/remote-media.js), without a
// browser: they must match the core's (core/tests/negotiation_media_state.rs).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaTeller, parseMediaState } from '../../server/static/remote-media.js';

const MUTED = { audio: false, video: true };
const BOTH_ON = { audio: true, video: true };

test('a call that never mutes sends nothing, not even after it reconnects', () => {
  const teller = new MediaTeller();
  assert.equal(teller.next(BOTH_ON), null);
  assert.equal(teller.next(BOTH_ON, { again: true }), null);
});

test('a change is sent once, and told again after a reconnection', () => {
  const teller = new MediaTeller();
  assert.deepEqual(teller.next(MUTED), { type: 'media', ...MUTED });
  assert.equal(teller.next(MUTED), null);
  assert.deepEqual(teller.next(MUTED, { again: true }), { type: 'media', ...MUTED });
  assert.deepEqual(teller.next(BOTH_ON), { type: 'media', ...BOTH_ON });
  // Once something was told, "both on" is told again too: the unmute may have been lost.
  assert.deepEqual(teller.next(BOTH_ON, { again: true }), { type: 'media', ...BOTH_ON });
});

test('a new peer hears a state that is not both on', () => {
  const teller = new MediaTeller();
  teller.next(MUTED);
  teller.newPeer();
  assert.deepEqual(teller.next(MUTED), { type: 'media', ...MUTED });
});

test('a media message needs both flags as booleans', () => {
  assert.deepEqual(parseMediaState({ type: 'media', audio: false, video: true, later: 1 }), MUTED);
  assert.equal(parseMediaState({ type: 'media', audio: false }), null);
  assert.equal(parseMediaState({ type: 'media', audio: 'no', video: true }), null);
});
