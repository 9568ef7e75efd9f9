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

/**
 * State, role, counters and timings from the page's hook, plus its media stats. Runs in the page
 * (through `snapshot` or as the probe of `waitFor`).
 */
async function pageSnapshot() {
  const h = window.videochat;
  return {
    state: h.state, detail: h.detail, room: h.room, role: h.role, facing: h.facing,
    switching: h.switching, securityCode: h.securityCode, ...h.counters, ...h.timings, ...(await h.stats()),
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
