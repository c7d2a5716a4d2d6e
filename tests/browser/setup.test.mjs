// First run without `--org-code`, in Debian's chromium: the security administrator designates
// the first org administrator (首位组织管理员), who signs in, is sent to /setup, creates the root
// org there and finds the getting-started page of the tree they now keep.
//
// Like roster.test.mjs, this file makes its own installation (no demo data, no org at all) in a
// temporary directory and serves it on a free loopback port with `--clock 2026-11-28`. The tests
// run in order on that one installation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  useBrowser,
  signIn,
  shot,
  text,
  checkA11y,
  phone,
  assertNoHorizontalScroll,
  DESKTOP,
} from './lib.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Built by run.sh (`cargo build -p zeren`) before the tests run. */
const BIN = resolve(HERE, '../../target/debug/zeren');
const TODAY = '2026-11-28';
const ADMIN_PASSWORD = 'Init-Pass-2026!';
const SEC_PASSWORD = 'Sec-Admin-Quiet-2026!';
const FOUNDER = { username: 'founder', name: '组织部王老师', password: 'Green-Hill-4821!' };
const ROOT = { code: 'xyz', name: '某大学党委' };

const b = useBrowser();

// ---------------------------------------------------------------------------------------
// The installation: init, the keeper account, `zeren serve` on a free port.
// ---------------------------------------------------------------------------------------

let tmp;
let server;
let serverLog = '';
let base = '';

/** An absolute URL on this file's own server. */
function at(path) {
  assert.ok(base, 'the fresh server is not running');
  return base + path;
}

/** Runs `zeren --data-dir … ARGS` (with `input` on stdin); fails with its stderr unless it exits 0. */
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

/** A free loopback port: the kernel picks one, we release it and hand it to zeren. */
function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} is missing: run the browser tests with tests/browser/run.sh`);
  tmp = mkdtempSync(join(tmpdir(), 'zeren-setup-'));
  // No --org-code: an installation without any org, which says how the root comes to be.
  const init = zeren(['init', '--admin-password', ADMIN_PASSWORD]);
  assert.match(init, /尚无任何组织/);
  // The security administrator's password set on the server (三员分立: by the command line).
  zeren(['user', 'passwd', 'secadmin'], `${SEC_PASSWORD}\n`);

  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  server = spawn(BIN, ['--data-dir', join(tmp, 'data'), 'serve', '--clock', TODAY, '--addr', addr], {
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

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** Runs `action` (a click, a submit) and waits until the page it navigates to has loaded. */
async function navigating(page, action) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return res;
}

/** The path (and query) of the page's URL. */
function pathOf(page) {
  const u = new URL(page.url());
  return u.pathname + u.search;
}


/** Signs in on this file's server, and sets a new password when the account must first. */
async function signInHere(page, username, password, next) {
  await page.goto(at('/login'));
  await signIn(page, username, password);
  if (pathOf(page).startsWith('/account/password')) {
    await page.locator('#current').fill(password);
    await page.locator('#new').fill(next);
    await page.locator('#confirm').fill(next);
    await navigating(page, () => page.locator('form[action^="/account/password"] button[type="submit"]').click());
  }
}

let temporary = '';

test('the security administrator designates the first org administrator; nobody else may found', async (t) => {
  const page = await b.page(t);
  await signInHere(page, 'secadmin', SEC_PASSWORD, SEC_PASSWORD + 'x');
  await page.goto(at('/admin/accounts'));
  assert.match(await text(page, '#founder-note'), /尚未建立任何组织/);
  await shot(page, 'setup-1-accounts-no-org');
  // Not theirs to found: an administrator keeps no business data.
  const refused = await page.goto(at('/setup'));
  assert.equal(refused?.status(), 403);
  await page.goto(at('/admin/accounts'));
  await page.locator('#username').fill(FOUNDER.username);
  await page.locator('#display_name').fill(FOUNDER.name);
  await page.locator('#founder').check();
  await shot(page, 'setup-2-founder-ticked');
  await navigating(page, () => page.locator('form[action="/admin/accounts"] button[type="submit"]').click());
  temporary = (await text(page, '#temporary-password')).trim();
  assert.ok(temporary.length >= 8, `a temporary password is shown once: ${temporary}`);
  await shot(page, 'setup-3-founder-created');
  await page.goto(at('/admin/accounts'));
  assert.match(await text(page, '#founder-note'), /已指定 founder 为首位组织管理员/);
});

test('the founder is sent to /setup, is told a bad code at its field, and creates the root org', async (t) => {
  assert.ok(temporary, 'the founder account was made by the test before');
  const page = await b.page(t);
  await signInHere(page, FOUNDER.username, temporary, FOUNDER.password);
  await page.goto(at('/'));
  assert.equal(pathOf(page), '/setup');
  assert.equal(await text(page, 'h1'), '建立顶端组织');
  await shot(page, 'setup-4-first-run-page');

  await page.locator('#code').fill('XYZ 大学');
  await page.locator('#name').fill(ROOT.name);
  const bad = await navigating(page, () => page.locator('form[action^="/setup"] button[type="submit"]').click());
  assert.equal(bad?.status(), 422);
  assert.match(await text(page, '#code-error'), /XYZ 大学/);
  assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#name').inputValue(), ROOT.name, 'what was typed is kept');
  await shot(page, 'setup-5-bad-code');

  await page.locator('#code').fill(ROOT.code);
  await navigating(page, () => page.locator('form[action^="/setup"] button[type="submit"]').click());
  assert.equal(pathOf(page), `/orgs/${ROOT.code}/start`);
  await shot(page, 'setup-6-getting-started');
  // The root org, kept by its founder: the orgs page lists it; /setup has done its work.
  await page.goto(at('/orgs'));
  assert.match(await text(page, 'main'), new RegExp(ROOT.name));
  await page.goto(at('/setup'));
  assert.equal(pathOf(page), '/orgs');
  // Home is home, and says what the role allows.
  await page.goto(at('/'));
  assert.equal(pathOf(page), '/');
  assert.match(await text(page, '.roles'), /组织人事管理员/);
  await page.locator('#role-help summary').click();
  assert.match(await text(page, '#role-help'), /维护所辖范围的组织机构/);
  await shot(page, 'setup-7-home-role-help');
});
