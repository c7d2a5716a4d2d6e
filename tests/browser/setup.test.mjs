// First run without `--org-code`, in Debian's chromium: the security administrator designates
// the first org administrator (首位组织管理员), who signs in, is sent to /setup, creates the root
// org there and finds the getting-started page of the tree they now keep.
//
// Like roster.test.mjs, this file makes its own installation (no demo data, no org at all) in a
// temporary directory and serves it on a free loopback port with `--clock 2026-11-28`. The tests
// run in order on that one installation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, shot, text } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const ADMIN_PASSWORD = 'Init-Pass-2026!';
const SEC_PASSWORD = 'Sec-Admin-Quiet-2026!';
const FOUNDER = { username: 'founder', name: '组织部王老师', password: 'Green-Hill-4821!' };
const ROOT = { code: 'xyz', name: '某大学党委' };

const b = useBrowser();

// ---------------------------------------------------------------------------------------
// The installation: init, the keeper account, `zeren serve` on a free port.
// ---------------------------------------------------------------------------------------

const { at } = useFreshInstallation('zeren-setup-', (zeren) => {
  // No --org-code: an installation without any org, which says how the root comes to be.
  const init = zeren(['init', '--admin-password', ADMIN_PASSWORD]);
  assert.match(init, /尚无任何组织/);
  // The security administrator's password set on the server (三员分立: by the command line).
  zeren(['user', 'passwd', 'secadmin'], `${SEC_PASSWORD}\n`);
});

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
