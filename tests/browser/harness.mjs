// Drives the relay's web client in headless Chromium (Debian's /usr/bin/chromium) with a fake
// camera and microphone. Used by the browser-peer CLI and the node tests; it reads the page
// through its read-only hook, window.videochat (server/static/app.js).

import { readdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Chromium's path; CHROMIUM overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Fake media devices that need no prompt, and nothing that talks to the internet. */
export const CHROMIUM_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Chromium with a fresh temporary profile (removed on close). With `cameraFile`
 * (a Y4M file, I420 with a C420 tag) the fake camera plays that file, looped, at its own size
 * and frame rate, instead of Chromium's generated pattern.
 */
export function launchBrowser({ cameraFile } = {}) {
  const args = cameraFile ? [...CHROMIUM_ARGS, `--use-file-for-fake-video-capture=${cameraFile}`] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

/**
 * The pids of this process's children other than node: the browser that `launchBrowser` started
 * (Playwright exposes its process only for launchServer). Linux only (/proc); [] elsewhere.
 */
export function childBrowserPids() {
  let names;
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  const pids = [];
  for (const name of names) {
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === process.pid && comm !== 'node') pids.push(Number(name));
  }
  return pids;
}

/** The page URL for a room: base is the relay's http(s) origin; room null opens it without one. */
export function roomUrl(base, room) {
  const url = new URL('/', base);
  if (room !== null && room !== undefined) url.searchParams.set('room', room);
  return url.href;
}

/**
 * Opens the call page in its own browser context (its own fake camera, like a second person).
 * Page errors and console errors are collected in `errors`; `log` gets every console line;
 * `initScript` runs in the page before the app, with `initArg` as its argument (tests use it to
 * observe the peer connection).
 */
export async function openCallPage(browser, base, room, { log, initScript, initArg } = {}) {
  const context = await browser.newContext({ viewport: { width: 960, height: 600 } });
  const page = await context.newPage();
  if (initScript) await page.addInitScript(initScript, initArg);
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
    log?.(`[${message.type()}] ${message.text()}`);
  });
  await page.goto(roomUrl(base, room));
  await page.waitForFunction(() => window.videochat !== undefined);
  return { context, page, errors, close: () => context.close() };
}

/**
 * State, role, counters and timings from the page's hook, plus its media stats. Runs in the page
 * (through `snapshot` or as the probe of `waitFor`).
 */
async function pageSnapshot() {
  const h = window.videochat;
  return {
    state: h.state, detail: h.detail, room: h.room, role: h.role, facing: h.facing,
    switching: h.switching, security: h.security, securityCode: h.securityCode, ...h.counters, ...h.timings, ...(await h.stats()),
  };
}

/** State, role, counters and timings from the page's hook, plus its media stats. */
export function snapshot(page) {
  return page.evaluate(pageSnapshot);
}

/**
 * What `page.waitForFunction` runs on each of the page's animation frames for `waitInPage`.
 * Playwright hands it the same `w` every time, so the functions (sent as source) and the newest
 * observation live there. The probe may be async (getStats is): each frame judges the newest
 * observation that has completed and starts the next if none is under way.
 */
function watchInPage(w) {
  w.run ??= {
    probe: (0, eval)(`(${w.probe})`), test: (0, eval)(`(${w.test})`), latest: null, failure: null, pending: false,
  };
  const run = w.run;
  if (run.failure) throw run.failure;
  if (!run.pending) {
    run.pending = true;
    Promise.resolve().then(run.probe).then((o) => { run.latest = { o }; }, (e) => { run.failure = e; })
      .finally(() => { run.pending = false; });
  }
  return run.latest !== null && run.test(run.latest.o, w.arg) ? run.latest : false;
}

/**
 * Waits in the page until `test(observation, arg)` holds for what `probe()` observes there, and
 * resolves to that observation. The waiting is Playwright's `page.waitForFunction` (re-checked on
 * each of the page's animation frames) with a timeout at `deadline` (ms since the epoch). Both
 * functions are sent to the page as source, so they see only their arguments, never the caller's
 * variables: pass what they need as `arg` (JSON-serialisable). At the deadline it throws
 * "timed out waiting for WHAT (DESCRIBE(last observation))" with that observation as
 * `error.observation`.
 */
export async function waitInPage(page, { probe, test, arg = null, deadline, what, describe = JSON.stringify }) {
  try {
    const handle = await page.waitForFunction(watchInPage, { probe: String(probe), test: String(test), arg },
      { timeout: Math.max(1, deadline - Date.now()) });
    return (await handle.jsonValue()).o;
  } catch (error) {
    if (error.name !== 'TimeoutError') throw error;
    const last = await page.evaluate(probe).catch(() => null);
    throw Object.assign(new Error(`timed out waiting for ${what} (${last === null ? 'no observation' : describe(last)})`),
      { observation: last });
  }
}

/**
 * Waits until `done(snapshot, arg)` holds for the page's `snapshot` and resolves to that snapshot.
 * `done` is a function run in the page (see `waitInPage`: it sees only its arguments; pass values
 * as `arg`), or `{ test, arg }` as `mediaFlowing` makes. At the deadline it throws with the last
 * snapshot as `error.snapshot`.
 */
export async function waitFor(page, done, { deadline, what, arg }) {
  const predicate = typeof done === 'function' ? { test: done, arg } : done;
  try {
    return await waitInPage(page, {
      probe: pageSnapshot, test: predicate.test, arg: predicate.arg ?? null, deadline, what,
      describe: (s) => `state ${s.state}, ${s.framesDecoded} frames decoded, ${s.audioPacketsReceived} audio packets`,
    });
  } catch (error) {
    if ('observation' in error) error.snapshot = error.observation;
    throw error;
  }
}

/** True once remote video has decoded `minFrames` frames, has a size, and audio arrives (a `waitFor` predicate). */
export const mediaFlowing = (minFrames) => ({
  test: (s, min) => s.framesDecoded >= min && s.videoWidth > 0 && s.audioPacketsReceived > 0,
  arg: minFrames,
});

/** Waits until the remote video and audio flow; see `mediaFlowing`. */
export function waitForMedia(page, { minFrames, deadline }) {
  return waitFor(page, mediaFlowing(minFrames), {
    deadline, what: `${minFrames} decoded frames with audio`,
  });
}

/** Waits for the call state to become `state`. */
export function waitForState(page, state, { deadline }) {
  return waitFor(page, (s, wanted) => s.state === wanted, { arg: state, deadline, what: `state "${state}"` });
}

/** Clicks the camera toggle and waits until the switch has finished. */
export async function switchCamera(page, { deadline }) {
  const before = (await snapshot(page)).cameraSwitches;
  await page.click('#camera');
  return waitFor(page, (s, switches) => !s.switching && s.cameraSwitches > switches, {
    arg: before, deadline, what: 'the camera switch to finish',
  });
}

/**
 * An init script (`openCallPage`'s `initScript`, with `video` as `initArg`) that keeps the page's
 * peer connections in window.peerConnections (for `videoStats`) and, for a benchmark, sets how
 * the page sends video without changing the web client (server/static, embedded in the relay):
 * - `startKbps` (and optionally `minKbps`, `maxKbps`): x-google-start-bitrate (-min-, -max-) are
 *   added to every H.264 a=fmtp line of each remote description the page applies. libwebrtc
 *   takes a sender's bitrates from the codec it sends with, which comes from the remote
 *   description, so each page munging what it receives covers both directions when both pages
 *   run this. There is no API for a start bitrate (setParameters has only a maximum).
 * - `degradationPreference` ('maintain-resolution', ...): set on the video sender as soon as the
 *   app adds its track (RTCRtpSender.setParameters). Measured here: with the start bitrate alone
 *   the answerer still began at 640x360 ("bandwidth") and took 10 s or more to reach 1280x720;
 *   with 'maintain-resolution' both send the camera's size from the first frame.
 */
export function observeCalls(video) {
  const params = [
    ['x-google-start-bitrate', video?.startKbps], ['x-google-min-bitrate', video?.minKbps],
    ['x-google-max-bitrate', video?.maxKbps],
  ].filter(([, kbps]) => kbps !== undefined && kbps !== null).map(([name, kbps]) => `${name}=${kbps}`);
  const munge = (sdp) => {
    const h264 = new Set([...sdp.matchAll(/^a=rtpmap:(\d+) H264\/90000/gim)].map((m) => m[1]));
    return sdp.replace(/^a=fmtp:(\d+) ([^\r\n]*)/gm, (line, pt, fmtp) => (!h264.has(pt) ? line
      : `a=fmtp:${pt} ${[...fmtp.split(';').filter((p) => !p.startsWith('x-google-')), ...params].join(';')}`));
  };
  const Native = window.RTCPeerConnection;
  window.peerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.peerConnections.push(this);
    }

    addTrack(track, ...streams) {
      const sender = super.addTrack(track, ...streams);
      if (track.kind === 'video' && video?.degradationPreference) {
        sender.setParameters({ ...sender.getParameters(), degradationPreference: video.degradationPreference })
          .catch((error) => console.error(`setParameters(degradationPreference) failed: ${error}`));
      }
      return sender;
    }

    setRemoteDescription(description, ...rest) {
      const munged = params.length > 0 && typeof description?.sdp === 'string'
        ? { type: description.type, sdp: munge(description.sdp) } : description;
      return super.setRemoteDescription(munged, ...rest);
    }
  };
}

/**
 * The video of the page's newest peer connection (kept by `observeCalls`) from getStats: what it
 * decodes and what it encodes and sends, with the call state and the time (ms). Runs in the page.
 */
export async function videoStats() {
  const out = { at: performance.now(), state: window.videochat.state, received: null, sent: null };
  const pc = window.peerConnections?.at(-1);
  if (!pc) return out;
  (await pc.getStats()).forEach((s) => {
    if (s.kind !== 'video') return;
    if (s.type === 'inbound-rtp') {
      out.received = {
        frames: s.framesDecoded ?? 0, width: s.frameWidth ?? 0, height: s.frameHeight ?? 0,
        bytes: s.bytesReceived ?? 0, decodeS: s.totalDecodeTime ?? 0, decoder: s.decoderImplementation ?? null,
      };
    } else if (s.type === 'outbound-rtp') {
      out.sent = {
        frames: s.framesSent ?? 0, width: s.frameWidth ?? 0, height: s.frameHeight ?? 0,
        bytes: s.bytesSent ?? 0, encodeS: s.totalEncodeTime ?? 0, encoder: s.encoderImplementation ?? null,
        targetBitrate: s.targetBitrate ?? null, qualityLimitation: s.qualityLimitationReason ?? null,
      };
    }
  });
  return out;
}

/**
 * Rates over a series of `videoStats` samples, counted while the call stayed connected (a peer
 * that leaves first does not lower the other's figures): received and sent fps, kbps, the
 * sizes seen and the last, decode and encode ms per frame.
 */
export function videoRates(samples) {
  const live = samples.filter((s) => s.state === 'connected' && s.received && s.sent);
  if (live.length < 2) return null;
  const [a, b] = [live[0], live.at(-1)];
  const seconds = (b.at - a.at) / 1000;
  const rate = (side, key) => Math.round(((b[side][key] - a[side][key]) / seconds) * 10) / 10;
  const perFrame = (side, key) => {
    const frames = b[side].frames - a[side].frames;
    return frames > 0 ? Math.round(((b[side][key] - a[side][key]) * 1000 * 10) / frames) / 10 : null;
  };
  const sizes = (side) => [...new Set(live.map((s) => `${s[side].width}x${s[side].height}`))];
  return {
    seconds: Math.round(seconds * 10) / 10,
    received: {
      fps: rate('received', 'frames'), kbps: Math.round((rate('received', 'bytes') * 8) / 1000),
      width: b.received.width, height: b.received.height, sizes: sizes('received'),
      decodeMsPerFrame: perFrame('received', 'decodeS'), decoder: b.received.decoder,
    },
    sent: {
      fps: rate('sent', 'frames'), kbps: Math.round((rate('sent', 'bytes') * 8) / 1000),
      width: b.sent.width, height: b.sent.height, sizes: sizes('sent'),
      encodeMsPerFrame: perFrame('sent', 'encodeS'), encoder: b.sent.encoder,
      targetKbps: b.sent.targetBitrate === null ? null : Math.round(b.sent.targetBitrate / 1000),
      qualityLimitation: b.sent.qualityLimitation,
    },
  };
}
