// Shared harness for Zeren's browser tests: Debian's chromium driven by playwright-core.
//
// Run through ./run.sh, which builds and starts `zeren serve --demo` and sets ZEREN_URL.
// A test file:
//
//   import { test } from 'node:test';
//   import { useBrowser, shot } from './lib.mjs';
//   const b = useBrowser();                 // one chromium per file, closed after the file
//   test('…', async (t) => {
//     const page = await b.page(t);         // fresh context (cookies, storage) per test
//     await page.goto(b.url('/'));
//     await shot(page, 'landing');
//   });
//
// A journey as a demo user: `await b.page(t, { as: 'secretary' })` signs in through the
// login form first (DEMO_PASSWORD); `signIn(page, user, password)` does it on any page,
// e.g. after a redirect to /login. Two people at once: two `b.page(t, { as: … })`.
//
// Every page opened this way is watched: a console error, an uncaught exception or a
// failed request (4xx/5xx subresource, network error) fails the test when it ends, unless
// the test says it expects one (`b.page(t, { allowErrors: true })`).

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Where screenshots go (ignored by git). */
export const ARTIFACTS = process.env.ZEREN_ARTIFACTS ?? join(HERE, 'artifacts');

/** The running server, e.g. http://127.0.0.1:40123 (set by run.sh). */
export const BASE_URL = (process.env.ZEREN_URL ?? '').replace(/\/+$/, '');

/** Debian's chromium; `npx playwright install` cannot work on this machine. */
export const CHROMIUM = process.env.ZEREN_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags for chromium on this machine: as root, no GPU, and no background traffic to
 * Google's hosts (the closed network refuses it, noisily).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A 375-px phone (iPhone SE/8-class), for `b.page(t, PHONE)` or `phone(page)`. */
export const PHONE = Object.freeze({
  viewport: { width: 375, height: 667 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
});

/** A common laptop. */
export const DESKTOP = Object.freeze({
  viewport: { width: 1280, height: 800 },
});

/** Context defaults: a user in mainland China. Override per page. */
export const CONTEXT_DEFAULTS = Object.freeze({
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  ...DESKTOP,
});

/** The password of every demo account (crates/storage/src/demo.rs, DEMO_PASSWORD). */
export const DEMO_PASSWORD = 'Zeren@2026';

/** How long an action or wait may take before the test fails (ms). */
export const TIMEOUT = Number(process.env.ZEREN_BROWSER_TIMEOUT ?? 10_000);

/** An absolute URL on the server under test. */
export function url(path = '/') {
  if (!BASE_URL) {
    throw new Error('ZEREN_URL is not set: run the browser tests with tests/browser/run.sh');
  }
  return BASE_URL + (path.startsWith('/') ? path : `/${path}`);
}

/** Launches chromium with this machine's flags. Close it when done. */
export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * One browser for the calling test file: launched before its first test, closed after
 * its last. Returns `{ url, page(t, options), context(t, options), browser() }`.
 */
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  /** A fresh browser context (own cookies and storage), closed when test `t` ends. */
  async function context(t, options = {}) {
    assert.ok(browser, 'useBrowser(): the browser is not launched (call it at module level)');
    const { allowErrors, as: _as, ...contextOptions } = options;
    const ctx = await browser.newContext({ ...CONTEXT_DEFAULTS, ...contextOptions });
    ctx.setDefaultTimeout(TIMEOUT);
    ctx.setDefaultNavigationTimeout(TIMEOUT);
    const problems = [];
    ctx.on('page', (p) => watch(p, problems));
    t.after(async () => {
      await ctx.close();
      if (!allowErrors) {
        assert.deepEqual(problems, [], `the browser reported problems in "${t.name}"`);
      }
    });
    ctx.problems = problems;
    return ctx;
  }

  /**
   * A page in a fresh context (see `context`). `options` are playwright context options,
   * plus `as: 'username'` to sign in as that demo user first (on DEMO_PASSWORD, or
   * `password`), and `allowErrors`.
   */
  async function page(t, options = {}) {
    const { password, ...rest } = options;
    const ctx = await context(t, rest);
    const p = await ctx.newPage();
    if (options.as) await signIn(p, options.as, password ?? DEMO_PASSWORD);
    return p;
  }

  return { url, context, page, browser: () => browser };
}

/**
 * Signs in through the login form. If the page is not on /login already (say, after a
 * redirect from a page that needs sign-in), opens /login first. Waits until the browser
 * has left /login (to `next`, or home) and fails with the form's error otherwise.
 */
export async function signIn(page, username, password = DEMO_PASSWORD) {
  if (new URL(page.url(), 'http://x').pathname !== '/login') {
    await page.goto(url('/login'));
  }
  await page.locator('form[action="/login"] #username').fill(username);
  await page.locator('form[action="/login"] #password').fill(password);
  await Promise.all([
    page.waitForURL((u) => u.pathname !== '/login', { waitUntil: 'load' }).catch(async (e) => {
      const err = page.locator('.form-error');
      const why = (await err.count()) ? await err.first().innerText() : e.message;
      throw new Error(`signIn(${username}): still on /login: ${why}`);
    }),
    page.locator('form[action="/login"] button[type="submit"]').click(),
  ]);
  return page;
}

/** Records console errors, uncaught exceptions and failed requests of `page` in `problems`. */
function watch(page, problems) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium's own "Failed to load resource" lines are covered, with the URL, by the
    // network listeners below, which let an expected error *page* (a 404 document) pass
    // and leave out the browser's own /favicon.ico request (Zeren serves none yet).
    if (msg.text().startsWith('Failed to load resource')) return;
    const where = msg.location()?.url;
    problems.push(`console: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`exception: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A request cut short because the page navigated away is not a failure.
    if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText})`);
  });
  page.on('response', (res) => {
    // The document itself may be an expected error page; its subresources may not fail.
    if (res.status() >= 400 && res.request().resourceType() !== 'document') {
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    }
  });
}

/**
 * Saves a full-page screenshot as artifacts/NAME.png and prints its path (run.sh lists
 * them again at the end). Returns the path.
 */
export async function shot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

/** Resizes an open page to the 375-px phone (for a page opened at desktop size). */
export async function phone(page) {
  await page.setViewportSize(PHONE.viewport);
}

/**
 * Horizontal overflow of the document: `{ scrollWidth, clientWidth, offenders }`, where
 * `offenders` lists (up to 10) elements whose right edge passes the viewport, outside a
 * scroll container. Use with `assertNoHorizontalScroll`.
 */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const doc = document.scrollingElement ?? document.documentElement;
    const width = doc.clientWidth;
    const offenders = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right <= width + 1 || r.width === 0) continue;
      // Inside an element that scrolls sideways itself (e.g. .table-wrap): fine.
      let scroller = el.parentElement;
      while (scroller && scroller !== document.body) {
        const ox = getComputedStyle(scroller).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') break;
        scroller = scroller.parentElement;
      }
      if (scroller && scroller !== document.body) continue;
      const id = el.id ? `#${el.id}` : '';
      const cls = el.classList.length ? `.${[...el.classList].join('.')}` : '';
      offenders.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
      if (offenders.length >= 10) break;
    }
    return { scrollWidth: doc.scrollWidth, clientWidth: width, offenders };
  });
}

/** Fails unless the page fits its viewport's width (1 px of rounding allowed). */
export async function assertNoHorizontalScroll(page) {
  const width = page.viewportSize()?.width;
  const o = await horizontalOverflow(page);
  assert.ok(
    o.scrollWidth <= width + 1,
    `page scrolls sideways at ${width}px: scrollWidth=${o.scrollWidth}; ` +
      `overflowing: ${o.offenders.join(', ') || '(none found)'}`,
  );
}

/** The visible text of `selector` (default: the whole body), whitespace collapsed. */
export async function text(page, selector = 'body') {
  const s = await page.locator(selector).first().innerText();
  return s.replace(/\s+/g, ' ').trim();
}
