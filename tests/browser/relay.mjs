// Starts the real relay process (target/debug/videochat-server) on a free loopback port for the
// tests, building it first when it is missing or older than its sources.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_DIR = process.env.CARGO_TARGET_DIR ?? join(REPO_ROOT, 'target');
const SERVER_BIN = process.env.VIDEOCHAT_SERVER_BIN ?? join(TARGET_DIR, 'debug', 'videochat-server');
const SOURCES = ['server/src', 'server/static', 'server/Cargo.toml', 'core/protocol/src'];
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Runs `cargo build -p videochat-server` unless the binary is newer than its sources. */
export function ensureServerBuilt() {
  if (process.env.VIDEOCHAT_SERVER_BIN) return SERVER_BIN;
  const built = existsSync(SERVER_BIN) ? statSync(SERVER_BIN).mtimeMs : 0;
  const sources = Math.max(...SOURCES.map((p) => newestMtime(join(REPO_ROOT, p))));
  if (built < sources) {
    const cargo = spawnSync('cargo', ['build', '-q', '-p', 'videochat-server'], {
      cwd: REPO_ROOT, stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (cargo.status !== 0) throw new Error('cargo build -p videochat-server failed');
  }
  return SERVER_BIN;
}

/**
 * The relay for a test run: VIDEOCHAT_RELAY_URL if set (a relay you started yourself),
 * otherwise a fresh `videochat-server --listen 127.0.0.1:0`. Resolves to { url, stop }.
 */
export async function startRelay() {
  if (process.env.VIDEOCHAT_RELAY_URL) return { url: process.env.VIDEOCHAT_RELAY_URL, stop() {} };
  const child = spawn(ensureServerBuilt(), ['--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logTail = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    logTail.push(line);
    if (logTail.length > 20) logTail.shift();
  });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('the relay did not say where it listens')), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`the relay exited (${code}): ${logTail.join(' | ')}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening on (https?:\/\/\S+)/.exec(line);
      if (match) resolveUrl(match[1]);
      else reject(new Error(`unexpected first line from the relay: ${line}`));
    });
  });
  lines.on('line', () => {}); // keep draining stdout so the relay never blocks on it
  return {
    url,
    stop: () => new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      // SIGTERM ends the relay at once; should it not, SIGKILL does.
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      child.kill('SIGTERM');
    }),
  };
}
