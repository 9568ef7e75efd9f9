// Drives the relay's web client in headless Chromium (Debian's /usr/bin/chromium) with a fake
// camera and microphone. Used by the browser-peer CLI and the node tests; it reads the page
// through its read-only hook, window.videochat (server/static/app.js).

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

const POLL_MS = 100;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Launches headless Chromium with a fresh temporary profile (removed on close). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
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
 * `initScript` runs in the page before the app (tests use it to observe the peer connection).
 */
export async function openCallPage(browser, base, room, { log, initScript } = {}) {
  const context = await browser.newContext({ viewport: { width: 960, height: 600 } });
  const page = await context.newPage();
  if (initScript) await page.addInitScript(initScript);
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

/** State, role, counters and timings from the page's hook, plus its media stats. */
export function snapshot(page) {
  return page.evaluate(async () => {
    const h = window.videochat;
    return {
      state: h.state, detail: h.detail, room: h.room, role: h.role, facing: h.facing,
      switching: h.switching, securityCode: h.securityCode, ...h.counters, ...h.timings, ...(await h.stats()),
    };
  });
}

/** Polls `snapshot` until `done(snap)` holds; throws with the last snapshot at the deadline. */
export async function waitFor(page, done, { deadline, what }) {
  let snap;
  for (;;) {
    snap = await snapshot(page);
    if (done(snap)) return snap;
    if (Date.now() >= deadline) {
      const error = new Error(`timed out waiting for ${what} (state ${snap.state}, ` +
        `${snap.framesDecoded} frames decoded, ${snap.audioPacketsReceived} audio packets)`);
      error.snapshot = snap;
      throw error;
    }
    await sleep(POLL_MS);
  }
}

/** True once remote video has decoded `minFrames` frames, has a size, and audio arrives. */
export const mediaFlowing = (minFrames) => (s) =>
  s.framesDecoded >= minFrames && s.videoWidth > 0 && s.audioPacketsReceived > 0;

/** Waits until the remote video and audio flow; see `mediaFlowing`. */
export function waitForMedia(page, { minFrames, deadline }) {
  return waitFor(page, mediaFlowing(minFrames), {
    deadline, what: `${minFrames} decoded frames with audio`,
  });
}

/** Waits for the call state to become `state`. */
export function waitForState(page, state, { deadline }) {
  return waitFor(page, (s) => s.state === state, { deadline, what: `state "${state}"` });
}

/** Clicks the camera toggle and waits until the switch has finished. */
export async function switchCamera(page, { deadline }) {
  const before = (await snapshot(page)).cameraSwitches;
  await page.click('#camera');
  return waitFor(page, (s) => !s.switching && s.cameraSwitches > before, {
    deadline, what: 'the camera switch to finish',
  });
}
