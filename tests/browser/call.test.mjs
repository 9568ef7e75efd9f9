// Chromium-to-Chromium calls through the real relay: `node --test tests/browser/`.
// Each test uses its own room; the pages share one headless Chromium, each in its own context.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import {
  launchBrowser, openCallPage, snapshot, switchCamera, waitFor, waitForMedia, waitForState,
} from './harness.mjs';
import { startRelay } from './relay.mjs';

const PEER_CLI = fileURLToPath(new URL('./browser-peer.mjs', import.meta.url));
const newRoom = (label) => `${label}-${randomBytes(6).toString('hex')}`;
const inSeconds = (s) => Date.now() + s * 1000;

let relay;
let browser;
const pages = [];

before(async () => {
  relay = await startRelay();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await relay?.stop();
});

/** Opens the call page in a room; closed (and checked for script errors) by `closeAll`. */
async function open(room, options) {
  const call = await openCallPage(browser, relay.url, room, options);
  pages.push(call);
  return call;
}

async function closeAll() {
  const calls = pages.splice(0);
  await Promise.all(calls.map((c) => c.close()));
  assert.deepEqual(calls.flatMap((c) => c.errors), [], 'no script errors in the pages');
}

/** Two pages in one room (the first is the initiator), both decoding video with audio. */
async function connectedPair(label, options) {
  const minFrames = 10;
  const room = newRoom(label);
  const first = await open(room, options);
  await waitForState(first.page, 'waiting', { deadline: inSeconds(10) });
  const second = await open(room, options);
  const deadline = inSeconds(20);
  await Promise.all([first, second].map((c) => waitForMedia(c.page, { minFrames, deadline })));
  return [first, second];
}

/** Runs the browser-peer CLI; resolves to its exit code, parsed JSON line and stderr. */
function runPeer(args, { onStderr } = {}) {
  const child = spawn(process.execPath, [PEER_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr);
  });
  return new Promise((resolve) => child.on('exit', (code) => {
    let json = null;
    try { json = JSON.parse(stdout.trim().split('\n').pop()); } catch { /* reported below */ }
    resolve({ code, json, stderr });
  }));
}

test('two browser-peer processes in one room both decode video and audio over H.264', async (t) => {
  const room = newRoom('cli');
  const common = ['--url', relay.url, '--room', room, '--min-frames', '30', '--timeout-s', '30'];
  let firstJoined;
  const joined = new Promise((resolve) => { firstJoined = resolve; });
  // The first stays until the second has left, so neither ends the call before the other is done.
  const first = runPeer([...common, '--until-peer-left'], {
    onStderr: (text) => /joined room \S+ as initiator/.test(text) && firstJoined(),
  });
  await joined;
  const second = await runPeer([...common, '--linger-s', '1']);
  const initiator = await first;

  for (const [role, run] of [['initiator', initiator], ['answerer', second]]) {
    assert.equal(run.code, 0, `${role} exits 0: ${run.stderr}`);
    assert.equal(run.json.ok, true);
    assert.equal(run.json.role, role);
    assert.ok(run.json.framesDecoded >= 30, `${role} decoded ${run.json.framesDecoded} frames`);
    assert.ok(run.json.videoWidth > 0 && run.json.videoHeight > 0);
    assert.ok(run.json.audioPacketsReceived > 0);
    assert.equal(run.json.codec, 'video/H264', 'H.264 is preferred');
    assert.equal(run.json.audioCodec, 'audio/opus');
    t.diagnostic(`${role}: connected ${run.json.connectedMs} ms after both were in the room ` +
      `(${run.json.offerToConnectedMs} ms after the offer), first frame ${run.json.firstFrameMs} ms`);
  }
  assert.equal(initiator.json.finalState, 'peer-left', 'the initiator saw the answerer leave');
});

test('switching the camera keeps the call going without a new offer', async () => {
  try {
    const [a, b] = await connectedPair('switch');
    const deadline = inSeconds(20);
    const offers = async () => {
      const [sa, sb] = [await snapshot(a.page), await snapshot(b.page)];
      return sa.offersSent + sb.offersSent + sa.offersReceived + sb.offersReceived;
    };
    const offersBefore = await offers();
    const mirrored = () => a.page.$eval('#local-video', (v) => v.classList.contains('mirrored'));
    assert.equal(await mirrored(), true, 'the user camera preview is mirrored');

    // A double tap switches once; the button is disabled while the switch is in flight.
    const disabledWhileSwitching = await a.page.$eval('#camera', (button) => {
      button.click();
      const disabled = button.disabled;
      button.click();
      return disabled;
    });
    assert.equal(disabledWhileSwitching, true);
    const switched = await waitFor(a.page, (s) => !s.switching && s.cameraSwitches === 1,
      { deadline, what: 'the camera switch' });
    assert.equal(switched.facing, 'environment');
    assert.equal(await mirrored(), false, 'the environment camera preview is not mirrored');

    const atSwitch = (await snapshot(b.page)).framesDecoded;
    await waitFor(b.page, (s) => s.framesDecoded >= atSwitch + 30 && s.state === 'connected',
      { deadline, what: 'frames from the new camera' });
    const back = await switchCamera(a.page, { deadline });
    assert.equal(back.facing, 'user');
    assert.equal(await offers(), offersBefore, 'no renegotiation');
    const tracks = await a.page.$eval('#local-video', (v) => v.srcObject.getVideoTracks().map((t) => t.readyState));
    assert.deepEqual(tracks, ['live']);
  } finally {
    await closeAll();
  }
});

test('mute and video off disable the local tracks and keep the call up', async () => {
  try {
    const [a] = await connectedPair('mute');
    const local = () => a.page.evaluate(() => {
      const tracks = document.getElementById('local-video').srcObject.getVideoTracks();
      return { video: tracks.map((t) => t.enabled), mute: document.getElementById('mute').getAttribute('aria-pressed') };
    });
    assert.deepEqual(await local(), { video: [true], mute: 'false' });
    await a.page.click('#mute');
    await a.page.click('#video');
    assert.deepEqual(await local(), { video: [false], mute: 'true' });
    assert.equal(await a.page.textContent('#video'), 'Video on');
    await a.page.click('#video');
    await a.page.click('#mute');
    assert.deepEqual(await local(), { video: [true], mute: 'false' });
    const after = await snapshot(a.page);
    assert.equal(after.state, 'connected');
    assert.equal(after.offersSent + after.offersReceived, 1, 'no renegotiation');
  } finally {
    await closeAll();
  }
});

/** Keeps the page's peer connections in window.peerConnections so a test can reach them. */
function keepPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.peerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.peerConnections.push(this);
    }
  };
}

test('when ICE fails the initiator restarts it with a new offer and the call goes on', async () => {
  try {
    const [a, b] = await connectedPair('restart', { initScript: keepPeerConnections });
    const ufrags = () => Promise.all([a, b].map(({ page }) => page.evaluate(() =>
      /a=ice-ufrag:(\S+)/.exec(window.peerConnections.at(-1).localDescription.sdp)[1])));
    const before = await ufrags();

    // Chromium cannot be made to lose a loopback path, so only the trigger is simulated: the
    // initiator's connection reports 'failed' once. The restart offer and answer are real.
    await a.page.evaluate(() => {
      const pc = window.peerConnections.at(-1);
      Object.defineProperty(pc, 'iceConnectionState', { value: 'failed', configurable: true });
      pc.dispatchEvent(new Event('iceconnectionstatechange'));
      delete pc.iceConnectionState;
    });
    assert.equal((await snapshot(a.page)).state, 'reconnecting');
    const deadline = inSeconds(10);
    await waitFor(a.page, (s) => s.iceRestarts === 1 && s.offersSent === 2 && s.answersReceived === 2,
      { deadline, what: 'the ICE restart offer to be answered' });
    const after = await ufrags();
    assert.notEqual(after[0], before[0], 'the initiator has new ICE credentials');
    assert.notEqual(after[1], before[1], 'the answerer has new ICE credentials');

    // The path "comes back": the real state is reported again.
    await a.page.evaluate(() => window.peerConnections.at(-1).dispatchEvent(new Event('iceconnectionstatechange')));
    assert.equal((await snapshot(a.page)).state, 'connected');
    const frames = (await snapshot(b.page)).framesDecoded;
    await waitFor(b.page, (s) => s.framesDecoded >= frames + 30, { deadline, what: 'the call to go on' });
  } finally {
    await closeAll();
  }
});

test('hanging up reaches the other page as "the other person left", and the page can join again', async (t) => {
  try {
    const [a, b] = await connectedPair('hangup');
    // Both pages share one clock (one browser); poll in the page to time it closely.
    const seen = b.page.waitForFunction(() => window.videochat.state === 'peer-left' && Date.now(),
      null, { polling: 5, timeout: 5000 });
    const clicked = await a.page.evaluate(() => {
      document.getElementById('hangup').click();
      return Date.now();
    });
    t.diagnostic(`the other page saw the hang-up after ${(await (await seen).jsonValue()) - clicked} ms`);
    assert.match(await b.page.textContent('#status'), /the other person left/i);
    assert.equal((await snapshot(a.page)).state, 'ended');
    assert.equal(await a.page.isVisible('#rejoin'), true);

    await a.page.click('#rejoin');
    const deadline = inSeconds(20);
    const [again, stayed] = await Promise.all([a, b].map((c) => waitForMedia(c.page, { minFrames: 10, deadline })));
    assert.equal(stayed.role, 'initiator', 'the one who stayed offers to the newcomer');
    assert.equal(again.role, 'answerer');
  } finally {
    await closeAll();
  }
});

test('a third page in the room sees "room full" and the call goes on', async () => {
  try {
    const [a, b] = await connectedPair('full');
    const c = await open((await snapshot(a.page)).room);
    const full = await waitForState(c.page, 'full', { deadline: inSeconds(10) });
    assert.match(await c.page.textContent('#status'), /room is full/i);
    assert.equal(full.offersReceived + full.offersSent, 0);
    const before = (await snapshot(b.page)).framesDecoded;
    const after = await waitFor(b.page, (s) => s.framesDecoded > before + 10, {
      deadline: inSeconds(10), what: 'the call to go on',
    });
    assert.equal(after.state, 'connected');
  } finally {
    await closeAll();
  }
});

test('a page opened without a room gets a random 32-hex room in its URL', async () => {
  try {
    const first = await open(null);
    const second = await open(null);
    const rooms = [];
    for (const { page } of [first, second]) {
      const room = new URL(page.url()).searchParams.get('room');
      assert.match(room, /^[0-9a-f]{32}$/);
      assert.equal(await page.textContent('#room-name'), room);
      assert.equal((await waitForState(page, 'waiting', { deadline: inSeconds(10) })).room, room);
      rooms.push(room);
    }
    assert.notEqual(rooms[0], rooms[1]);
  } finally {
    await closeAll();
  }
});
