// The pages that security issue 10 changed, walked in Debian's chromium against
// `zeren serve --demo --clock 2026-11-28` (see run.sh):
//
//   1. the second factor as `leader`: set up (a wrong code first), signing in with it (a wrong
//      code first), the replace and turn-off forms, turned off with a current code;
//   2. a session that owes its second factor (`supervisor`) reaches nothing but the code form;
//   3. the security administrator: administrator accounts are managed on the server, and a
//      business account's lost second factor (`discipline`) is turned off;
//   4. the system administrator: the allowed robot hosts, a host saved, an internal IP refused;
//   5. the auditor: a business record's audit entry shows a digest, not its content;
//   6. a wrong password and an unknown name answer alike;
//   7. the same pages in English keep no Chinese words of their own.
//
// 3b and 5b were found by these journeys and fixed (the enrolment code signed in again; the audit
// log's table on a phone took no keyboard focus).
//
// Codes: the authenticator is played here (RFC 6238: HMAC-SHA1, 30-s steps, 6 digits), from the
// secret the setup page shows. The server's clock is not the machine's: `--clock` starts it at
// noon of 2026-11-28 (Asia/Shanghai) and it runs on in real time from there, while the HTTP
// `Date` header carries the machine's real time and GET /api/v1/health no time at all. The
// offset is read once from the audit log instead: the auditor signs in, and the `at_ms` of
// that sign-in's entry in GET /api/v1/audit, less the machine's time of the request, is the
// offset (known to within the request's duration). A code is only ever taken from a step later
// than the last one used for the account (the step now or the next), and not near a step's
// edge; the server accepts one step of drift either way, so an offset wrong by a few seconds is
// harmless.
//
// Shared server: each journey uses its own demo accounts, and every second factor turned on
// here is turned off again (by the security administrator if a journey fails half-way), so the
// other files' sign-ins are not sent to the code form. Journey 1 uses `leader`, whom
// journeys.test.mjs also signs in as: node runs the test files one after the other here (its
// default concurrency on a 2-core machine is 1). Failed sign-ins stay few (at most two an
// account, six in all from this file), far below the per-address throttle of 30 in 15 minutes
// and the per-account lockout after 5.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import {
  useBrowser,
  shot,
  signIn,
  text,
  checkA11y,
  phone,
  PHONE,
  assertNoHorizontalScroll,
  DEMO_PASSWORD,
  DESKTOP,
} from './lib.mjs';

const b = useBrowser();

/** Runs `action` (a click, a submit) and waits until the page it navigates to has loaded. */
async function navigating(page, action) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return res;
}

/** The path of the page's URL. */
function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** A screenshot of the page at 375 px, which must not scroll sideways; then the laptop again. */
async function atPhoneWidth(page, name) {
  await phone(page);
  await shot(page, name);
  await assertNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP.viewport);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// The authenticator.
// ---------------------------------------------------------------------------------------

/** RFC 4648 base32 (no padding needed; spaces and case ignored) to bytes. */
function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of s.replace(/[\s=]/g, '').toUpperCase()) {
    const i = alphabet.indexOf(c);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(c)} in ${s}`);
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits) of `key` for 30-s step `step`. */
function codeOfStep(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// The RFC's own test vector (secret "12345678901234567890", T = 59 s): the helpers are right.
assert.equal(codeOfStep(base32Decode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), Math.floor(59 / 30)), '287082');

const STEP_MS = 30_000;

/** The server's clock minus the machine's (ms), measured once per file (see the file's head). */
let serverOffset = null;

async function measureServerOffset(t) {
  if (serverOffset !== null) return serverOffset;
  const page = await b.page(t);
  await page.goto(b.url('/login'));
  await page.locator('#username').fill('auditor');
  await page.locator('#password').fill(DEMO_PASSWORD);
  const before = Date.now();
  await navigating(page, () => page.locator('form[action="/login"] button[type="submit"]').click());
  const after = Date.now();
  assert.equal(pathOf(page), '/audit', 'the auditor lands on the audit log');
  const res = await page.request.get(b.url('/api/v1/audit?actor=auditor&action=login.success'));
  assert.equal(res.status(), 200);
  const entries = (await res.json()).entries;
  const mine = entries.filter((e) => e.actor === 'auditor' && e.action === 'login.success');
  assert.ok(mine.length > 0, 'the auditor’s sign-in is in the audit log');
  const newest = mine.reduce((a, e) => (e.seq > a.seq ? e : a));
  serverOffset = newest.at_ms - Math.round((before + after) / 2);
  // The server's day is the demo clock's (or a day or so later, on a long run).
  assert.match(new Date(Date.now() + serverOffset + 8 * 3600_000).toISOString(), /^2026-1[12]-/);
  console.log(`server clock: machine ${serverOffset >= 0 ? '+' : ''}${serverOffset} ms (±${after - before} ms)`);
  return serverOffset;
}

/** An authenticator app holding `secret` (base32), on the server's clock. */
class Authenticator {
  constructor(secret, offset) {
    this.key = base32Decode(secret);
    this.offset = offset;
    this.lastStep = -Infinity;
  }

  /**
   * A code of a step after the last one used: the step now, or else the next one (an
   * authenticator a step ahead, within the drift the server accepts), taken at least 3 s from
   * either edge of the step now. Two codes a step, so the journeys wait for the clock rarely.
   */
  async fresh() {
    for (;;) {
      const now = Date.now() + this.offset;
      const step = Math.floor(now / STEP_MS);
      const into = now - step * STEP_MS;
      const usable = [step, step + 1].find((s) => s > this.lastStep);
      if (usable !== undefined && into >= 3_000 && into <= STEP_MS - 5_000) {
        this.lastStep = usable;
        return codeOfStep(this.key, usable);
      }
      await sleep(usable !== undefined && into < 3_000 ? 3_000 - into : STEP_MS - into + 3_000);
    }
  }

  /** A six-digit code that no step near now (±3) has: wrong whatever the drift. */
  wrong() {
    const step = Math.floor((Date.now() + this.offset) / STEP_MS);
    const near = new Set([-3, -2, -1, 0, 1, 2, 3].map((d) => codeOfStep(this.key, step + d)));
    for (let n = 123456; ; n = (n + 111_111) % 1_000_000) {
      const code = String(n).padStart(6, '0');
      if (!near.has(code)) return code;
    }
  }
}

/** The notice of a page (`.notice[role=status]`), or '' if none. */
async function notice(page) {
  const n = page.locator('main .notice[role="status"]');
  return (await n.count()) ? text(page, 'main .notice[role="status"]') : '';
}

/**
 * Turns the second factor on for the account signed in on `page`, through /account/totp, and
 * returns its authenticator. Leaves the page on /account?changed=totp-on.
 */
async function enrol(t, page) {
  const offset = await measureServerOffset(t);
  await page.goto(b.url('/account/totp'));
  assert.equal(await text(page, 'h1'), '设置双因素验证');
  const secret = await page.locator('#totp-secret').innerText();
  const auth = new Authenticator(secret, offset);
  await page.locator('#code').fill(await auth.fresh());
  await navigating(page, () => page.locator('form[action="/account/totp"] button[type="submit"]').click());
  assert.equal(pathOf(page) + new URL(page.url()).search, '/account?changed=totp-on');
  return auth;
}

/** As the security administrator: the account page of `username` (from the accounts list). */
async function openAccount(page, username) {
  await page.goto(b.url('/admin/accounts'));
  const link = page.locator('table.admin-accounts tbody td:first-child a', { hasText: new RegExp(`^${username}$`) });
  assert.equal(await link.count(), 1, `${username} is listed on /admin/accounts`);
  await navigating(page, () => link.click());
  assert.match(pathOf(page), /^\/admin\/accounts\/[^/]+$/);
  assert.match(await text(page, 'h1'), new RegExp(`^${username} `));
}

const RESET_BUTTON = '关闭双因素验证（验证器丢失时）';

/**
 * The security administrator turns `username`'s second factor off if it is still on: the end
 * of journey 2, and the cleanup after a journey that failed half-way, so that no other test is
 * sent to the code form.
 */
async function resetIfStillOn(t, username) {
  const page = await b.page(t, { as: 'secadmin' });
  await openAccount(page, username);
  const button = page.getByRole('button', { name: RESET_BUTTON });
  if (await button.count()) {
    await navigating(page, () => button.click());
    console.log(`secadmin turned ${username}'s second factor off`);
  }
}

// ---------------------------------------------------------------------------------------
// The journeys.
// ---------------------------------------------------------------------------------------

test('1. second factor (leader): set up, sign in with it, replace and turn-off forms, turned off', async (t) => {
  const offset = await measureServerOffset(t);
  const page = await b.page(t, { as: 'leader' });
  let on = false;
  try {
    // The account page says the second factor is off, and links to its setup.
    await page.goto(b.url('/account'));
    assert.equal(await text(page, 'h1'), '我的账号');
    const security = page.locator('main p', { hasText: '双因素验证' });
    assert.match(await security.innerText(), /^双因素验证未启用。 立即设置/);
    const setupLink = security.locator('a[href="/account/totp"]');
    assert.equal(await setupLink.innerText(), '立即设置');
    await shot(page, 'security1-1-account-totp-off');

    // The setup page: a QR code, the secret as text and as the form's hidden field, the link.
    await navigating(page, () => setupLink.click());
    assert.equal(pathOf(page), '/account/totp');
    assert.equal(await text(page, 'h1'), '设置双因素验证');
    const qr = page.locator('#totp-qr svg');
    assert.equal(await qr.count(), 1, 'the QR code is an inline svg');
    assert.equal(await qr.getAttribute('role'), 'img');
    assert.equal(await qr.getAttribute('aria-label'), '用身份验证器应用扫描此二维码');
    const qrBox = await qr.boundingBox();
    assert.ok(qrBox && qrBox.width >= 150 && qrBox.height >= 150, `the QR code is big enough: ${JSON.stringify(qrBox)}`);
    const secret = await page.locator('#totp-secret').innerText();
    assert.match(secret, /^[A-Z2-7]{32}$/, 'a 160-bit base32 secret');
    assert.equal(await page.locator('form[action="/account/totp"] input[type="hidden"][name="secret"]').inputValue(), secret);
    const uri = await page.locator('#totp-uri').innerText();
    assert.match(uri, /^otpauth:\/\/totp\/Zeren:leader\?/);
    assert.equal(new URL(uri).searchParams.get('secret'), secret);
    assert.equal(new URL(uri).searchParams.get('issuer'), 'Zeren');
    // Not replacing: one code field, no current-code field, no turn-off form.
    assert.equal(await page.locator('#current').count(), 0);
    assert.equal(await page.locator('form[action="/account/totp/off"]').count(), 0);
    assert.equal(await page.locator('label[for="code"]').innerText(), '动态码');
    await shot(page, 'security1-2-totp-setup');
    await atPhoneWidth(page, 'security1-2-totp-setup-375');
    // Opening the page stored nothing: the account page still says off, and a second visit
    // shows another secret.
    const again = await b.page(t, { as: 'leader' });
    await again.goto(b.url('/account/totp'));
    assert.notEqual(await again.locator('#totp-secret').innerText(), secret);
    await again.goto(b.url('/account'));
    assert.match(await text(again, 'main'), /双因素验证未启用。/);
    await again.close();

    // A wrong code: 422, the error next to the code field, the same secret still shown.
    const auth = new Authenticator(secret, offset);
    await page.locator('#code').fill(auth.wrong());
    const refused = await navigating(page, () =>
      page.locator('form[action="/account/totp"] button[type="submit"]').click(),
    );
    assert.equal(refused?.status(), 422);
    assert.equal(pathOf(page), '/account/totp');
    assert.equal(await text(page, '#code-error'), '动态码不正确或已使用，请重试。');
    assert.equal(await page.locator('#code-error').getAttribute('role'), 'alert');
    assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#code').getAttribute('aria-describedby'), 'code-error');
    assert.equal(await page.locator('#totp-secret').innerText(), secret, 'the same secret is shown again');
    assert.equal(await page.locator('input[name="secret"]').inputValue(), secret);
    // The error sits between the field's label and the field.
    const order = await page.evaluate(() => {
      const els = [...document.querySelectorAll('label[for="code"], #code-error, #code')];
      return els.map((e) => e.id || e.tagName.toLowerCase());
    });
    assert.deepEqual(order, ['label', 'code-error', 'code']);
    await shot(page, 'security1-3-totp-setup-wrong-code');

    // The right code: on, with a notice on the account page.
    await page.locator('#code').fill(await auth.fresh());
    await navigating(page, () => page.locator('form[action="/account/totp"] button[type="submit"]').click());
    on = true;
    assert.equal(pathOf(page), '/account');
    assert.equal(new URL(page.url()).searchParams.get('changed'), 'totp-on');
    assert.equal(await notice(page), '双因素验证已启用；您在其他设备上的登录已结束。');
    assert.match(await text(page, 'main'), /双因素验证已启用。 更换身份验证器/);
    await shot(page, 'security1-4-account-totp-on');

    // Sign out, and in again: the password leads to the code form.
    await navigating(page, () => page.locator('form.signout button[type="submit"]').click());
    assert.equal(pathOf(page), '/login');
    await signIn(page, 'leader');
    assert.equal(pathOf(page), '/login/totp');
    assert.equal(await text(page, 'h1'), '双因素验证');
    assert.equal(await page.locator('.who-am-i').count(), 0, 'not signed in yet');
    assert.equal(await page.locator('#code').getAttribute('autocomplete'), 'one-time-code');
    await shot(page, 'security1-5-login-totp');

    // A wrong code: 401, the error shown, still on the code form.
    await page.locator('#code').fill(auth.wrong());
    const wrong = await navigating(page, () => page.locator('form[action="/login/totp"] button[type="submit"]').click());
    assert.equal(wrong?.status(), 401);
    assert.equal(pathOf(page), '/login/totp');
    assert.equal(await text(page, '.form-error'), '动态码不正确或已使用，请重试。');
    assert.equal(await page.locator('.form-error').getAttribute('role'), 'alert');
    await shot(page, 'security1-6-login-totp-wrong');

    // The right code: home, signed in.
    await page.locator('#code').fill(await auth.fresh());
    await navigating(page, () => page.locator('form[action="/login/totp"] button[type="submit"]').click());
    assert.equal(pathOf(page), '/');
    assert.equal(await text(page, 'h1'), '赵敏，您好');
    assert.equal(await text(page, '.who-am-i'), '赵敏');
    await shot(page, 'security1-7-home-after-code');

    // The setup page now replaces: a current code and a new code, and a turn-off form.
    await page.goto(b.url('/account'));
    await navigating(page, () => page.locator('main a[href="/account/totp"]', { hasText: '更换身份验证器' }).click());
    assert.equal(pathOf(page), '/account/totp');
    assert.match(await text(page, 'main'), /更换身份验证器：先输入当前身份验证器显示的动态码/);
    assert.equal(await page.locator('label[for="current"]').innerText(), '当前身份验证器的动态码');
    assert.equal(await page.locator('label[for="code"]').innerText(), '新身份验证器的动态码');
    assert.equal(await page.locator('form[action="/account/totp"] button[type="submit"]').innerText(), '更换');
    assert.equal(await text(page, 'main h2'), '关闭双因素验证');
    const off = page.locator('form[action="/account/totp/off"]');
    assert.equal(await off.locator('label[for="off-current"]').innerText(), '当前身份验证器的动态码');
    assert.equal(await off.locator('button[type="submit"]').innerText(), '关闭');
    await shot(page, 'security1-8-totp-replace-and-off');
    await atPhoneWidth(page, 'security1-8-totp-replace-and-off-375');

    // Turning it off with a wrong code: 422, the error next to the turn-off field.
    await off.locator('#off-current').fill(auth.wrong());
    const offRefused = await navigating(page, () => off.locator('button[type="submit"]').click());
    assert.equal(offRefused?.status(), 422);
    assert.equal(await text(page, '#off-error'), '动态码不正确或已使用，请重试。');
    assert.equal(await page.locator('#off-error').getAttribute('role'), 'alert');
    assert.equal(await page.locator('#off-current').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#off-current').getAttribute('aria-describedby'), 'off-error');
    assert.equal(await page.locator('#code-error').count(), 0, 'the other form is not blamed');
    assert.equal(await page.locator('#current-error').count(), 0);
    await shot(page, 'security1-9-totp-off-wrong');

    // With a current code: off, with a notice.
    await page.locator('#off-current').fill(await auth.fresh());
    await navigating(page, () => page.locator('form[action="/account/totp/off"] button[type="submit"]').click());
    on = false;
    assert.equal(pathOf(page), '/account');
    assert.equal(new URL(page.url()).searchParams.get('changed'), 'totp-off');
    assert.equal(await notice(page), '双因素验证已关闭；您在其他设备上的登录已结束。');
    assert.match(await text(page, 'main'), /双因素验证未启用。 立即设置/);
    await shot(page, 'security1-10-account-totp-off-again');

    // The password alone signs in again.
    await navigating(page, () => page.locator('form.signout button[type="submit"]').click());
    await signIn(page, 'leader');
    assert.equal(pathOf(page), '/');
  } finally {
    if (on) await resetIfStillOn(t, 'leader');
  }
});

test('2. a session owing its second factor reaches only the code form (supervisor)', async (t) => {
  const page = await b.page(t, { as: 'supervisor' });
  try {
    await enrol(t, page);
    await navigating(page, () => page.locator('form.signout button[type="submit"]').click());
    await signIn(page, 'supervisor');
    assert.equal(pathOf(page), '/login/totp');

    for (const path of ['/account', '/account/totp', '/account/password', '/', '/orgs', '/who', '/login']) {
      await page.goto(b.url(path));
      assert.equal(pathOf(page), '/login/totp', `${path} while the code is owed`);
      assert.equal(await text(page, 'h1'), '双因素验证', `${path} shows the code form`);
      assert.equal(await page.locator('#totp-secret').count(), 0, `${path} shows no secret`);
      assert.equal(await page.locator('input[name="current"], #password').count(), 0, `${path} offers no other form`);
      assert.equal(await page.locator('.who-am-i').count(), 0);
    }
    await shot(page, 'security2-1-pending-account-totp');

    await phone(page);
    await page.goto(b.url('/account/totp'));
    assert.equal(pathOf(page), '/login/totp');
    await shot(page, 'security2-2-pending-375');
    await assertNoHorizontalScroll(page);

    // The security administrator turns the second factor off: the pending session ends too.
    await resetIfStillOn(t, 'supervisor');
    await page.goto(b.url('/account'));
    assert.equal(pathOf(page), '/login', 'the pending session ended with the reset');
    await signIn(page, 'supervisor');
    assert.equal(pathOf(page), '/account');
  } finally {
    await resetIfStillOn(t, 'supervisor');
  }
});

test('3. security administrator: administrators are managed on the server; a lost second factor turned off', async (t) => {
  // The discipline secretary turns a second factor on (and is the account the admin helps).
  const user = await b.page(t, { as: 'discipline' });
  await enrol(t, user);
  try {
    const page = await b.page(t, { as: 'secadmin' });
    await page.goto(b.url('/admin/accounts'));
    assert.equal(await text(page, 'h1'), '账号与角色');
    assert.match(await text(page, '#admin-accounts-note'), /^三员分立：.*只能在服务器上用命令行创建、重置（zeren user add --admin、zeren user passwd），此处仅列出，不能更改。$/);
    const rows = await page.locator('table.admin-accounts tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        username: tr.cells[0].innerText.trim(),
        kind: tr.cells[2].innerText.replace(/\s+/g, ' ').trim(),
        totp: tr.cells[5].innerText.trim(),
      })),
    );
    const row = (name) => rows.find((r) => r.username === name);
    for (const admin of ['sysadmin', 'secadmin', 'auditor']) {
      assert.ok(row(admin), `${admin} is listed`);
      assert.match(row(admin).kind, /在服务器上管理$/, `${admin} is marked as managed on the server`);
    }
    for (const business of ['secretary', 'discipline', 'staff']) {
      assert.doesNotMatch(row(business).kind, /在服务器上管理/, `${business} is a business account`);
    }
    assert.equal(row('discipline').totp, '已开启', `discipline's second factor: ${JSON.stringify(row('discipline'))}`);
    await shot(page, 'security3-1-admin-accounts');
    await atPhoneWidth(page, 'security3-1-admin-accounts-375');

    // Another administrator's page: the note, and no button at all.
    for (const admin of ['sysadmin', 'auditor']) {
      await openAccount(page, admin);
      assert.match(await text(page, '#admin-managed'), /^管理员账号只能在服务器上用命令行管理/);
      assert.equal(await page.locator('main button').count(), 0, `${admin}'s page has no action button`);
      assert.equal(await page.locator('main form[method="post"]').count(), 0, `${admin}'s page has no form`);
      await shot(page, `security3-2-admin-account-${admin}`);
    }
    // My own page: no buttons either.
    await openAccount(page, 'secadmin');
    assert.equal(await page.locator('main form[method="post"]').count(), 0, 'own page has no form');

    // The business account with its second factor on: the admin turns it off.
    await openAccount(page, 'discipline');
    const reset = page.getByRole('button', { name: RESET_BUTTON });
    assert.equal(await reset.count(), 1);
    await shot(page, 'security3-3-business-account-totp-on');
    await atPhoneWidth(page, 'security3-3-business-account-totp-on-375');
    await navigating(page, () => reset.click());
    assert.match(pathOf(page), /^\/admin\/accounts\/[^/]+$/);
    assert.equal(
      await notice(page),
      '双因素验证已关闭，其会话已全部结束；如安全策略要求，该账号下次登录时须重新设置。',
    );
    assert.equal(await page.locator('main button', { hasText: RESET_BUTTON }).count(), 0);
    assert.match(await text(page, 'dl.admin-facts'), /双因素验证 未开启/);
    await shot(page, 'security3-4-totp-turned-off');

    // The account's session ended; its password alone signs in now.
    await user.goto(b.url('/account'));
    assert.equal(pathOf(user), '/login', 'the discipline secretary’s session ended');
    await signIn(user, 'discipline');
    assert.equal(pathOf(user), '/account');
    assert.match(await text(user, 'main'), /双因素验证未启用。/);
  } finally {
    await resetIfStillOn(t, 'discipline');
  }
});

test(
  '3b. the code that turned the second factor on is not accepted again at sign-in',
  async (t) => {
    const page = await b.page(t, { as: 'discipline' });
    try {
      const auth = await enrol(t, page);
      const used = codeOfStep(auth.key, auth.lastStep);
      await navigating(page, () => page.locator('form.signout button[type="submit"]').click());
      await signIn(page, 'discipline');
      assert.equal(pathOf(page), '/login/totp');
      await page.locator('#code').fill(used);
      const res = await navigating(page, () => page.locator('form[action="/login/totp"] button[type="submit"]').click());
      await shot(page, 'security3b-enrolment-code-again');
      assert.equal(res?.status(), 401, `the enrolment code was accepted again: now at ${page.url()}`);
      assert.equal(pathOf(page), '/login/totp');
    } finally {
      await resetIfStillOn(t, 'discipline');
    }
  },
);

test('4. system administrator: allowed robot hosts, a host saved, an internal IP refused', async (t) => {
  const page = await b.page(t, { as: 'sysadmin' });
  await page.goto(b.url('/admin/notify'));
  assert.equal(await text(page, '#robot-hosts'), '允许的机器人主机');
  assert.match(await text(page, '#robot-hosts + p.note'), /qyapi\.weixin\.qq\.com/);
  assert.match(await text(page, '#robot-hosts + p.note'), /oapi\.dingtalk\.com/);
  assert.match(await text(page, '#robot-hosts + p.note'), /解析到本机、内网、链路本地、组播或保留地址的主机一律不连接/);
  const hosts = page.locator('form[action="/admin/notify/robot-hosts"] #hosts');
  assert.equal(await page.locator('label[for="hosts"]').innerText(), '其他允许的主机');
  const before = await hosts.inputValue();
  await shot(page, 'security4-1-notify-robot-hosts');

  try {
    // A host: saved, with the notice beside the section, and shown again.
    await hosts.fill('robot.example.edu.cn\nrobot.example.edu.cn:8443');
    await navigating(page, () => page.locator('form[action="/admin/notify/robot-hosts"] button[type="submit"]').click());
    assert.equal(pathOf(page), '/admin/notify');
    assert.equal(new URL(page.url()).searchParams.get('saved'), 'hosts');
    assert.equal(new URL(page.url()).hash, '#robot-hosts');
    assert.equal(await text(page, '#robot-hosts ~ .notify-saved'), '已保存。');
    assert.equal(await page.locator('#robot-hosts ~ .notify-saved').getAttribute('role'), 'status');
    assert.equal(await page.locator('.notify-saved').count(), 1, 'only the hosts form says saved');
    assert.equal(await hosts.inputValue(), 'robot.example.edu.cn\nrobot.example.edu.cn:8443');
    await shot(page, 'security4-2-robot-host-saved');

    // An internal IP: refused on the field, what was typed kept, nothing saved.
    await hosts.fill('robot.example.edu.cn\n10.0.0.1');
    const refused = await navigating(page, () =>
      page.locator('form[action="/admin/notify/robot-hosts"] button[type="submit"]').click(),
    );
    assert.equal(refused?.status(), 422);
    const error = await text(page, '#hosts-error');
    assert.match(error, /10\.0\.0\.1/, `the error names the entry: ${error}`);
    assert.equal(await page.locator('#hosts').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#hosts').getAttribute('aria-describedby')) ?? '', /\bhosts-error\b/);
    assert.equal(await page.locator('#hosts').inputValue(), 'robot.example.edu.cn\n10.0.0.1');
    assert.equal(await page.locator('.notify-saved').count(), 0);
    // The error sits right after the field's hint, inside the hosts form.
    assert.equal(await page.locator('form[action="/admin/notify/robot-hosts"] #hosts-error').count(), 1);
    await shot(page, 'security4-3-robot-host-internal-ip-refused');
    await page.goto(b.url('/admin/notify'));
    assert.equal(await page.locator('#hosts').inputValue(), 'robot.example.edu.cn\nrobot.example.edu.cn:8443');

    // Loopback is refused the same way.
    await page.locator('#hosts').fill('127.0.0.1');
    const loop = await navigating(page, () =>
      page.locator('form[action="/admin/notify/robot-hosts"] button[type="submit"]').click(),
    );
    assert.equal(loop?.status(), 422);
    assert.match(await text(page, '#hosts-error'), /127\.0\.0\.1/);

    await phone(page);
    await page.goto(b.url('/admin/notify#robot-hosts'));
    await shot(page, 'security4-4-notify-375');
    await assertNoHorizontalScroll(page);
  } finally {
    // As the demo made it.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(b.url('/admin/notify'));
    await page.locator('#hosts').fill(before);
    await navigating(page, () => page.locator('form[action="/admin/notify/robot-hosts"] button[type="submit"]').click());
  }
  assert.equal(await page.locator('#hosts').inputValue(), before);
});

test('5. auditor: a business record’s entry shows a digest, not the record', async (t) => {
  // The secretary files an analysis report through the UI, with words found nowhere else.
  const mark = randomBytes(4).toString('hex');
  const report = {
    title: `网络舆情分析研判报告（审计测试 ${mark}）`,
    findings: `内部研判结论：本学院网络舆情总体平稳，标记${mark}甲。`,
    measures: `内部工作措施：加强评论员队伍建设，标记${mark}乙。`,
  };
  const secretary = await b.page(t, { as: 'secretary' });
  await secretary.goto(b.url('/records/new?kind=situation-analysis&org=cqu-mse'));
  await secretary.locator('#date').fill('2026-11-27');
  await secretary.locator('#title').fill(report.title);
  await secretary.locator('#covers').fill('2026-Q4');
  await secretary.locator('#author').selectOption({ label: '李明华（材料科学与工程学院）' });
  await secretary.locator('#findings').fill(report.findings);
  await secretary.locator('#measures').fill(report.measures);
  await navigating(secretary, () => secretary.locator('form.records-form button[type="submit"]').click());
  assert.match(pathOf(secretary), /^\/records\/[^/]+$/, `saved: ${secretary.url()}`);
  const recordId = pathOf(secretary).split('/').pop();
  assert.equal(await text(secretary, 'h1'), report.title);
  assert.match(await text(secretary, 'main'), new RegExp(`标记${mark}甲`), 'the record shows its content to the secretary');
  await shot(secretary, 'security5-1-record-as-secretary');

  const page = await b.page(t, { as: 'auditor' });
  assert.equal(pathOf(page), '/audit');
  assert.match(await text(page, '#chain-status'), /^审计链完整/);
  await shot(page, 'security5-2-audit');

  // The record's own entries: a digest and the fields changed, no content.
  await page.goto(b.url(`/audit?object_id=${recordId}`));
  const rows = page.locator('table.audit-log tbody tr');
  assert.ok((await rows.count()) >= 1, 'the record is in the audit log');
  const row = rows.filter({ hasText: 'record' }).first();
  assert.match(await row.innerText(), /李明华|secretary/, 'who did it is shown');
  const digest = row.locator('.audit-digest');
  assert.equal(await digest.count(), 1, 'a digest instead of the content');
  assert.match(await digest.innerText(), /变更后\s+sm3:[0-9a-f]{16}/);
  assert.match(await digest.innerText(), /findings/);
  assert.match(await digest.innerText(), /业务内容不在审计日志中显示/);
  assert.equal(await row.locator('details, pre').count(), 0, 'no before/after to open');
  const shown = await text(page, 'main');
  for (const [field, value] of Object.entries(report)) {
    assert.ok(!shown.includes(mark), `${field} (${value}) is not on /audit`);
  }
  await shot(page, 'security5-3-audit-record-digest');

  // Nor in the page's markup, nor in the API's answer.
  assert.ok(!(await page.content()).includes(mark), 'the mark is nowhere in /audit’s HTML');
  const api = await page.request.get(b.url(`/api/v1/audit?object_id=${recordId}`));
  assert.equal(api.status(), 200);
  const body = await api.text();
  assert.ok(!body.includes(mark), 'the mark is not in /api/v1/audit');
  const entries = JSON.parse(body).entries;
  assert.ok(entries.length >= 1 && entries.every((e) => e.redacted && e.digest && !e.before && !e.after));
});

test(
  '5b. the audit log of business records on a phone',
  async (t) => {
    const page = await b.page(t, { as: 'auditor', ...PHONE });
    await page.goto(b.url('/audit?object_type=record'));
    assert.ok((await page.locator('table.audit-log tbody tr .audit-digest').count()) > 0);
    assert.equal(await page.locator('table.audit-log tbody tr details').count(), 0);
    await shot(page, 'security5-4-audit-records-375');
    await assertNoHorizontalScroll(page);
  },
);

test('6. a wrong password and an unknown name answer alike', async (t) => {
  const page = await b.page(t);
  await page.goto(b.url('/login'));

  async function attempt(username, password) {
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(password);
    const res = await navigating(page, () => page.locator('form[action="/login"] button[type="submit"]').click());
    return {
      status: res?.status(),
      path: pathOf(page),
      error: await text(page, '.form-error'),
      role: await page.locator('.form-error').getAttribute('role'),
      kept: await page.locator('#username').inputValue(),
      password: await page.locator('#password').inputValue(),
    };
  }

  const wrongPassword = await attempt('staff', 'not-the-password');
  await shot(page, 'security6-1-wrong-password');
  const unknown = `nobody-${randomBytes(3).toString('hex')}`;
  const unknownName = await attempt(unknown, 'not-the-password');
  await shot(page, 'security6-2-unknown-name');

  const expected = {
    status: 401,
    path: '/login',
    error: '用户名或密码错误，或账号已被暂时锁定。',
    role: 'alert',
    password: '',
  };
  assert.deepEqual({ ...wrongPassword, kept: undefined }, { ...expected, kept: undefined });
  assert.deepEqual({ ...unknownName, kept: undefined }, { ...expected, kept: undefined });
  assert.equal(wrongPassword.kept, 'staff');
  assert.equal(unknownName.kept, unknown);

  // The right password still works for staff (one failure locks nothing).
  await signIn(page, 'staff');
  assert.equal(pathOf(page), '/');
  await checkA11y(page);
});

test('7. the pages of this issue in English: no Chinese left in their own words', async (t) => {
  // The words the pages own (headings, labels, buttons, notes, hints, notices, errors), not
  // their data (people's and organisations' names stay Chinese).
  const OWN = 'main :is(h1, h2, h3, label, legend, button, th, .note, .hint, .notice, .form-error, .field-error, .audit-digest .sub, p:not(:has(*)))';
  const han = /[\u3400-\u9fff\uff08\uff09\uff0c\u3002\uff1a]/;
  async function ownWords(page) {
    const texts = await page.locator(OWN).allInnerTexts();
    // The robots' product names stay Chinese in English text, as elsewhere in the catalogue.
    return texts
      .map((s) => s.replace(/\s+/g, ' ').trim())
      .filter((s) => han.test(s.replace(/企业微信|钉钉/g, '')));
  }
  const visits = [
    ['leader', ['/account', '/account/totp']],
    ['secadmin', ['/admin/accounts']],
    ['sysadmin', ['/admin/notify']],
    ['auditor', ['/audit?object_type=record']],
  ];
  const left = [];
  for (const [user, paths] of visits) {
    const page = await b.page(t, { as: user });
    for (const path of paths) {
      await page.goto(b.url(`${path}${path.includes('?') ? '&' : '?'}lang=en`));
      assert.equal(await page.locator('html').getAttribute('lang'), 'en', `${path} in English`);
      for (const s of await ownWords(page)) left.push(`${path} as ${user}: ${s}`);
    }
    await shot(page, `security7-${user}-en`);
    await page.close();
  }
  // The second-factor form of a pending session, and the sign-in failure.
  const page = await b.page(t);
  await page.goto(b.url('/login?lang=en'));
  await page.locator('#username').fill(`nobody-${randomBytes(3).toString('hex')}`);
  await page.locator('#password').fill('not-the-password');
  await navigating(page, () => page.locator('form[action="/login"] button[type="submit"]').click());
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  for (const s of await ownWords(page)) left.push(`/login (failed) as visitor: ${s}`);
  await shot(page, 'security7-login-failed-en');
  assert.deepEqual(left, [], 'Chinese words left on English pages');
});
