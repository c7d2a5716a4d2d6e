// A fresh installation of its own for a test file that must not share run.sh's demo server:
// a temporary data dir, set up with the `zeren` command line, served with a fixed clock on a
// free loopback port, and removed after the file's tests.
//
//   const fresh = useFreshInstallation('zeren-roster-', (zeren) => {
//     zeren(['init', '--org-code', 'xyz', '--org-name', '某大学党委']);
//   });
//   await page.goto(fresh.at('/login'));
//
// A third argument `{ serveArgs }` adds arguments to `zeren serve` (e.g. `['--demo',
// '--allow-local-directory']`); `fresh.clockShift()` is the server's clock less this machine's
// (ms, negative when `--clock` is in the past), for a stand-in that must stamp times the server
// believes.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Built by run.sh (`cargo build -p zeren`) before the tests run. */
const BIN = resolve(HERE, '../../target/debug/zeren');
/** The day the fresh server's clock is fixed at, as run.sh's demo. */
export const TODAY = '2026-11-28';

/** A free loopback port: the kernel picks one, we release it and hand it to zeren. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Registers the file's `before` (a data dir named with `prefix`, `setup(zeren)` run on it,
 * `zeren serve` started and answering) and `after` (the server stopped, the dir removed).
 * Returns `at(path)`, an absolute URL on that server, and `zeren(args, input)`, which runs the
 * command line on the same data dir and fails with its stderr unless it exits 0.
 */
export function useFreshInstallation(prefix, setup, { serveArgs = [] } = {}) {
  let tmp;
  let server;
  let serverLog = '';
  let base = '';
  let startedAt = 0;

  function zeren(args, input) {
    const all = ['--data-dir', join(tmp, 'data'), ...args];
    const r = spawnSync(BIN, all, { input, encoding: 'utf8', timeout: 60_000 });
    assert.equal(
      r.status,
      0,
      `zeren ${all.join(' ')} exited ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}\n` +
        `stderr:\n${r.stderr}\nstdout:\n${r.stdout}`,
    );
    return r.stdout;
  }

  before(async () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run the browser tests with tests/browser/run.sh`);
    tmp = mkdtempSync(join(tmpdir(), prefix));
    await setup(zeren);
    const port = await freePort();
    const addr = `127.0.0.1:${port}`;
    // `--clock` starts the server's time at noon (Asia/Shanghai) of TODAY as it starts.
    startedAt = Date.now();
    server = spawn(BIN, ['--data-dir', join(tmp, 'data'), 'serve', '--clock', TODAY, '--addr', addr, ...serveArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout.on('data', (d) => (serverLog += d));
    server.stderr.on('data', (d) => (serverLog += d));
    // Wait (at most 30 s) for GET /api/v1/health to answer 200.
    const health = `http://${addr}/api/v1/health`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      assert.equal(server.exitCode, null, `zeren serve exited (${server.exitCode}) before it answered; its log:\n${serverLog}`);
      const ok = await fetch(health).then((r) => r.status === 200, () => false);
      if (ok) break;
      assert.ok(Date.now() < deadline, `zeren did not answer ${health} within 30 s; its log:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    base = `http://${addr}`;
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  return {
    at(path) {
      assert.ok(base, 'the fresh server is not running');
      return base + path;
    },
    zeren,
    /**
     * The server's clock less this machine's, in ms (off by the few ms between the spawn and
     * the server reading its clock). The server's now: Date.now() + this.
     */
    clockShift() {
      assert.ok(startedAt, 'the fresh server is not running');
      return Date.parse(`${TODAY}T12:00:00+08:00`) - startedAt;
    },
    /** What the server has printed so far (stdout and stderr). */
    log() {
      return serverLog;
    },
  };
}

/** Runs `action` (a click, a submit) and waits until the page it navigates to has loaded. */
export async function navigating(page, action) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return res;
}

/** The path (and query) of the page's URL. */
export function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}
