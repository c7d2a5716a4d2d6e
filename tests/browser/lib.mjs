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
//
// Every page is also checked for accessibility, with no opt-out: each document the browser
// loads is run through axe-core against WCAG 2.1 levels A and AA (A11Y_TAGS) as soon as it
// has loaded, and any violation fails the test when it ends, naming the rule, its impact, the
// page, the signed-in user and the offending elements. GB/T 37668-2019 (信息技术 互联网内容无障碍
// 可访问性技术要求与测试方法) asks the same of public-sector web systems, and cites the same
// success criteria. The navigation waits (`goto`, `waitForURL`, `waitForNavigation`, `reload`,
// `goBack`, `goForward`, `waitForLoadState`) return only once the new page is checked, so the
// check never races the test; a page left before its check could finish fails the test too.
// A state reached without navigating (a disclosure opened, a field filled) is checked on
// request: `await checkA11y(page, { again: true })`. The pages checked are listed in
// artifacts/a11y-checked.tsv (role, path, violations).

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));

/** axe-core (tests/browser/package.json), evaluated into each page it checks. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The axe-core rule tags every page must pass: WCAG 2.0 and 2.1, levels A and AA (the level
 * GB/T 37668-2019 requires as well).
 */
export const A11Y_TAGS = Object.freeze(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);

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

/**
 * Context defaults: a user in mainland China. Override per page.
 *
 * The app's Content-Security-Policy stays enforced (no `bypassCSP`): axe-core is evaluated
 * through the DevTools protocol (`page.evaluate`), which the CSP does not govern, whereas a
 * bypassed CSP would also silence the console errors by which the watcher below catches a
 * page breaking the policy (an inline script or style, a resource from another origin).
 */
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
    const a11y = { findings: [], pages: [] };
    ctx.on('page', (p) => {
      watch(p, problems);
      watchA11y(p, a11y);
    });
    t.after(async () => {
      // Checks still running (a page opened or navigated without a wait) end first.
      await Promise.all(a11y.pages.map((s) => settled(s)));
      await ctx.close();
      if (!allowErrors) {
        assert.deepEqual(problems, [], `the browser reported problems in "${t.name}"`);
      }
      assert.deepEqual(
        a11y.findings,
        [],
        `accessibility (WCAG 2.1 AA, axe-core ${AXE_VERSION}) fails in "${t.name}"`,
      );
    });
    ctx.problems = problems;
    ctx.a11y = a11y;
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
    watchA11y(p, ctx.a11y); // already done by the context's 'page' event; made sure of here
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
  const a11y = A11Y.get(page);
  if (a11y) a11y.user = username; // the role the pages from here on are checked as
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
  const a11y = A11Y.get(page);
  if (a11y) await settled(a11y); // not in the middle of an accessibility check
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

// ---------------------------------------------------------------------------------------
// Accessibility: axe-core on every page (see the head of this file).
// ---------------------------------------------------------------------------------------

const AXE_VERSION = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('axe-core/package.json'), 'utf8'),
).version;

/** The navigation waits of a page that return only once the page reached is checked. */
const NAV_WAITS = [
  'goto',
  'reload',
  'goBack',
  'goForward',
  'waitForNavigation',
  'waitForURL',
  'waitForLoadState',
];

/** The demo accounts by the name the header shows (crates/storage/src/demo.rs). */
const DEMO_USERS = Object.freeze({
  李明华: 'secretary',
  赵敏: 'leader',
  刘佳: 'staff',
  郑晓东: 'branch',
  马文涛: 'supervisor',
  钱纪明: 'discipline',
  陶然: 'keeper',
  系统管理员: 'sysadmin',
  安全管理员: 'secadmin',
  安全审计员: 'auditor',
});

/** Per page: `{ report, inflight, user }`; `report` is the context's `{ findings, pages }`. */
const A11Y = new WeakMap();

/**
 * Checks every document `page` loads (on its `load` event), and makes its navigation waits
 * return only once the page they reached is checked. Findings go to `report.findings`.
 */
function watchA11y(page, report) {
  if (A11Y.has(page)) return;
  const state = { report, inflight: new Set(), user: null };
  A11Y.set(page, state);
  report.pages.push(state);
  page.on('load', () => track(state, checkDocument(page, state, false)));
  for (const name of NAV_WAITS) {
    const original = page[name].bind(page);
    page[name] = async (...args) => {
      const result = await original(...args);
      await checkA11y(page);
      return result;
    };
  }
}

function track(state, promise) {
  state.inflight.add(promise);
  promise.finally(() => state.inflight.delete(promise));
}

/** Waits until no check of the page is running. */
async function settled(state) {
  while (state.inflight.size) await Promise.allSettled([...state.inflight]);
}

/**
 * Checks the page's current document now, unless it is checked already (every loaded page
 * is, by itself), and waits for the check. `{ again: true }` checks it anew, for a state
 * reached without navigating. Findings fail the test at its end; they are also returned.
 */
export async function checkA11y(page, { again = false } = {}) {
  const state = A11Y.get(page);
  assert.ok(state, 'checkA11y(): the page was not opened through useBrowser()');
  if (again) await settled(state); // axe-core runs one check at a time in a page
  const mine = checkDocument(page, state, again);
  track(state, mine);
  await settled(state);
  return mine;
}

/** Runs axe-core in the page's current document (once per document unless `again`). */
async function checkDocument(page, state, again) {
  const url = page.url();
  try {
    // Claim the document: a second call for the same one (the load event and a navigation
    // wait both ask) leaves it to the first.
    const needed = await page.evaluate((again) => {
      const claimed = window.__zerenA11yClaimed === true;
      window.__zerenA11yClaimed = true;
      return again || !claimed ? (typeof window.axe === 'undefined' ? 'inject' : 'run') : 'skip';
    }, again);
    if (needed === 'skip') return [];
    if (needed === 'inject') await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(async (tags) => {
      const r = await window.axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        resultTypes: ['violations'],
      });
      return {
        url: location.pathname + location.search,
        who: document.querySelector('.who-am-i')?.textContent.trim() ?? null,
        title: document.title,
        violations: r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.map(String).join(' ')),
        })),
      };
    }, [...A11Y_TAGS]);
    const role = result.who === null ? 'visitor' : (DEMO_USERS[result.who] ?? state.user ?? result.who);
    const where = `${result.url} as ${role}`;
    const findings = result.violations.map((v) => {
      const nodes = v.nodes.slice(0, 6).join(' | ') + (v.nodes.length > 6 ? ` | … (${v.nodes.length} in all)` : '');
      return `${v.id} (${v.impact}) on ${where}: ${v.help} — ${nodes}`;
    });
    // The page's title is text, not markup (a template once left a section in it).
    if (/[<>]/.test(result.title)) {
      findings.push(`page-title-markup (serious) on ${where}: the title holds markup — ${JSON.stringify(result.title)}`);
    }
    state.report.findings.push(...findings);
    record(role, result.url, findings.map((f) => f.split(' ')[0]));
    return findings;
  } catch (e) {
    // The page navigated (or closed) while it was being checked: it is not covered.
    const finding = `not-checked on ${url}: the page was left before its accessibility check ended; ` +
      `wait for the navigation that opened it (${e.message.split('\n')[0]})`;
    state.report.findings.push(finding);
    return [finding];
  }
}

/** One line per checked document in artifacts/a11y-checked.tsv: role, path, rules failed. */
function record(role, path, rules) {
  mkdirSync(ARTIFACTS, { recursive: true });
  appendFileSync(join(ARTIFACTS, 'a11y-checked.tsv'), `${role}\t${path}\t${rules.join(',') || '-'}\n`);
}
