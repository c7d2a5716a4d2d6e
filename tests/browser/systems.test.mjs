// Several responsibility systems side by side, walked as their users: the built-in online
// ideology system and the example 党风廉政建设责任制 (docs/examples/), loaded on a demo of its
// own. The secretary finds both on the landing page, reads the second one's chain of
// reasons citing its own Art.2, switches the obligation list and the dashboard to one system,
// and the supervisor sees the university's dashboard per system.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBrowser, signIn, shot, text } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const PACK = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/examples/cqu-mse-clean-government-2025-2.toml');
const SERIES = 'cqu-mse-clean-government';

const b = useBrowser();

const { at } = useFreshInstallation('zeren-systems-', (zeren) => {
  zeren(['demo', '--clock', '2026-11-28']);
  const loaded = zeren(['policy', 'load', PACK]);
  assert.match(loaded, /cqu-mse-2025-2/);
});

async function as(t, user) {
  const page = await b.page(t);
  await page.goto(at('/login'));
  await signIn(page, user);
  return page;
}

test('the landing page lists both systems, each version with its status', async (t) => {
  const page = await b.page(t);
  await page.goto(at('/'));
  const body = await text(page);
  assert.match(body, /材料科学与工程学院网络意识形态工作责任制实施细则/);
  assert.match(body, /材料科学与工程学院党风廉政建设责任制实施办法/);
  await shot(page, 'systems-landing');
});

test('the secretary reads the second system and its chain citing its own article', async (t) => {
  const page = await as(t, 'secretary');
  await page.goto(at('/policies/cqu-mse-2025-2'));
  assert.match(await text(page, 'h1'), /党风廉政建设责任制实施办法/);
  await shot(page, 'systems-policy');

  await page.goto(at('/who?org=cqu-mse&duty=cg-annual-study&at=2026-11-28'));
  const who = await text(page);
  assert.match(who, /第二条：/);
  assert.doesNotMatch(who, /第三条：/);
  await shot(page, 'systems-who');
});

test('the obligation list and the dashboard switch to one system and back', async (t) => {
  const page = await as(t, 'secretary');
  await page.goto(at('/obligations?org=cqu-mse&year=2026'));
  await page.locator('#f-series').selectOption(SERIES);
  await navigating(page, () => page.locator('form.ob-filters button[type="submit"]').click());
  assert.match(pathOf(page), new RegExp(`series=${SERIES}`));
  const rows = await page.locator('table.ob-list tbody tr').allInnerTexts();
  assert.ok(rows.length > 0, 'the system has obligations');
  assert.ok(rows.every((r) => !/网络意识形态/.test(r)), `only the chosen system's duties:\n${rows.join('\n')}`);
  await shot(page, 'systems-obligations');

  await page.goto(at('/dashboard?org=cqu-mse&year=2026'));
  const all = Number(await page.locator('.fig-total .fig-n').innerText());
  await page.locator('#d-series').selectOption(SERIES);
  await navigating(page, () => page.locator('form[action="/dashboard"] button[type="submit"]').click());
  const one = Number(await page.locator('.fig-total .fig-n').innerText());
  assert.ok(one > 0 && one < all, `one system (${one}) is a part of all (${all})`);
  // The figures lead to the list of the same system.
  const href = await page.locator('.fig-total a').getAttribute('href');
  assert.match(href, new RegExp(`series=${SERIES}`));
  await shot(page, 'systems-dashboard');
});

test('the supervisor sees the university per system', async (t) => {
  const page = await as(t, 'supervisor');
  await page.goto(at(`/dashboard?series=${SERIES}`));
  assert.equal(await page.locator('#d-series').inputValue(), SERIES);
  await shot(page, 'systems-dashboard-supervisor');
});
