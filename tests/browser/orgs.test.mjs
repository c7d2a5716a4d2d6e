// The org tree kept through its pages, in Debian's chromium against
// `zeren serve --demo --clock 2026-11-28` (see run.sh): the secretary of cqu-mse creates a unit
// under the college by the form (after a refused first try), a branch under the unit, is
// refused a branch under a branch and a unit closed before its branch, renames the branch and
// moves it under the college, closes and reopens it; the leader sees none of it and is refused
// the forms; one refusal in English.
//
// Shared server: this file adds cqu-mse-lab (a unit, closed at the end) and cqu-mse-lab-b1 (a
// branch, left open under cqu-mse) to cqu-mse's children. No other file counts cqu-mse's
// children, and the policy owes nothing of a unit or a branch (its org duties are a college's),
// so the ledger's figures (ledger.test.mjs) do not move. The codes are this file's own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, shot, text, checkA11y, phone, assertNoHorizontalScroll, DESKTOP } from './lib.mjs';

const COLLEGE = '/orgs/cqu-mse';
const UNIT = { code: 'cqu-mse-lab', name: '材料学院分析测试中心' };
const BRANCH = { code: 'cqu-mse-lab-b1', name: '分析测试中心党支部', renamed: '材料学院分析测试中心党支部' };
const TODAY = '2026-11-28'; // run.sh's --clock
const b = useBrowser();

/** Runs `action` (a click, a submit) and waits until the page it navigates to has loaded. */
async function navigating(page, action) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  return res;
}

/** Submits the org form on the page; returns the response to the POST. */
function submit(page) {
  return navigating(page, () => page.locator('form.org-form button[type="submit"]').click());
}

/** The path of the page's URL. */
function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** The org page's management buttons: `[[label, path], …]`. */
async function manageButtons(page) {
  return page
    .locator('.org-manage a')
    .evaluateAll((as) => as.map((a) => [a.textContent.trim(), new URL(a.href).pathname]));
}

/** Asserts the message beside field `#id` (its `.field-error`, named by aria-describedby). */
async function assertFieldError(page, id, errorId, message) {
  assert.equal(await text(page, `#${errorId}`), message, `the error beside #${id}`);
  assert.match((await page.locator(`#${errorId}`).getAttribute('class')) ?? '', /\bfield-error\b/);
  assert.equal(await page.locator(`#${id}`).getAttribute('aria-invalid'), 'true', `#${id} is not marked invalid`);
  assert.match((await page.locator(`#${id}`).getAttribute('aria-describedby')) ?? '', new RegExp(`\\b${errorId}\\b`));
  // Beside its field: inside the same .org-field.
  assert.equal(await page.locator('.org-field', { has: page.locator(`#${id}`) }).locator(`#${errorId}`).count(), 1);
}

test('the secretary manages the college below it, not the college’s place in the university', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  await page.goto(b.url(COLLEGE));
  assert.deepEqual(await manageButtons(page), [
    ['新建下级组织', `${COLLEGE}/children/new`],
    ['更名或调整隶属', `${COLLEGE}/edit`],
    ['新设职务', `${COLLEGE}/posts/new`],
  ]);
  // The branch's parent is the college, which the secretary manages: closing it is offered.
  await page.goto(b.url('/orgs/cqu-mse-b1'));
  // Nothing can sit under a branch: no new-child button there (posts, yes).
  assert.deepEqual((await manageButtons(page)).map(([label]) => label), ['更名或调整隶属', '撤销组织', '新设职务']);
  // Not the college's own close form (its parent is the university).
  const res = await page.goto(b.url(`${COLLEGE}/close`));
  assert.equal(res?.status(), 403);
  assert.equal(await page.locator('form.org-form').count(), 0);
});

test('journey: a unit and a branch created, refused, renamed, moved, closed and reopened', async (t) => {
  const page = await b.page(t, { as: 'secretary' });

  // 1. The new-child form from the college's page: the kinds that fit under a college.
  await page.goto(b.url(COLLEGE));
  await navigating(page, () => page.locator('.org-manage a', { hasText: '新建下级组织' }).click());
  assert.equal(pathOf(page), `${COLLEGE}/children/new`);
  assert.equal(await text(page, 'h1'), '新建下级组织');
  assert.match(await text(page, '.note'), /在“材料科学与工程学院”之下新建一个组织/);
  const kinds = await page.locator('#kind option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(kinds, [['branch', '党支部'], ['unit', '单位']]);
  assert.equal(await page.locator('.field-error').count(), 0);
  await checkA11y(page);

  // A bad code, no name and 30 February: every message at once, each beside its field,
  // in Chinese, with what was typed kept.
  await page.locator('#kind').selectOption('unit');
  await page.locator('#code').fill('Lab_1');
  await page.locator('#established_on').fill('2026-02-30');
  const refused = await submit(page);
  assert.equal(refused?.status(), 422);
  assert.equal(pathOf(page), `${COLLEGE}/children/new`);
  assert.equal(await page.locator('.field-error').count(), 3);
  await assertFieldError(page, 'code', 'code-error', '代码“Lab_1”无效：只能使用小写字母、数字和单个连字符，最长 64 个字符。');
  await assertFieldError(page, 'name', 'name-error', '名称不能为空，且不超过 200 个字符。');
  await assertFieldError(page, 'established_on', 'established-error', '日期“2026-02-30”无效，应为 YYYY-MM-DD 格式。');
  assert.equal(await page.locator('#kind').getAttribute('aria-invalid'), null);
  assert.equal(await page.locator('#kind').inputValue(), 'unit');
  assert.equal(await page.locator('#code').inputValue(), 'Lab_1');
  assert.equal(await page.locator('#established_on').inputValue(), '2026-02-30');
  await shot(page, 'orgs-1-new-child-errors');
  await phone(page);
  await checkA11y(page, { again: true });
  await assertNoHorizontalScroll(page);
  await shot(page, 'orgs-1-new-child-errors-375');
  await page.setViewportSize(DESKTOP.viewport);

  // Put right: 303 to the new unit's page.
  await page.locator('#code').fill(UNIT.code);
  await page.locator('#name').fill(UNIT.name);
  await page.locator('#established_on').fill('2026-11-01');
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${UNIT.code}`);
  assert.equal(await text(page, 'h1'), UNIT.name);
  assert.match(await text(page, '.org-facts'), new RegExp(`代码 ${UNIT.code} 类型 单位 上级组织 材料科学与工程学院 成立日期 2026-11-01`));
  await page.goto(b.url(COLLEGE));
  assert.match(await text(page, '.org-children'), new RegExp(`${UNIT.name} ${UNIT.code} · 单位`));

  // 2. A branch under the unit; a taken code first (409, beside the code).
  await page.goto(b.url(`/orgs/${UNIT.code}/children/new`));
  assert.match(await text(page, '.note'), new RegExp(`在“${UNIT.name}”之下`));
  await page.locator('#kind').selectOption('branch');
  await page.locator('#code').fill('cqu-mse-b1');
  await page.locator('#name').fill(BRANCH.name);
  const taken = await submit(page);
  assert.equal(taken?.status(), 409);
  await assertFieldError(page, 'code', 'code-error', '代码“cqu-mse-b1”已被使用。');
  assert.equal(await page.locator('#name').inputValue(), BRANCH.name);
  await page.locator('#code').fill(BRANCH.code);
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}`);
  assert.match(await text(page, '.org-facts'), new RegExp(`类型 党支部 上级组织 ${UNIT.name}`));

  // 3. The unit cannot close while its branch is open.
  await page.goto(b.url(`/orgs/${UNIT.code}/close`));
  assert.equal(await page.locator('#closed_on').inputValue(), TODAY, 'the closing day defaults to today');
  await checkA11y(page);
  const openChild = await submit(page);
  assert.equal(openChild?.status(), 422);
  await assertFieldError(page, 'closed_on', 'closed-error', `尚有 1 个下级组织未撤销（如“${BRANCH.code}”），请先撤销下级组织。`);
  await shot(page, 'orgs-2-close-unit-open-child');
  await page.goto(b.url(`/orgs/${UNIT.code}`));
  assert.doesNotMatch(await text(page, '.org-facts'), /撤销日期/);

  // 4. A branch cannot sit under a branch: the move is refused beside the parent field.
  await page.goto(b.url(`/orgs/${BRANCH.code}`));
  await navigating(page, () => page.locator('.org-manage a', { hasText: '更名或调整隶属' }).click());
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}/edit`);
  assert.equal(await page.locator('#name').inputValue(), BRANCH.name);
  await checkA11y(page);
  const offered = await page.locator('#parents option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(offered.includes('cqu-mse'), `the college is offered: ${offered}`);
  assert.ok(!offered.includes('cqu-mse-b1'), `a branch is offered as a branch's parent: ${offered}`);
  assert.ok(!offered.includes(UNIT.code), `the current parent is offered: ${offered}`);
  await page.locator('#parent').fill('cqu-mse-b1');
  const underBranch = await submit(page);
  assert.equal(underBranch?.status(), 422);
  await assertFieldError(page, 'parent', 'parent-error', '党支部不能设在党支部之下。');
  assert.equal(await page.locator('#parent').inputValue(), 'cqu-mse-b1');
  await shot(page, 'orgs-3-edit-branch-under-branch');

  // Renamed and moved under the college in one save.
  await page.locator('#name').fill(BRANCH.renamed);
  await page.locator('#parent').fill('cqu-mse');
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}`);
  assert.equal(await text(page, 'h1'), BRANCH.renamed);
  assert.match(await text(page, '.org-facts'), /上级组织 材料科学与工程学院/);
  assert.match(await text(page, '.breadcrumb'), new RegExp(`材料科学与工程学院 › ${BRANCH.renamed}$`));
  await page.goto(b.url(`/orgs/${UNIT.code}`));
  assert.equal(await page.locator(`.org-children a[href="/orgs/${BRANCH.code}"]`).count(), 0);

  // 5. Closed on a day of the past: the page shows the day and offers reopening only.
  await page.goto(b.url(`/orgs/${BRANCH.code}`));
  await navigating(page, () => page.locator('.org-manage a', { hasText: '撤销组织' }).click());
  await page.locator('#closed_on').fill('2026-11-20');
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}`);
  assert.match(await text(page, '.org-facts'), /撤销日期 2026-11-20/);
  assert.deepEqual(await manageButtons(page), [
    ['更名或调整隶属', `/orgs/${BRANCH.code}/edit`],
    ['恢复组织', `/orgs/${BRANCH.code}/reopen`],
  ]);
  await shot(page, 'orgs-4-branch-closed');

  // 6. Reopened by the one button: open again, closing offered again.
  await navigating(page, () => page.locator('.org-manage a', { hasText: '恢复组织' }).click());
  assert.equal(await text(page, 'h1'), '恢复组织');
  assert.match(await text(page, '.note'), new RegExp(`恢复已撤销的“${BRANCH.renamed}”`));
  assert.equal(await page.locator('form.org-form input:not([type="hidden"])').count(), 0);
  await checkA11y(page);
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}`);
  assert.doesNotMatch(await text(page, '.org-facts'), /撤销日期/);
  // Nothing can sit under a branch: no new-child button there (posts, yes).
  assert.deepEqual((await manageButtons(page)).map(([label]) => label), ['更名或调整隶属', '撤销组织', '新设职务']);

  // 7. The unit, childless now, closes today.
  await page.goto(b.url(`/orgs/${UNIT.code}/close`));
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${UNIT.code}`);
  assert.match(await text(page, '.org-facts'), new RegExp(`撤销日期 ${TODAY}`));
  await page.goto(b.url('/orgs'));
  assert.match(await text(page, 'main'), new RegExp(`${UNIT.name} ${UNIT.code} 单位 已撤销（${TODAY}）`));
});

test('a post set up on the new branch and its secretary appointed, after refusals', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  await page.goto(b.url(`/orgs/${BRANCH.code}`));
  await navigating(page, () => page.locator('.org-manage a', { hasText: '新设职务' }).click());
  assert.equal(await text(page, 'h1'), '新设职务');
  // A branch's post kinds only; portfolios are a leadership post's.
  assert.deepEqual(await page.locator('#kind option').allInnerTexts(), ['党支部书记', '新媒体平台管理员']);
  await checkA11y(page);
  await page.locator('#kind').selectOption('branch-secretary');
  await page.locator('input[name="portfolio"]').first().check();
  const refused = await submit(page);
  assert.equal(refused?.status(), 422);
  assert.match(await text(page, '#portfolios-error'), /不是领导班子职务/);
  await shot(page, 'orgs-7-post-portfolio-refused');
  await page.locator('input[name="portfolio"]').first().uncheck();
  await page.locator('#title').fill('党支部书记');
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}`);

  // Vacant: appointment offered; the end before the start is refused beside the field.
  await navigating(page, () => page.locator('#posts a', { hasText: '任命' }).click());
  assert.equal(await text(page, 'h1'), '任命');
  assert.equal(await page.locator('#start').inputValue(), TODAY);
  await checkA11y(page);
  // Someone of the college who holds no demo account.
  const accounts = ['李明华', '赵敏', '刘佳', '郑晓东'];
  const options = await page.locator('#person option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  const [person, label] = options.find(([v, l]) => v && !accounts.some((a) => l.startsWith(a)));
  await page.locator('#person').selectOption(person);
  await page.locator('#start').fill('2026-11-01');
  await page.locator('#end').fill('2026-10-01');
  assert.equal((await submit(page))?.status(), 422);
  assert.equal(await page.locator('#end').getAttribute('aria-invalid'), 'true');
  await shot(page, 'orgs-8-appoint-end-refused');
  await page.locator('#end').fill('');
  await submit(page);
  assert.equal(pathOf(page), `/orgs/${BRANCH.code}`);
  const name = label.split('（')[0];
  assert.match(await text(page, '#posts'), new RegExp(`${name} 2026-11-01`));
  assert.equal(await page.locator('#posts a', { hasText: '任命' }).count(), 0, 'held now: no appointment offered');
});

test('a refusal in English with ?lang=en', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  await page.goto(b.url(`${COLLEGE}/children/new?lang=en`));
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, 'h1'), 'New child org');
  assert.deepEqual(await page.locator('#kind option').allInnerTexts(), ['Party branch', 'Unit']);
  await page.locator('#code').fill('Bad Code');
  await page.locator('#name').fill('English test');
  const refused = await submit(page);
  assert.equal(refused?.status(), 422);
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'en', 'the form posts in English');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await assertFieldError(
    page,
    'code',
    'code-error',
    'The code “Bad Code” is invalid: use lower-case letters, digits and single hyphens, at most 64 characters.',
  );
  assert.equal(await page.locator('#name-error').count(), 0);
  assert.equal(await page.locator('#name').inputValue(), 'English test');
  await shot(page, 'orgs-5-new-child-error-en');
});

test('the leader sees no tree buttons and is refused the forms', async (t) => {
  const page = await b.page(t, { as: 'leader' });
  for (const path of [COLLEGE, '/orgs/cqu-mse-b1']) {
    await page.goto(b.url(path));
    assert.equal(await text(page, '.who-am-i'), '赵敏');
    assert.equal(await page.locator('.org-manage').count(), 0, `tree buttons on ${path}`);
    for (const label of ['新建下级组织', '更名或调整隶属', '撤销组织', '恢复组织', '新设职务']) {
      assert.equal(await page.getByRole('link', { name: label }).count(), 0, `${label} on ${path}`);
    }
  }
  for (const path of ['/orgs/cqu-mse-b1/close', `${COLLEGE}/edit`, `${COLLEGE}/children/new`]) {
    const res = await page.goto(b.url(path));
    assert.equal(res?.status(), 403, path);
    assert.equal(await text(page, 'h1'), '无权访问');
    assert.equal(await page.locator('form.org-form').count(), 0);
  }
  await shot(page, 'orgs-6-new-child-403-as-leader');
});
