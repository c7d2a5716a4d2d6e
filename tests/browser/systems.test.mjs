// Several responsibility systems side by side, walked as their users: the built-in online
// ideology system and the example 党风廉政建设责任制 (docs/examples/), loaded on a demo of its
// own. The secretary finds both on the landing page, reads the second one's chain of
// reasons citing its own Art.2, switches the obligation list and the dashboard to one system,
// and the supervisor sees the university's dashboard per system.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBrowser, signIn, shot, text } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PACK = resolve(HERE, '../../docs/examples/cqu-mse-clean-government-2025-2.toml');
const BUILTIN = resolve(HERE, '../../crates/core/packs/cqu-mse-2021-6.toml');

/** A version 2 of the built-in policy from 1 July 2026: analyses monthly, Art.4(2) reworded. */
function version2() {
  const src = readFileSync(BUILTIN, 'utf8')
    .replace('id = "cqu-mse-2021-6"', 'id = "cqu-mse-2026-4"')
    .replace('version = 1', 'version = 2')
    .replace('effective_from = 2021-05-13', 'effective_from = 2026-07-01')
    .replace('定期分析研判网络意识形态领域情况', '每月分析研判网络意识形态领域情况')
    .replace('cadence = "quarterly"                    # college', 'cadence = "monthly"                    # college');
  assert.match(src, /每月分析研判/);
  const file = join(mkdtempSync(join(tmpdir(), 'zeren-v2-')), 'v2.toml');
  writeFileSync(file, src);
  return file;
}
const SERIES = 'cqu-mse-clean-government';

const b = useBrowser();

const { at } = useFreshInstallation('zeren-systems-', (zeren) => {
  zeren(['demo', '--clock', '2026-11-28']);
  const loaded = zeren(['policy', 'load', PACK]);
  assert.match(loaded, /cqu-mse-2025-2/);
  // The committee looks at what version 2 would change before adopting it; nothing is stored.
  const v2 = version2();
  const dry = zeren(['policy', 'load', v2, '--dry-run']);
  assert.match(dry, /situation-analysis/);
  zeren(['policy', 'load', v2]);
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

test('the secretary compares version 2 with version 1 of the built-in policy', async (t) => {
  const page = await as(t, 'secretary');
  await page.goto(at('/policies/cqu-mse-2021-6'));
  assert.match(await text(page), /已被新版本取代/);
  await navigating(page, () => page.locator('a', { hasText: '与本页对照' }).first().click());
  // The later version against the earlier, whichever page the comparison starts from.
  assert.match(pathOf(page), /\/policies\/cqu-mse-2026-4\/diff\?from=cqu-mse-2021-6/);
  assert.equal(await page.locator('ins', { hasText: '每月' }).count() > 0, true);
  assert.equal(await page.locator('del', { hasText: '定期' }).count() > 0, true);
  assert.match(await text(page), /situation-analysis/);
  await shot(page, 'systems-diff');
});
