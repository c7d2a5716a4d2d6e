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

test('the secretary records an integrity talk, a kind the second system defines, and its obligation is done', async (t) => {
  const page = await as(t, 'secretary');
  const dir = mkdtempSync(join(tmpdir(), 'zeren-talk-'));
  const scan = join(dir, '廉政谈话记录.txt');
  writeFileSync(scan, '廉政谈话记录（双方签字）\n谈话人：李明华\n');

  // The talk owed by one leadership member this year, found in the list of the duty.
  await page.goto(at('/obligations?org=cqu-mse&year=2026&duty=cg-integrity-talks'));
  const first = page.locator('table.ob-list tbody tr a[href^="/obligations/"]').first();
  await navigating(page, () => first.click());
  const obligationPath = pathOf(page);
  assert.match(obligationPath, /^\/obligations\//);
  assert.notEqual(await text(page, '#ob-status'), '已完成');

  // The obligation offers the form of the pack's own kind.
  const formLink = page.locator(
    'section[aria-labelledby="evidence-h"] a.button[href^="/records/new?kind=integrity-talk"]',
  );
  assert.equal(await formLink.count(), 1, 'the obligation links to the integrity-talk form');
  assert.match(await formLink.innerText(), /廉政谈话记录/);
  await navigating(page, () => formLink.click());
  assert.equal(new URL(page.url()).pathname, '/records/new');
  assert.match(await text(page, 'h1'), /廉政谈话记录/);
  // The form is generated from the definition: its fields, its help, no product date field.
  assert.equal(await page.locator('#date').count(), 0);
  for (const id of ['talked-on', 'talker', 'talk-kind', 'content', 'scan']) {
    assert.equal(await page.locator(`#field-${id}`).count(), 1, `field ${id}`);
  }
  assert.match(await text(page, 'form.records-form'), /通常为党委书记/);
  await shot(page, 'systems-talk-form');

  // Sent empty: each required field is told by its own label, in Chinese.
  const refused = await navigating(page, () => page.locator('form.records-form button[type="submit"]').click());
  assert.equal(refused?.status(), 422);
  assert.equal(await text(page, '.org-field:has(#field-talked-on) .field-error'), '谈话日期不能为空');
  assert.equal(await text(page, '.org-field:has(#field-talker) .field-error'), '谈话人不能为空');
  assert.equal(await page.locator('#field-talked-on').getAttribute('aria-invalid'), 'true');
  assert.match(await text(page, 'fieldset:has(input[name="values.talked-with"]) .field-error'), /谈话对象不能为空/);
  await shot(page, 'systems-talk-refused');

  // Filled in: the talk held on 20 November with everyone of the leadership, the signed record
  // attached.
  await page.locator('#field-talked-on').fill('2026-11-20');
  const talker = await page.locator('#field-talker option', { hasText: '李明华' }).getAttribute('value');
  await page.locator('#field-talker').selectOption(talker);
  const withs = page.locator('input[name="values.talked-with"]');
  for (let i = 0; i < (await withs.count()); i++) await withs.nth(i).check();
  await page.locator('#field-talk-kind').selectOption('annual');
  await page.locator('#field-content').fill('通报本年度廉政风险点排查情况，提醒严格执行中央八项规定精神。');
  await page.locator('#field-scan').setInputFiles(scan);
  await navigating(page, () => page.locator('form.records-form button[type="submit"]').click());

  // Back on the obligation: done on the day of the talk, the record its evidence.
  assert.equal(pathOf(page), obligationPath);
  assert.equal(await text(page, '#ob-status'), '已完成');
  assert.match(await text(page, '.ob-facts'), /完成日期 2026-11-20/);
  const evidence = page.locator('ul.ob-evidence > li a[href^="/records/"]').first();
  await shot(page, 'systems-talk-done');

  // The record page shows the values as the definition names them.
  await navigating(page, () => evidence.click());
  const record = await text(page);
  assert.match(record, /谈话类型/);
  assert.match(record, /年度廉政谈话/);
  assert.match(record, /李明华/);
  assert.match(record, /1 个附件/);
  await shot(page, 'systems-talk-record');
});

/** A small third system, 实验室安全责任制, for the administrator to load from the browser. */
const LAB_SAFETY = readFileSync(resolve(HERE, '../fixtures/lab-safety-2026-1.toml'), 'utf8');

test('the administrator previews a new system before loading it, and a broken file is told by line', async (t) => {
  const page = await as(t, 'sysadmin');
  const dir = mkdtempSync(join(tmpdir(), 'zeren-load-'));
  const good = join(dir, 'lab-safety.toml');
  writeFileSync(good, LAB_SAFETY);
  const broken = join(dir, 'broken.toml');
  writeFileSync(broken, LAB_SAFETY.replace('cadence = "quarterly"', 'cadence = "fortnightly"'));

  await page.goto(at('/'));
  await navigating(page, () => page.locator('.main-nav a[href="/policies/load"]').click());
  assert.equal(await text(page, 'h1'), '载入制度新版本');

  // A broken file: refused with the line and column of the problem, nothing loaded.
  await page.locator('#pack-file').setInputFiles(broken);
  const refused = await navigating(page, () => page.locator('form.org-form button[type="submit"]').click());
  assert.equal(refused?.status(), 422);
  assert.match(await text(page, '.load-problems'), /broken\.toml:\d+:\d+: .*fortnightly/);
  await shot(page, 'systems-load-refused');

  // The good file: what it would change, before anything is stored.
  await page.goto(at('/policies/load'));
  await page.locator('#pack-file').setInputFiles(good);
  await navigating(page, () => page.locator('form.org-form button[type="submit"]').click());
  const preview = await text(page);
  assert.match(preview, /lab-safety-2026-1/);
  assert.match(preview, /新的责任制，不取代任何版本/);
  assert.match(preview, /实验室安全季度检查/);
  assert.match(await text(page, 'table.load-impact'), /新增 \d+/);
  await shot(page, 'systems-load-preview');
  // Nothing is stored yet.
  const before = await page.request.get(at('/'));
  assert.doesNotMatch(await before.text(), /实验室安全责任制实施办法/);

  await navigating(page, () => page.locator('form[action^="/policies/adopt"] button[type="submit"]').click());
  assert.equal(pathOf(page), '/policies/load?loaded=lab-safety-2026-1');
  assert.match(await text(page, '.notice'), /已载入《材料科学与工程学院实验室安全责任制实施办法》（重大材料委〔2026〕1号，第 1 版）/);
  await shot(page, 'systems-load-adopted');
  // It is among the policies loaded, in force.
  const row = page.locator('table.loaded-policies tr', { hasText: 'lab-safety-2026-1' });
  assert.match(await row.innerText(), /现行有效|有效/);
});

test('only the system administrator loads policies', async (t) => {
  const page = await as(t, 'secretary');
  assert.equal(await page.locator('.main-nav a[href="/policies/load"]').count(), 0);
  const res = await page.goto(at('/policies/load'));
  assert.equal(res?.status(), 403);
});
