// The web client's security code (server/static/security-code.js) against the vector the Rust
// core checks too (tests/vectors/security-code.json), and its exchange with and without a man
// in the middle. Plain node: no browser or relay needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  SasExchange, certificateFingerprint, commitment, connectionFingerprints, fromHex, sdpFingerprint,
  securityCode,
} from '../../server/static/security-code.js';

const vector = JSON.parse(
  await readFile(new URL('../vectors/security-code.json', import.meta.url), 'utf8'),
);
const hexBytes = (hex) => Uint8Array.from(hex.match(/../g), (p) => parseInt(p, 16));

test('the shared vector gives its fingerprints, commitment and code', async () => {
  const offer = await certificateFingerprint(hexBytes(vector.certificateOffer));
  const answer = await certificateFingerprint(hexBytes(vector.certificateAnswer));
  assert.deepEqual(offer, sdpFingerprint(`a=fingerprint:${vector.fingerprintOffer}`));
  assert.deepEqual(answer, sdpFingerprint(`a=fingerprint:${vector.fingerprintAnswer}`));
  const na = fromHex(vector.na);
  const nb = fromHex(vector.nb);
  assert.equal(await commitment({ offer, answer }, nb), vector.commitment);
  assert.equal(await securityCode({ offer, answer }, na, nb), vector.code);
});

test('malformed fingerprints and nonces are refused', () => {
  assert.equal(sdpFingerprint(`a=fingerprint:${vector.fingerprintOffer.replace('sha-256', 'sha-1')}`), null);
  assert.equal(sdpFingerprint(`a=fingerprint:${vector.fingerprintOffer.slice(0, -3)}`), null);
  assert.equal(fromHex('+f'.repeat(32)), null);
  assert.equal(fromHex(vector.na.slice(1)), null);
});

const fingerprint = (byte) => new Uint8Array(32).fill(byte);
const pair = (offer, answer) => ({ offer: fingerprint(offer), answer: fingerprint(answer) });

/** An initiator and an answerer that see these fingerprints; messages passed on as they are. */
async function exchange(initiatorSees, answererSees) {
  const states = { initiator: null, answerer: null };
  let initiator = null;
  let answerer = null;
  initiator = new SasExchange(true, (m) => answerer.message(m), (s) => { states.initiator = s; });
  answerer = new SasExchange(false, (m) => initiator.message(m), (s) => { states.answerer = s; });
  await initiator.connected(initiatorSees);
  await answerer.connected(answererSees);
  // Each step's reply is queued on the other side: drain both until quiet.
  for (let i = 0; i < 4; i++) await Promise.all([initiator.queue, answerer.queue]);
  initiator.close();
  answerer.close();
  return states;
}

test('both sides of a direct call show the same code', async () => {
  const { initiator, answerer } = await exchange(pair(1, 2), pair(1, 2));
  assert.equal(initiator.status, 'ready');
  assert.match(initiator.code, /^\d{3} \d{3}$/);
  assert.equal(initiator.code, answerer.code);
});

test('a relay passing the exchange across swapped certificates breaks the commitment', async () => {
  const { initiator } = await exchange(pair(1, 8), pair(9, 2));
  assert.equal(initiator.status, 'exchange_failed');
});

test('a relay running its own exchange with each side shows them different codes', async () => {
  const alice = (await exchange(pair(1, 8), pair(1, 8))).initiator;
  const bob = (await exchange(pair(9, 2), pair(9, 2))).answerer;
  assert.equal(alice.status, 'ready');
  assert.equal(bob.status, 'ready');
  assert.notEqual(alice.code, bob.code);
});

test("the peer's certificate is waited for when the transport holds it only after 'connected'", async () => {
  // Chromium, about one call in ten: connectionState is 'connected' while its RTCDtlsTransport
  // still returns no remote certificate; it has one a few milliseconds later.
  const certificate = hexBytes(vector.certificateOffer).buffer;
  let looks = 0;
  const transport = {
    state: 'connected',
    getRemoteCertificates: () => (++looks < 3 ? [] : [certificate]),
  };
  const pc = {
    localDescription: { sdp: `v=0\r\na=fingerprint:${vector.fingerprintAnswer}\r\n` },
    getSenders: () => [{ transport }],
  };
  const fingerprints = await connectionFingerprints(pc, false);
  assert.deepEqual(fingerprints?.offer, await certificateFingerprint(certificate));
  assert.deepEqual(fingerprints?.answer, sdpFingerprint(pc.localDescription.sdp));
});
