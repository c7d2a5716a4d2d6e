// The roster of a fresh installation, in Debian's chromium: the "Done when".
//
// This file does not use run.sh's demo server. It makes its own installation with no demo
// data in a temporary directory (`zeren init --org-code xyz`), adds a business account
// `keeper` (组织部王老师) with the org-admin role over xyz by the command line, and serves it
// with `--clock 2026-11-28` on a free loopback port. Through the pages, keeper then
//
//   1. finds the root 某大学党委 and the 名册导入导出 button on /orgs;
//   2. creates the college xyz-chem (化学化工学院党委) and its posts 党委书记 and 党委副书记;
//   3. uploads people.csv and holdings.csv on /roster: refused first (a staff number nobody
//      has, told at its cell), then previewed (人员 2 new, 任职 1 new), confirmed
//      (/roster?done=3), and uploaded again (nothing would change);
//   4. appoints 李四 党委副书记 and assigns him 宣传思想 (after a start day before his holding
//      is refused beside the field);
//   5. asks /who (portfolio publicity: 李四; the college's annual-dedicated-study, owed by its
//      first-responsible post: 张三), and reads the college's obligations and dashboard — once
//      the background obligation sync (every 10 s) has caught up: the file waits for it, at most 90 s.
//
// The tests of this file run in order and build on one another (one installation). Every page
// is checked for accessibility by lib.mjs, as keeper.

import { test } from 'node:test';
import assert from 'node:assert/strict';
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
import { useFreshInstallation, navigating, pathOf, TODAY } from './fresh.mjs';

const ROOT = { code: 'xyz', name: '某大学党委' };
const COLLEGE = { code: 'xyz-chem', name: '化学化工学院党委' };
const KEEPER = { username: 'keeper', name: '组织部王老师', password: 'Quiet-Lake-7391!' };
const ADMIN_PASSWORD = 'Init-Pass-2026!';
/** How long the obligation sync (every 60 s) may take to list the college's obligations. */
const SYNC_WAIT = 90_000;

const PEOPLE_CSV = '工号,姓名,所属组织代码\n20230001,张三,xyz-chem\n20230002,李四,xyz-chem\n';
const HOLDINGS_BAD = '组织代码,职务名称,工号,任职开始,任职结束\nxyz-chem,党委书记,20239999,2024-09-01,\n';
const HOLDINGS_CSV = '组织代码,职务名称,工号,任职开始,任职结束\nxyz-chem,党委书记,20230001,2024-09-01,\n';

const b = useBrowser();

// ---------------------------------------------------------------------------------------
// The installation: init, the keeper account, `zeren serve` on a free port.
// ---------------------------------------------------------------------------------------

const { at } = useFreshInstallation('zeren-roster-', (zeren) => {
  const init = zeren(['init', '--org-code', ROOT.code, '--org-name', ROOT.name, '--admin-password', ADMIN_PASSWORD]);
  assert.match(init, /已建立顶端组织 xyz（某大学党委）/);
  zeren(['user', 'add', KEEPER.username, '--name', KEEPER.name, '--password-stdin'], `${KEEPER.password}\n`);
  zeren(['user', 'grant', KEEPER.username, '--role', 'org-admin', '--org', ROOT.code]);
});

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/** A page of this file's server, signed in as keeper through the login form. */
async function keeperPage(t) {
  const page = await b.page(t);
  await page.goto(at('/login'));
  await signIn(page, KEEPER.username, KEEPER.password);
  assert.equal(await text(page, '.who-am-i'), KEEPER.name);
  return page;
}

/** Submits the org form on the page; returns the response to the POST. */
function submitOrgForm(page) {
  return navigating(page, () => page.locator('form.org-form button[type="submit"]').first().click());
}

/** The visible text of a locator's first element, whitespace collapsed. */
async function textOf(locator) {
  return (await locator.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** CSV files for the roster's file input. */
function csv(files) {
  return Object.entries(files).map(([name, body]) => ({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(body, 'utf8'),
  }));
}

/** Uploads `files` through /roster's form and previews them; returns the response. */
async function preview(page, files) {
  await page.locator('#file').setInputFiles(csv(files));
  return navigating(page, () => page.locator('form[action^="/roster/preview"] button[type="submit"]').click());
}

/** The preview's counts table: `{ 人员: [新增, 变更, 结束, 不变], … }`. */
async function counts(page) {
  const rows = await page
    .locator('#counts tbody tr')
    .evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  return Object.fromEntries(rows.map(([sheet, ...n]) => [sheet, n.map(Number)]));
}

/** The row of post `title` in the org page's posts table. */
function postRow(page, title) {
  return page.locator('#posts tbody tr').filter({
    has: page.locator('td:first-child', { hasText: new RegExp(`^${title}`) }),
  });
}

/** Asserts the message beside field `#id` (its `.field-error`, named by aria-describedby). */
async function assertFieldError(page, id, errorId, message) {
  assert.equal(await text(page, `#${errorId}`), message, `the error beside #${id}`);
  assert.match((await page.locator(`#${errorId}`).getAttribute('class')) ?? '', /\bfield-error\b/);
  assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', `#${id} is not marked invalid`);
  assert.match((await page.locator(`#${id}`).getAttribute('aria-describedby')) ?? '', new RegExp(`\\b${errorId}\\b`));
  assert.equal(await page.locator('.org-field', { has: page.locator(`#${id}`) }).locator(`#${errorId}`).count(), 1);
}

// ---------------------------------------------------------------------------------------
// The journey
// ---------------------------------------------------------------------------------------

test('the fresh tree: the root and the roster button; a college and its two posts by the forms', async (t) => {
  const page = await keeperPage(t);

  await page.goto(at('/orgs'));
  assert.equal(await text(page, 'h1'), '组织');
  assert.equal(await page.locator('#org-tree a.org-name').count(), 1, 'a fresh tree has the root only');
  assert.match(await text(page, '#org-tree'), new RegExp(`^${ROOT.name} ${ROOT.code} 学校$`));
  const roster = page.locator('p.org-roster a[href="/roster"]');
  assert.equal(await roster.innerText(), '名册导入导出');
  assert.equal(new URL(await roster.evaluate((a) => a.href)).pathname, '/roster');
  await shot(page, 'roster-1-orgs-fresh');

  // The college, from the root's page.
  await page.goto(at(`/orgs/${ROOT.code}`));
  await navigating(page, () => page.locator('.org-manage a', { hasText: '新建下级组织' }).click());
  assert.equal(new URL(page.url()).pathname, `/orgs/${ROOT.code}/children/new`);
  await page.locator('#kind').selectOption('college');
  await page.locator('#code').fill(COLLEGE.code);
  await page.locator('#name').fill(COLLEGE.name);
  await submitOrgForm(page);
  assert.equal(pathOf(page), `/orgs/${COLLEGE.code}`);
  assert.equal(await text(page, 'h1'), COLLEGE.name);
  assert.match(await text(page, '.org-facts'), new RegExp(`代码 ${COLLEGE.code} 类型 学院 上级组织 ${ROOT.name}`));
  assert.equal(await text(page, '#posts-h + .empty'), '本组织尚未设置职务。');

  // Its two posts, through 新设职务.
  for (const [kind, title] of [['secretary', '党委书记'], ['deputy-secretary', '党委副书记']]) {
    await navigating(page, () => page.locator('.org-manage a', { hasText: '新设职务' }).click());
    assert.equal(pathOf(page), `/orgs/${COLLEGE.code}/posts/new`);
    await page.locator('#kind').selectOption(kind);
    await page.locator('#title').fill(title);
    await submitOrgForm(page);
    assert.equal(new URL(page.url()).pathname, `/orgs/${COLLEGE.code}`);
    assert.equal(await postRow(page, title).count(), 1, `the post ${title} is listed`);
  }
  assert.deepEqual(
    await page.locator('#posts tbody tr td:nth-child(2)').allInnerTexts(),
    ['党委书记', '党委副书记'],
    'the posts’ kinds',
  );
  assert.match(await text(page, '#posts'), /空缺.*空缺/);
});

test('the roster: a refused upload told at its cell, the preview, the import, the same file again', async (t) => {
  const page = await keeperPage(t);

  // From /orgs' button to the empty roster page.
  await page.goto(at('/orgs'));
  await navigating(page, () => page.locator('p.org-roster a[href="/roster"]').click());
  assert.equal(pathOf(page), '/roster');
  assert.equal(await text(page, 'h1'), '组织机构名册');
  assert.equal(await page.locator('#preview').count(), 0);
  assert.equal(await page.locator('#file').getAttribute('multiple'), '');
  await checkA11y(page);
  await shot(page, 'roster-2-empty');

  // 1. A holding of a staff number no one has: 422, the problem at its cell, no confirmation.
  const refused = await preview(page, { 'people.csv': PEOPLE_CSV, 'holdings.csv': HOLDINGS_BAD });
  assert.equal(refused?.status(), 422);
  assert.equal(new URL(page.url()).pathname, '/roster/preview');
  assert.equal(await text(page, '#preview-title'), '导入预览');
  assert.equal(await text(page, '#preview .org-alert > p'), '名册有以下问题，未写入任何内容。请修改后重新上传：');
  assert.deepEqual(await page.locator('#problems li').allInnerTexts(), [
    '任职!C2: 工号不存在（名册的人员表和现有人员中都没有）。',
  ]);
  assert.equal(await page.locator('#counts').count(), 0);
  assert.equal(await page.locator('form[action^="/roster/import"]').count(), 0, 'no confirm button');
  assert.equal(await page.getByRole('button', { name: '确认导入' }).count(), 0);
  await checkA11y(page);
  await shot(page, 'roster-3-preview-problems');
  await phone(page);
  await checkA11y(page, { again: true });
  await assertNoHorizontalScroll(page);
  await shot(page, 'roster-3-preview-problems-375');
  await page.setViewportSize(DESKTOP.viewport);

  // 2. Put right: the counts, the steps and the confirmation.
  const previewed = await preview(page, { 'people.csv': PEOPLE_CSV, 'holdings.csv': HOLDINGS_CSV });
  assert.equal(previewed?.status(), 200);
  assert.equal(await page.locator('#problems').count(), 0);
  assert.deepEqual(
    await page.locator('#counts thead th').allInnerTexts(),
    ['表', '新增', '变更', '结束', '不变'],
  );
  assert.deepEqual(await counts(page), {
    组织: [0, 0, 0, 0],
    人员: [2, 0, 0, 0],
    职务: [0, 0, 0, 0],
    任职: [1, 0, 0, 0],
    分管: [0, 0, 0, 0],
    阵地: [0, 0, 0, 0],
  });
  // One line a row, at its cell; a person new in the file is named by staff number.
  assert.deepEqual(await page.locator('#steps li').allInnerTexts(), [
    '新增 人员!2 · 20230001 张三（xyz-chem）',
    '新增 人员!3 · 20230002 李四（xyz-chem）',
    '新增 任职!2 · xyz-chem 党委书记 ← 20230001，2024-09-01 – 至今',
  ]);
  assert.equal(await page.locator('#steps li .badge').first().innerText(), '新增');
  const confirm = page.getByRole('button', { name: '确认导入' });
  assert.equal(await confirm.count(), 1);
  await checkA11y(page);
  await shot(page, 'roster-4-preview-counts');

  // 3. Confirmed: three changes written.
  await navigating(page, () => confirm.click());
  assert.equal(pathOf(page), '/roster?done=3');
  assert.equal(await text(page, 'p.notice[role="status"]'), '导入完成：写入 3 项变更。');
  assert.equal(await page.locator('#preview').count(), 0);
  await shot(page, 'roster-5-imported');

  // 4. The same files again: nothing to change, nothing to confirm.
  const again = await preview(page, { 'people.csv': PEOPLE_CSV, 'holdings.csv': HOLDINGS_CSV });
  assert.equal(again?.status(), 200);
  assert.equal(await text(page, '#preview .empty'), '名册与现有数据一致，导入不会改变任何内容。');
  assert.deepEqual(await counts(page), {
    组织: [0, 0, 0, 0],
    人员: [0, 0, 0, 2],
    职务: [0, 0, 0, 0],
    任职: [0, 0, 0, 1],
    分管: [0, 0, 0, 0],
    阵地: [0, 0, 0, 0],
  });
  assert.equal(await page.locator('#steps').count(), 0);
  assert.equal(await page.getByRole('button', { name: '确认导入' }).count(), 0, 'no confirm button');
  assert.equal(await page.locator('form[action^="/roster/import"]').count(), 0);
  await shot(page, 'roster-6-same-again');

  // The college's page: 张三 holds the secretary's post since the file's day.
  await page.goto(at(`/orgs/${COLLEGE.code}`));
  assert.match(await textOf(postRow(page, '党委书记').locator('td.holder')), /^张三 2024-09-01 – 至今 结束或更正$/);
});

test('李四 appointed 党委副书记 and assigned 宣传思想, after a start before his holding is refused', async (t) => {
  const page = await keeperPage(t);
  await page.goto(at(`/orgs/${COLLEGE.code}`));
  const deputy = postRow(page, '党委副书记');
  assert.equal(await textOf(deputy.locator('td.holder')), '空缺');

  // Appointed through the form.
  await navigating(page, () => deputy.locator('a', { hasText: '任命' }).click());
  assert.match(new URL(page.url()).pathname, new RegExp(`^/orgs/${COLLEGE.code}/posts/[^/]+/appoint$`));
  assert.equal(await text(page, 'h1'), '任命');
  assert.equal(await page.locator('#start').inputValue(), TODAY);
  const options = await page.locator('#person option').evaluateAll((os) => os.map((o) => [o.value, o.textContent.trim()]));
  const lisi = options.find(([v, l]) => v && l.startsWith('李四'));
  assert.ok(lisi, `李四 is offered: ${JSON.stringify(options)}`);
  await page.locator('#person').selectOption(lisi[0]);
  await page.locator('#start').fill('2024-09-01');
  await submitOrgForm(page);
  assert.equal(new URL(page.url()).pathname, `/orgs/${COLLEGE.code}`);
  assert.equal(await textOf(postRow(page, '党委副书记').locator('td.holder')), '李四 2024-09-01 – 至今 结束或更正');

  // The portfolios form.
  await navigating(page, () => postRow(page, '党委副书记').locator('a', { hasText: '分管' }).click());
  const portfoliosPath = new URL(page.url()).pathname;
  assert.match(portfoliosPath, new RegExp(`^/orgs/${COLLEGE.code}/posts/[^/]+/portfolios$`));
  assert.equal(await text(page, 'h1'), '分管领域');
  assert.match(await page.locator('#holding option:checked').innerText(), /^李四/);
  assert.equal(await page.locator('#start').inputValue(), TODAY);
  await checkA11y(page);
  await shot(page, 'roster-7-portfolios');

  // A start before the holding: refused beside the field, what was chosen kept.
  await page.locator('#portfolio').selectOption('publicity');
  await page.locator('#start').fill('2024-08-01');
  const early = await submitOrgForm(page);
  assert.equal(early?.status(), 422);
  await assertFieldError(page, 'start', 'start-error', '分管日期须在任职期内（2024-09-01 – 至今）。');
  assert.equal(await page.locator('#portfolio').inputValue(), 'publicity');
  assert.equal(await page.locator('#start').inputValue(), '2024-08-01');
  await checkA11y(page);
  await shot(page, 'roster-8-portfolio-before-holding');

  // The right day.
  await page.locator('#start').fill('2024-09-01');
  await submitOrgForm(page);
  assert.equal(new URL(page.url()).pathname, `/orgs/${COLLEGE.code}`);
  const row = postRow(page, '党委副书记');
  assert.deepEqual(await row.locator('td:nth-child(3) .badge').allInnerTexts(), ['宣传思想']);
  await shot(page, 'roster-9-college-page');

  // The portfolios page lists the assignment now.
  await page.goto(at(portfoliosPath));
  assert.match(await text(page, 'table.stack tbody'), /^李四 宣传思想 今日有效 2024-09-01 – 至今$/);
  await checkA11y(page);
});

test('who answers for the college: 李四 for publicity, 张三 for the annual dedicated study', async (t) => {
  const page = await keeperPage(t);

  await page.goto(at(`/who?org=${COLLEGE.code}&portfolio=publicity&at=${TODAY}`));
  assert.equal(await text(page, 'h1'), '谁负责');
  assert.equal(await text(page, '#answer .who-person'), '李四');
  await shot(page, 'roster-10-who-publicity');

  // annual-dedicated-study: a college's duty, owed by its first-responsible post (党委书记).
  await page.goto(at(`/who?org=${COLLEGE.code}&duty=annual-dedicated-study&at=${TODAY}`));
  assert.equal(await text(page, '#answer .who-person'), '张三');
  assert.match(await text(page, '#answer'), /党委书记/);
  await shot(page, 'roster-11-who-duty');
});

test('the college’s obligations and dashboard answer for it', async (t) => {
  const page = await keeperPage(t);

  // The ledger follows the model by a background sync, once a minute (crates/web/src/jobs/
  // sync.rs): the college's obligations appear within a minute of its posts and holdings.
  // Right after the sync, one page may list the rows while its lead still counts from the
  // ledger's previous count (read while a new count is made): waited out, and shown.
  const rows = page.locator('#obligations tbody tr');
  const leadTotal = async () => Number((await text(page, '#ob-lead')).match(/共 (\d+) 项$/)?.[1]);
  const started = Date.now();
  let stale = false;
  for (let round = 0; ; round++) {
    const list = await page.goto(at(`/obligations?org=${COLLEGE.code}`));
    assert.equal(list?.status(), 200, 'the org-admin (ReadOrg) may read the obligations');
    assert.equal(await text(page, 'h1'), '待办事项');
    const [n, total] = [await rows.count(), await leadTotal()];
    if (n > 0 && total === n) break;
    if (round === 0 && n === 0) {
      assert.equal(await text(page, 'main .empty'), '没有符合条件的事项。');
      assert.equal(await text(page, '#ob-lead'), `2026 年 · ${COLLEGE.name}及下级组织 · 共 0 项`);
      await shot(page, 'roster-12a-obligations-before-sync');
    }
    if (n > 0 && total !== n && !stale) {
      stale = true;
      console.log(`obligations of ${COLLEGE.code}: ${n} rows listed under the lead “${await text(page, '#ob-lead')}”`);
      await shot(page, 'roster-12b-obligations-stale-total');
    }
    assert.ok(
      Date.now() - started < SYNC_WAIT,
      `after ${SYNC_WAIT / 1000} s, ${n} rows listed, the lead says ${total}`,
    );
    await page.waitForTimeout(2_000);
  }
  console.log(`obligations of ${COLLEGE.code} listed after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const listed = await rows.count();
  assert.equal(await text(page, '#ob-lead'), `2026 年 · ${COLLEGE.name}及下级组织 · 共 ${listed} 项`);
  // Every row is the college's; annual-dedicated-study is among them, on 张三.
  const orgs = await page.locator('#obligations tbody td:nth-child(3)').allInnerTexts();
  assert.ok(orgs.every((o) => o.trim() === COLLEGE.name), `rows of other orgs: ${orgs}`);
  const study = rows.filter({ hasText: '党委会年度专题研究网络意识形态工作' });
  assert.equal(await study.count(), 1, 'the annual dedicated study is listed once');
  assert.match(await textOf(study.locator('td:last-child')), /^张三/);
  await shot(page, 'roster-12-obligations');

  const dash = await page.goto(at(`/dashboard?org=${COLLEGE.code}`));
  assert.equal(dash?.status(), 200, 'the org-admin (ReadOrg) may read the dashboard');
  assert.match(await text(page, 'h1'), new RegExp(`${COLLEGE.name}.*2026`));
  const total = Number(await text(page, '#dash-figures .fig-total .fig-n'));
  assert.ok(total > 0, `the dashboard counts the college's obligations: ${total}`);
  assert.equal(total, listed, 'the dashboard counts what the list lists');
  await shot(page, 'roster-13-dashboard');
});
