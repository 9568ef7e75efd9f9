// The web client against an initiator that replaces a connection that never came up, as the core
// does (docs/protocol.md, "A fresh connection"): its next offer carries a new certificate, and
// the web client answers it on a new peer connection of its own. Chromium would take the new
// certificate on the old connection too, but slowly: without the rule, media flowed both ways
// again 8.0 s after the new offer; with it, 1.9 s. The initiator here is a script in a second
// Chromium page speaking the wire protocol itself, since the web client never replaces its
// connection as initiator. `node --test tests/browser/`.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { launchBrowser, observeCalls, openCallPage, waitFor, waitForMedia } from './harness.mjs';
import { startRelay } from './relay.mjs';

const inSeconds = (s) => Date.now() + s * 1000;

let relay;
let browser;

before(async () => {
  relay = await startRelay();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await relay?.stop();
});

/**
 * Runs in a page of the relay's origin: joins `room` over the relay's WebSocket with the fake
 * camera and microphone and returns once it has `created` it; it offers when the other says
 * "ready". `window.scripted.offerAnew()` then closes the connection and offers on a new one (a
 * new certificate), as the core does.
 */
async function scriptedInitiator({ wsUrl, room }) {
  const media = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
  const ws = new WebSocket(wsUrl);
  await new Promise((opened, failed) => { ws.onopen = opened; ws.onerror = failed; });
  const send = (message) => ws.send(JSON.stringify(message));
  const s = { pc: null, pending: [], answers: 0, errors: [] };
  window.scripted = s;
  s.offerAnew = async () => {
    s.pc?.close();
    const pc = new RTCPeerConnection();
    s.pc = pc;
    s.pending = [];
    for (const track of media.getTracks()) pc.addTrack(track, media);
    pc.onicecandidate = ({ candidate: c }) => c?.candidate && pc === s.pc
      && send({ type: 'candidate', label: c.sdpMLineIndex, id: c.sdpMid, candidate: c.candidate });
    await pc.setLocalDescription(await pc.createOffer());
    send({ type: 'offer', sdp: pc.localDescription.sdp });
  };
  // A candidate of the other's closed connection may still arrive: it does not fit, and is dropped.
  const add = (pc, init) => pc.addIceCandidate(init).catch(() => {});
  let created;
  const joined = new Promise((resolve) => { created = resolve; });
  ws.onmessage = async ({ data }) => {
    const message = JSON.parse(data);
    if (message?.type === 'created') return created();
    if (message === 'ready') return s.pc ? undefined : s.offerAnew();
    const pc = s.pc;
    if (message?.type === 'answer' && pc?.signalingState === 'have-local-offer') {
      try {
        await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
        s.answers++;
        for (const init of s.pending.splice(0)) add(pc, init);
      } catch (error) {
        s.errors.push(String(error));
      }
    } else if (message?.type === 'candidate' && pc) {
      const init = { candidate: message.candidate, sdpMLineIndex: message.label, sdpMid: message.id };
      if (pc.remoteDescription) add(pc, init); else s.pending.push(init);
    }
  };
  send({ type: 'join', room });
  await joined;
}

/** The certificate fingerprint of each remote description the page's connections were given. */
function remoteFingerprints() {
  return window.peerConnections.map((pc) => pc.remoteDescription?.sdp.match(/^a=fingerprint:(.*)$/m)?.[1]);
}

test('an offer with a new certificate makes the page answer on a new connection, and the call goes on', async (t) => {
  const room = `fresh-${randomBytes(6).toString('hex')}`;
  const initiatorContext = await browser.newContext();
  let answerer = null;
  try {
    const initiator = await initiatorContext.newPage();
    await initiator.goto(new URL('/healthz', relay.url).href);
    const wsUrl = new URL('/ws', relay.url).href.replace(/^http/, 'ws');
    await initiator.evaluate(scriptedInitiator, { wsUrl, room });
    answerer = await openCallPage(browser, relay.url, room, { initScript: observeCalls });
    const { page } = answerer;
    await waitForMedia(page, { minFrames: 10, deadline: inSeconds(20) });

    const offered = Date.now();
    await initiator.evaluate(() => window.scripted.offerAnew());
    const deadline = inSeconds(20);
    const swapped = await waitFor(page, (s) => s.offersReceived === 2 && s.answersSent === 2,
      { deadline, what: 'the second answer' });
    // Media flows both ways on the new connections: the page decodes 30 more frames, and the
    // initiator's new connection (its stats start from zero) decodes 30 of the page's.
    await waitFor(page, (s, from) => s.framesDecoded >= from + 30 && s.audioPacketsReceived > 0,
      { deadline, what: '30 more frames decoded', arg: swapped.framesDecoded });
    await initiator.waitForFunction(async () => {
      const stats = [...(await window.scripted.pc.getStats()).values()];
      return stats.some((s) => s.type === 'inbound-rtp' && s.kind === 'video' && s.framesDecoded >= 30);
    }, null, { timeout: deadline - Date.now() });
    t.diagnostic(`media both ways on the new connections ${Date.now() - offered} ms after the new offer`);
    const fingerprints = await page.evaluate(remoteFingerprints);
    assert.equal(fingerprints.length, 2, 'the page made one new connection for the new certificate');
    assert.notEqual(fingerprints[1], fingerprints[0], 'each connection has the certificate of its offer');
    assert.equal(await page.evaluate(() => window.videochat.state), 'connected');
    const scripted = await initiator.evaluate(() => ({ answers: window.scripted.answers, errors: window.scripted.errors }));
    assert.deepEqual(scripted, { answers: 2, errors: [] }, 'the initiator applied both answers');
  } finally {
    await initiatorContext.close();
    await answerer?.close();
  }
  assert.deepEqual(answerer.errors, [], 'no script errors in the page');
});
