#!/usr/bin/env node
// One person in a call: headless Chromium opens the relay's page in a room, places or answers
// the call with its fake camera and microphone, and prints one JSON line once the remote video
// and audio flow. The interface is documented in README.md; Rust end-to-end tests rely on it.

import { parseArgs } from 'node:util';
import {
  childBrowserPids, launchBrowser, mediaFlowing, observeCalls, openCallPage, snapshot, switchCamera,
  videoRates, videoStats, waitFor, waitForMedia,
} from './harness.mjs';

const USAGE = `usage: browser-peer.mjs --url http://HOST:PORT --room ROOM [--timeout-s S] [--min-frames N]
       [--switch-camera-after-frames K] [--linger-s S] [--until-peer-left] [--screenshot PATH] [--verbose]
       [--camera-file FILE.y4m] [--start-bitrate-kbps N [--min-bitrate-kbps N] [--max-bitrate-kbps N]]
       [--degradation-preference maintain-resolution|maintain-framerate|balanced]`;

function options() {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      room: { type: 'string' },
      'timeout-s': { type: 'string', default: '30' },
      'min-frames': { type: 'string', default: '30' },
      'switch-camera-after-frames': { type: 'string' },
      'linger-s': { type: 'string', default: '0' },
      'until-peer-left': { type: 'boolean', default: false },
      screenshot: { type: 'string' },
      'camera-file': { type: 'string' },
      'start-bitrate-kbps': { type: 'string' },
      'min-bitrate-kbps': { type: 'string' },
      'max-bitrate-kbps': { type: 'string' },
      'degradation-preference': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) exit(0, USAGE);
  const number = (name) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0) exit(2, `--${name} needs a non-negative number\n${USAGE}`);
    return n;
  };
  if (!values.url || !values.room) exit(2, USAGE);
  const kbps = (name) => (values[`${name}-bitrate-kbps`] === undefined ? undefined : number(`${name}-bitrate-kbps`));
  const video = {
    startKbps: kbps('start'), minKbps: kbps('min'), maxKbps: kbps('max'),
    degradationPreference: values['degradation-preference'],
  };
  if (video.startKbps === undefined && (video.minKbps !== undefined || video.maxKbps !== undefined)) {
    exit(2, `--min-bitrate-kbps and --max-bitrate-kbps go with --start-bitrate-kbps\n${USAGE}`);
  }
  if (![undefined, 'maintain-resolution', 'maintain-framerate', 'balanced'].includes(video.degradationPreference)) {
    exit(2, `unknown --degradation-preference\n${USAGE}`);
  }
  return {
    url: values.url,
    room: values.room,
    timeoutMs: number('timeout-s') * 1000,
    minFrames: number('min-frames'),
    switchAfter: values['switch-camera-after-frames'] === undefined ? null
      : number('switch-camera-after-frames'),
    lingerMs: number('linger-s') * 1000,
    untilPeerLeft: values['until-peer-left'],
    screenshot: values.screenshot,
    cameraFile: values['camera-file'],
    video,
    verbose: values.verbose,
  };
}

function exit(code, message) {
  (code === 0 ? process.stdout : process.stderr).write(`${message}\n`);
  process.exit(code);
}

const progress = (line) => process.stderr.write(`browser-peer: ${line}\n`);

/** The browser's process (its children are the renderers, GPU and utility processes). */
let browserPid = null;

/** The page's script errors and console errors, collected once it is open. */
let pageErrors = [];

/** The one JSON line: what the remote side sent us, and how the call went. */
function result(ok, snap, extra) {
  return {
    ok, ...extra, pageErrors, browserPid,
    room: snap.room, role: snap.role, state: snap.state,
    framesDecoded: snap.framesDecoded, videoWidth: snap.videoWidth, videoHeight: snap.videoHeight,
    audioPacketsReceived: snap.audioPacketsReceived, codec: snap.codec, audioCodec: snap.audioCodec,
    sentCodec: snap.sentCodec, framesSent: snap.framesSent,
    connectedMs: snap.connectedMs, firstFrameMs: snap.firstFrameMs,
    offerToConnectedMs: snap.offerToConnectedMs,
    offersSent: snap.offersSent, offersReceived: snap.offersReceived,
    iceRestarts: snap.iceRestarts, cameraSwitches: snap.cameraSwitches,
    security: snap.security, securityCode: snap.securityCode,
  };
}

async function run(opts, browser) {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const call = await openCallPage(browser, opts.url, opts.room, {
    log: opts.verbose ? (line) => progress(`page ${line}`) : undefined,
    initScript: observeCalls,
    initArg: opts.video,
  });
  const { page } = call;
  pageErrors = call.errors;
  const joined = await waitFor(page, (s) => s.role !== null || s.state === 'full' || s.state === 'error',
    { deadline, what: 'joining the room' });
  if (joined.role === null) throw Object.assign(new Error(`could not join: ${joined.state}`), { snapshot: joined });
  progress(`joined room ${opts.room} as ${joined.role}`);

  if (opts.switchAfter !== null) {
    await waitFor(page, mediaFlowing(opts.switchAfter), { deadline, what: 'media before the camera switch' });
    const switched = await switchCamera(page, { deadline });
    progress(`switched the camera to ${switched.facing}`);
  }
  const snap = await waitForMedia(page, { minFrames: opts.minFrames, deadline });
  progress(`decoding: ${snap.framesDecoded} frames ${snap.videoWidth}x${snap.videoHeight} ${snap.codec}`);
  const mediaMs = Date.now() - started;

  if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
  const linger = opts.lingerMs > 0 ? await lingerWithStats(page, opts.lingerMs) : undefined;
  if (opts.untilPeerLeft) {
    await waitFor(page, (s) => s.state === 'peer-left', { deadline, what: 'the other person to leave' });
  }
  // The figures are those at the moment media flowed; after --until-peer-left the call is gone.
  const { state: finalState } = await snapshot(page);
  return result(true, snap, { mediaMs, finalState, linger });
}

/** Keeps the call up for `ms`, sampling the video stats each second; their rates (`videoRates`). */
async function lingerWithStats(page, ms) {
  const end = Date.now() + ms;
  const samples = [await page.evaluate(videoStats)];
  while (Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, end - Date.now())));
    samples.push(await page.evaluate(videoStats));
  }
  const rates = videoRates(samples);
  if (rates) {
    const { received: r, sent: s } = rates;
    progress(`over ${rates.seconds} s: received ${r.width}x${r.height} at ${r.fps} fps, ${r.kbps} kbps; `
      + `sent ${s.width}x${s.height} at ${s.fps} fps, ${s.kbps} kbps (${s.encoder}, limited by ${s.qualityLimitation})`);
  }
  return rates;
}

const opts = options();
let browser;
const shutdown = async (code) => {
  await browser?.close().catch(() => {});
  process.exit(code);
};
process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));

try {
  browser = await launchBrowser({ cameraFile: opts.cameraFile });
  [browserPid = null] = childBrowserPids();
  progress(`browser pid ${browserPid}`);
  const line = await run(opts, browser);
  process.stdout.write(`${JSON.stringify(line)}\n`);
  await shutdown(0);
} catch (error) {
  const reason = error.message.split('\n')[0];
  const line = error.snapshot ? result(false, error.snapshot, { reason })
    : { ok: false, reason, pageErrors, browserPid };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  progress(`failed: ${reason}`);
  await shutdown(1);
}
