// Major policies and projects and their public-opinion risk assessments (重大政策、项目舆情风险
// 评估, Art.4(4)) as their users walk them, on a demo of its own (clock 2026-11-28 12:00
// Asia/Shanghai).
//
// The college office (刘佳) registers a major publicity project: an empty title and a launch
// day that is no date are refused at their fields, nothing registered; then it is registered,
// owing its assessment 15 days before launch (2026-12-05). Its launch is refused (409) under
// Art.4(4), and the office is not offered the gate's override. The office submits a medium-risk
// assessment: the publicity leader (赵敏) approves it, not the first responsible person
// (李明华), who sees no decision form; the duty is done and the office launches the project.
// A second major project passes the gate only by the first responsible person, with a reason
// (an empty one is refused at its field); the project says so, and the indicators list it under
// art5-3. A third is cancelled with its reason. The discipline commission reads and handles
// nothing; the project's page fits a phone (390 px).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, shot, text, assertNoHorizontalScroll } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const b = useBrowser();
const { at } = useFreshInstallation('zeren-risk-', (zeren) => {
  zeren(['demo', '--clock', '2026-11-28']);
});

const TITLE = '本科招生宣传改版';
const DESCRIPTION = '调整本科招生宣传口径与渠道，改版学院招生网页和公众号招生栏目。';
const LIVE = '实验室开放日直播';
const LIVE_DESCRIPTION = '面向中学生和家长，网络直播学院实验室开放日。';
const CANCELLED = '学院迎新晚会网络直播';
const CANCELLED_DESCRIPTION = '通过学院视频号直播迎新晚会。';
const CANCEL_REASON = '晚会改为线下举办，不再直播';
const PLANNED = '改版招生宣传材料与公众号栏目';
const AFFECTED = '考生及家长、在校学生';
const RISKS = '宣传口径不一引发误读；涉及排名表述';
const MEASURES = '统一口径，专人答复，发布前三审';
const APPROVAL_NOTE = '同意，按所列措施落实，发布前报宣传委员审定。';
const OVERRIDE_REASON = '上级要求本周内启动';
const DUTY = '重大政策、项目舆情风险评估';
const COLLEGE = '材料科学与工程学院';

/** A 390-px phone (iPhone 12-class). */
const PHONE_390 = Object.freeze({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
});

/** The projects' pages (`/risk-assessments/{id}`), once registered. */
const paths = { project: '', live: '', cancelled: '' };

async function as(t, user, options) {
  const page = await b.page(t, options);
  await page.goto(at('/login'));
  await signIn(page, user);
  return page;
}

/** The value of the option of `select` whose text holds `label`. */
async function optionValue(page, select, label) {
  const v = await page.locator(`${select} option`, { hasText: label }).first().getAttribute('value');
  assert.ok(v, `${select} has no option "${label}"`);
  return v;
}

/** Fails if the page shows a catalogue key instead of its words, then saves the screenshot. */
async function snap(page, name) {
  const raw = (await text(page)).match(/\b(?:risk|indicators|status|nav|obligations)\.[a-z][\w.-]*/g);
  assert.equal(raw, null, `${name}: catalogue keys shown raw: ${raw?.join(', ')}`);
  return shot(page, name);
}

/** The one row (tr) of `table` holding `label`, as text. */
async function rowText(page, table, label) {
  const row = page.locator(`${table} tbody tr`, { hasText: label });
  assert.equal(await row.count(), 1, `${table}: one row holds "${label}"`);
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** The value (dd) of the fact (dt) `label` in the project's facts (the first dl.org-facts). */
async function fact(page, label, within = 'main > dl.org-facts') {
  const item = page.locator(`${within} > div`, { has: page.locator('dt', { hasText: label }) });
  assert.equal(await item.count(), 1, `one fact "${label}" in ${within}`);
  return (await item.locator('dd').innerText()).replace(/\s+/g, ' ').trim();
}

/** The forms by which a project is kept, and how many of each the page holds. */
async function forms(page) {
  const out = {};
  for (const sel of ['#assess-form', '#launch-form', '#cancel-form', '.decision-form']) {
    out[sel] = await page.locator(sel).count();
  }
  return out;
}

const NO_FORMS = Object.freeze({ '#assess-form': 0, '#launch-form': 0, '#cancel-form': 0, '.decision-form': 0 });

/** The duties table of the project's page. */
const DUTIES = 'h2#duties + .table-wrap table';

/** Registers a major project through the form as the signed-in office; returns its path. */
async function register(page, title, description, portfolio, launchOn) {
  await page.goto(at('/risk-assessments/new'));
  await page.locator('#title').fill(title);
  await page.locator('#description').fill(description);
  await page.locator('#portfolio').selectOption(portfolio);
  await page.locator('#launch_on').fill(launchOn);
  assert.ok(await page.locator('input[name="major"]').isChecked(), 'major is checked by default');
  const res = await navigating(page, () => page.getByRole('button', { name: '登记', exact: true }).click());
  assert.equal(res?.status(), 200, `registering ${title}`);
  assert.match(pathOf(page), /^\/risk-assessments\/[^/?]+$/);
  assert.match(await text(page, 'h1'), new RegExp(`${title}\\s*重大\\s*计划中`));
  return pathOf(page);
}

/** Records the launch through #launch-form on the page it is on; returns the response. */
async function launch(page) {
  return navigating(page, () =>
    page.locator('#launch-form').getByRole('button', { name: '登记实施', exact: true }).click(),
  );
}

test('a major project launches only once its risk assessment is approved by the portfolio leader', async (t) => {
  const staff = await as(t, 'staff');

  // ---- 1. The ledger, empty, and the form.
  await navigating(staff, () => staff.locator('.main-nav a[href="/risk-assessments"]').click());
  assert.equal(pathOf(staff), '/risk-assessments');
  assert.equal(await text(staff, 'h1'), '重大政策、项目舆情风险评估');
  assert.match(await text(staff, 'h1 + .note'), /第四条第（四）项/);
  // The demo's two: one assessed, approved and launched; one planned, owing its assessment.
  assert.match(await rowText(staff, '#project-ledger', '学院新媒体矩阵整合上线'), /已批准 · 中.*已实施/);
  assert.match(await rowText(staff, '#project-ledger', '本科生学业导师制改革方案'), /尚无风险评估.*计划中/);
  await snap(staff, 'risk-1-ledger');

  await navigating(staff, () => staff.getByRole('link', { name: '登记重大政策、项目' }).click());
  assert.match(pathOf(staff), /^\/risk-assessments\/new/);
  assert.equal(await text(staff, 'h1'), '登记重大政策、项目');
  assert.match(await text(staff, 'h1 + .note'), /至迟在实施前 15 天完成/);
  assert.equal(await staff.locator('#org-name').inputValue(), COLLEGE);
  assert.ok(await staff.locator('input[name="major"]').isChecked(), 'major is checked by default');
  assert.equal(await text(staff, '#portfolio option[value="publicity"]'), '宣传思想');
  await snap(staff, 'risk-2-form');

  // No title, and a launch day that is no date: refused at both fields, the rest kept.
  await staff.locator('#description').fill(DESCRIPTION);
  await staff.locator('#portfolio').selectOption('publicity');
  await staff.locator('#launch_on').fill('2026-13-40');
  const refused = await navigating(staff, () => staff.getByRole('button', { name: '登记', exact: true }).click());
  assert.equal(refused?.status(), 422);
  assert.match(pathOf(staff), /^\/risk-assessments\/new/);
  assert.equal(await text(staff, '.org-field.has-error:has(#title) .field-error'), '标题不能为空');
  assert.equal(
    await text(staff, '.org-field.has-error:has(#launch_on) .field-error'),
    '计划实施日期「2026-13-40」不是有效日期，请按 YYYY-MM-DD 填写',
  );
  assert.equal(await staff.locator('.field-error').count(), 2);
  assert.equal(await staff.locator('.org-alert').count(), 0);
  assert.equal(await staff.locator('#title').inputValue(), '');
  assert.equal(await staff.locator('#description').inputValue(), DESCRIPTION);
  assert.equal(await staff.locator('#portfolio').inputValue(), 'publicity');
  assert.equal(await staff.locator('#launch_on').inputValue(), '2026-13-40');
  assert.ok(await staff.locator('input[name="major"]').isChecked());
  await snap(staff, 'risk-3-form-refused');

  // Nothing was registered.
  const ledger = await staff.context().newPage();
  await ledger.goto(at('/risk-assessments'));
  assert.equal(await ledger.locator('#project-ledger tbody tr', { hasText: TITLE }).count(), 0);
  await ledger.close();

  await staff.locator('#title').fill(TITLE);
  await staff.locator('#launch_on').fill('2026-12-20');
  const registered = await navigating(staff, () => staff.getByRole('button', { name: '登记', exact: true }).click());
  assert.equal(registered?.status(), 200);
  assert.match(pathOf(staff), /^\/risk-assessments\/[^/?]+$/);
  paths.project = pathOf(staff);

  // ---- The project's page: planned, no assessment, the duty owed by 2026-12-05.
  assert.match(await text(staff, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*计划中`));
  assert.equal(await text(staff, '#project-state'), '计划中');
  assert.equal(await fact(staff, '所属组织'), COLLEGE);
  assert.equal(await fact(staff, '所属分管领域'), '宣传思想');
  assert.equal(await fact(staff, '实施日期'), '2026-12-20');
  assert.equal(await fact(staff, '风险评估'), '尚无风险评估');
  assert.equal(await fact(staff, '第一责任人'), '李明华');
  assert.equal(await text(staff, 'h2#assessments + .note'), '尚无风险评估');
  assert.equal(await staff.locator('article.assessment').count(), 0);
  assert.equal(await staff.locator('#override').count(), 0);
  // 15 days before 2026-12-20; a week off, so due soon.
  assert.equal(await rowText(staff, DUTIES, DUTY), `${DUTY} 2026-12-05 即将到期`);
  assert.equal(await text(staff, 'h2#launch + .note'), '该重大项目尚无经批准的风险评估，不能登记实施。');
  await snap(staff, 'risk-4-registered');

  // ---- 2. The launch is refused under Art.4(4); the office is offered no override.
  assert.equal(await staff.locator('input[name="override_gate"]').count(), 0);
  assert.equal(await staff.locator('#reason').count(), 0);
  assert.equal(await staff.locator('#launched_on').inputValue(), '2026-11-28');
  const early = await launch(staff);
  assert.equal(early?.status(), 409);
  // The refused form's page answers its post.
  assert.equal(pathOf(staff), `${paths.project}/launch`);
  const why = await text(staff, 'h2#launch ~ .org-alert[role="alert"]');
  assert.match(why, /第四条第四项/);
  assert.match(why, /重大政策、项目须先经舆情风险评估并获审批，才能登记实施/);
  assert.equal(await text(staff, '#project-state'), '计划中');
  assert.equal(await staff.locator('input[name="override_gate"]').count(), 0);
  await snap(staff, 'risk-5-launch-refused');
  // Nothing changed: read afresh, still planned, nothing launched.
  await staff.goto(at(paths.project));
  assert.equal(await text(staff, '#project-state'), '计划中');
  assert.equal(await fact(staff, '实施日期'), '2026-12-20');

  // ---- 3. The office submits a medium-risk assessment; the publicity leader approves it.
  const levels = await staff.locator('#a-level option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(levels, [
    ['', '请选择'],
    ['low', '低'],
    ['medium', '中'],
    ['high', '高（由第一责任人审批）'],
  ]);
  assert.equal(await staff.locator('#a-assessed_on').inputValue(), '2026-11-28');
  await staff.locator('#a-planned').fill(PLANNED);
  await staff.locator('#a-affected').fill(AFFECTED);
  await staff.locator('#a-risks').fill(RISKS);
  await staff.locator('#a-measures').fill(MEASURES);
  await staff.locator('#a-level').selectOption('medium');
  await staff.locator('#a-assessors').selectOption(await optionValue(staff, '#a-assessors', '刘佳'));
  const assessed = await navigating(staff, () =>
    staff.locator('#assess-form').getByRole('button', { name: '提交评估', exact: true }).click(),
  );
  assert.equal(assessed?.status(), 200);
  assert.equal(pathOf(staff), paths.project);
  const article = 'article.assessment';
  assert.equal(await staff.locator(article).count(), 1);
  assert.equal(await text(staff, `${article} h3`), '风险评估 · 2026-11-28 待审批');
  const within = `${article} dl.org-facts`;
  assert.equal(await fact(staff, '风险等级', within), '中');
  assert.equal(await fact(staff, '评估人', within), '刘佳');
  assert.equal(await fact(staff, '审批人', within), '赵敏');
  assert.equal(await fact(staff, '拟实施事项', within), PLANNED);
  assert.equal(await fact(staff, '涉及对象', within), AFFECTED);
  assert.equal(await fact(staff, '风险点', within), RISKS);
  assert.equal(await fact(staff, '防范化解措施', within), MEASURES);
  assert.equal(await fact(staff, '风险评估'), '待审批 · 中');
  // The office, an assessor, does not decide it; the gate still holds.
  assert.equal(await staff.locator('.decision-form').count(), 0);
  assert.equal(await text(staff, 'h2#launch + .note'), '该重大项目尚无经批准的风险评估，不能登记实施。');
  assert.equal(await rowText(staff, DUTIES, DUTY), `${DUTY} 2026-12-05 即将到期`);
  await snap(staff, 'risk-6-assessed');

  // The first responsible person is not this assessment's approver: no decision form.
  const secretary = await as(t, 'secretary');
  await secretary.goto(at(paths.project));
  assert.equal(await secretary.locator(article).count(), 1);
  assert.equal(await fact(secretary, '审批人', within), '赵敏');
  assert.equal(await secretary.locator('.decision-form').count(), 0);
  await snap(secretary, 'risk-7-secretary-no-decision');

  // The discipline commission reads the planned project and handles nothing.
  const reader = await as(t, 'discipline');
  const read = await reader.goto(at(paths.project));
  assert.equal(read?.status(), 200);
  assert.match(await text(reader, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*计划中`));
  assert.equal(await reader.locator(article).count(), 1);
  assert.deepEqual(await forms(reader), NO_FORMS);
  assert.equal(await reader.getByRole('link', { name: '修改', exact: true }).count(), 0);
  await snap(reader, 'risk-7b-discipline-planned');

  // ---- 4. The publicity leader approves it with a note: the duty is done.
  const leader = await as(t, 'leader');
  await leader.goto(at(paths.project));
  assert.equal(await leader.locator(`${article} .decision-form`).count(), 1);
  await snap(leader, 'risk-8-leader-decision');
  await leader.locator(`${article} .decision-form input[name="note"]`).fill(APPROVAL_NOTE);
  const approved = await navigating(leader, () =>
    leader.locator(`${article} .decision-form`).getByRole('button', { name: '批准', exact: true }).click(),
  );
  assert.equal(approved?.status(), 200);
  assert.equal(pathOf(leader), paths.project);
  assert.equal(await text(leader, `${article} h3`), '风险评估 · 2026-11-28 已批准');
  assert.equal(await fact(leader, '审批结果', within), `已批准 · 赵敏 2026-11-28 ${APPROVAL_NOTE}`);
  assert.equal(await leader.locator('.decision-form').count(), 0);
  assert.equal(await fact(leader, '风险评估'), '已批准 · 中');
  assert.equal(await rowText(leader, DUTIES, DUTY), `${DUTY} 2026-12-05 已完成`);
  assert.equal(await leader.locator(`${DUTIES} tbody tr .status-done`).count(), 1);
  await snap(leader, 'risk-9-approved');

  // ---- 5. The office launches it.
  await staff.goto(at(paths.project));
  assert.equal(await staff.locator('h2#launch + .note').count(), 0, 'no gate note once approved');
  assert.equal(await staff.locator('input[name="override_gate"]').count(), 0);
  const launched = await launch(staff);
  assert.equal(launched?.status(), 200);
  assert.equal(pathOf(staff), paths.project);
  assert.match(await text(staff, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*已实施`));
  assert.equal(await text(staff, '#project-state'), '已实施');
  assert.equal(await fact(staff, '实施日期'), '2026-11-28');
  assert.equal(await staff.locator('#override').count(), 0);
  // Launched: nothing more to assess, launch or cancel.
  assert.deepEqual(await forms(staff), NO_FORMS);
  assert.equal(await rowText(staff, DUTIES, DUTY), `${DUTY} 2026-12-05 已完成`);
  await snap(staff, 'risk-10-launched');
});

test('the first responsible person alone launches a project past the gate, with a reason', async (t) => {
  assert.ok(paths.project, 'the first project was registered by the first test');
  const staff = await as(t, 'staff');
  paths.live = await register(staff, LIVE, LIVE_DESCRIPTION, 'publicity', '2026-12-20');
  assert.equal(await staff.locator('input[name="override_gate"]').count(), 0);

  const secretary = await as(t, 'secretary');
  await secretary.goto(at(paths.live));
  assert.equal(await text(secretary, 'h2#launch + .note'), '该重大项目尚无经批准的风险评估，不能登记实施。');
  const box = secretary.locator('#launch-form input[type="checkbox"][name="override_gate"]');
  assert.equal(await box.count(), 1, 'the first responsible person is offered the override');
  assert.equal(
    await text(secretary, '#launch-form label:has(input[name="override_gate"])'),
    '未经批准的评估先行实施（第一责任人本人决定，须写明理由）',
  );
  assert.equal(await secretary.locator('#launch-form #reason').count(), 1);
  await snap(secretary, 'risk-11-override-offered');

  // The override without a reason is refused at the reason; nothing launched.
  await box.check();
  const noReason = await launch(secretary);
  assert.equal(noReason?.status(), 422);
  assert.equal(pathOf(secretary), `${paths.live}/launch`);
  assert.equal(
    await text(secretary, '#launch-form .org-field.has-error:has(#reason) .field-error'),
    '未经批准的风险评估而实施，须写明理由',
  );
  assert.equal(await secretary.locator('#launch-form .field-error').count(), 1);
  assert.equal(await text(secretary, '#project-state'), '计划中');
  await snap(secretary, 'risk-12-override-no-reason');

  // The refused form keeps what was typed: the override stays ticked.
  assert.equal(await secretary.locator('#launch-form input[name="override_gate"]').isChecked(), true);
  // With the reason: launched, and the page says who passed the gate and why.
  await secretary.locator('#launch-form #reason').fill(OVERRIDE_REASON);
  const passed = await launch(secretary);
  assert.equal(passed?.status(), 200);
  assert.equal(pathOf(secretary), paths.live);
  assert.match(await text(secretary, 'h1'), new RegExp(`${LIVE}\\s*重大\\s*已实施`));
  assert.equal(await text(secretary, '#project-state'), '已实施');
  assert.equal(await text(secretary, '#override'), `未经批准的评估先行实施（李明华 决定）：${OVERRIDE_REASON}`);
  assert.equal(await fact(secretary, '实施日期'), '2026-11-28');
  assert.equal(await fact(secretary, '风险评估'), '尚无风险评估');
  // Launched past the gate: the assessment is still owed (late); nothing else is offered.
  assert.deepEqual(await forms(secretary), { ...NO_FORMS, '#assess-form': 1 });
  await snap(secretary, 'risk-13-override-launched');

  // The office sees it too, and the ledger marks it.
  await staff.goto(at(paths.live));
  assert.equal(await text(staff, '#override'), `未经批准的评估先行实施（李明华 决定）：${OVERRIDE_REASON}`);
  await staff.goto(at('/risk-assessments'));
  assert.equal(
    await rowText(staff, '#project-ledger', LIVE),
    `${LIVE} 重大 ${COLLEGE} 2026-11-28 尚无风险评估 已实施 未经批准的评估先行实施（李明华 决定）`,
  );
  assert.equal(
    await rowText(staff, '#project-ledger', TITLE),
    `${TITLE} 重大 ${COLLEGE} 2026-11-28 已批准 · 中 已实施`,
  );
});

test('the indicators list the launch past the gate under art5-3', async (t) => {
  assert.ok(paths.live, 'the second project was launched by the second test');
  for (const user of ['discipline', 'secretary']) {
    const page = await as(t, user);
    const res = await page.goto(at('/indicators?ground=art5-3'));
    assert.equal(res?.status(), 200, `${user}: /indicators?ground=art5-3`);
    assert.equal(await page.locator('select[name="ground"]').inputValue(), 'art5-3');
    const row = await rowText(page, '#indicators', LIVE);
    assert.match(row, /^art5-3 /);
    assert.match(row, /未经批准的舆情风险评估即实施/);
    assert.match(row, new RegExp(`${LIVE} ${COLLEGE}`));
    assert.match(row, new RegExp(`2026-11-28 实施 · 理由：${OVERRIDE_REASON}`));
    // The commission may open a case from it (据此立案); the secretary may not.
    assert.match(row, user === 'discipline' ? /李明华 2026-11-28 据此立案$/ : /李明华 2026-11-28$/);
    // The project launched with its approved assessment is no such fact.
    assert.equal(await page.locator('#indicators tbody tr', { hasText: TITLE }).count(), 0);
    if (user === 'discipline') await snap(page, 'risk-14-indicators');
    // The evidence links the override on the project's page.
    const evidence = page.locator('#indicators tbody tr', { hasText: LIVE }).getByRole('link', { name: /实施 · 理由/ });
    assert.match(await evidence.getAttribute('href'), /#override$/);
    // The subject links the project.
    const subject = page.locator('#indicators tbody tr', { hasText: LIVE }).getByRole('link', { name: LIVE, exact: true });
    await navigating(page, () => subject.click());
    assert.equal(pathOf(page), paths.live);
    assert.match(await text(page, '#override'), new RegExp(`李明华 决定）：${OVERRIDE_REASON}`));
  }
});

test('a planned project is cancelled with its reason', async (t) => {
  assert.ok(paths.project, 'the first project was registered by the first test');
  const staff = await as(t, 'staff');
  paths.cancelled = await register(staff, CANCELLED, CANCELLED_DESCRIPTION, 'publicity', '2026-12-31');
  assert.match(await rowText(staff, DUTIES, DUTY), new RegExp(`^${DUTY} 2026-12-16 `));

  // No reason: refused at its field.
  const bare = await navigating(staff, () =>
    staff.locator('#cancel-form').getByRole('button', { name: '取消该项目', exact: true }).click(),
  );
  assert.equal(bare?.status(), 422);
  assert.equal(pathOf(staff), `${paths.cancelled}/cancel`);
  assert.equal(await text(staff, '#cancel-form .org-field.has-error:has(#cancel-reason) .field-error'), '原因不能为空');
  assert.equal(await text(staff, '#project-state'), '计划中');

  await staff.locator('#cancel-reason').fill(CANCEL_REASON);
  const cancelled = await navigating(staff, () =>
    staff.locator('#cancel-form').getByRole('button', { name: '取消该项目', exact: true }).click(),
  );
  assert.equal(cancelled?.status(), 200);
  assert.equal(pathOf(staff), paths.cancelled);
  assert.match(await text(staff, 'h1'), new RegExp(`${CANCELLED}\\s*重大\\s*已取消`));
  assert.equal(await text(staff, '#project-state'), '已取消');
  assert.deepEqual(await forms(staff), NO_FORMS);
  // The reason is shown; a cancelled project owes no assessment any more.
  assert.equal(await text(staff, '#cancelled'), `已取消：${CANCEL_REASON}`);
  assert.equal(await staff.locator(`${DUTIES} tbody tr`, { hasText: DUTY }).count(), 0);
  assert.match(await text(staff, 'h2#duties + p.note'), /项目已取消，其职责已撤回/);
  await snap(staff, 'risk-15-cancelled');

  await staff.goto(at('/risk-assessments'));
  assert.match(await rowText(staff, '#project-ledger', CANCELLED), /已取消$/);
  // This file's three and the demo's two.
  assert.equal(await staff.locator('#project-ledger tbody tr').count(), 3 + 2);
  // Filtered by state.
  await staff.locator('select[name="state"]').selectOption('cancelled');
  await navigating(staff, () => staff.getByRole('button', { name: '筛选', exact: true }).click());
  assert.match(pathOf(staff), /state=cancelled/);
  assert.equal(await staff.locator('#project-ledger tbody tr').count(), 1);
  assert.match(await rowText(staff, '#project-ledger', CANCELLED), /已取消$/);
  await staff.goto(at('/risk-assessments'));
  await snap(staff, 'risk-16-ledger');
});

test('the discipline commission reads the projects and handles nothing', async (t) => {
  assert.ok(paths.project && paths.live, 'the projects were launched by the earlier tests');
  const discipline = await as(t, 'discipline');
  await navigating(discipline, () => discipline.locator('.main-nav a[href="/risk-assessments"]').click());
  assert.equal(pathOf(discipline), '/risk-assessments');
  assert.equal(await discipline.getByRole('link', { name: '登记重大政策、项目' }).count(), 0);
  assert.ok((await discipline.locator('#project-ledger tbody tr').count()) >= 2);
  await navigating(discipline, () =>
    discipline.locator('#project-ledger').getByRole('link', { name: TITLE, exact: true }).click(),
  );
  assert.equal(pathOf(discipline), paths.project);
  assert.match(await text(discipline, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*已实施`));
  assert.equal(await text(discipline, 'article.assessment h3'), '风险评估 · 2026-11-28 已批准');
  assert.deepEqual(await forms(discipline), NO_FORMS);
  assert.equal(await discipline.getByRole('link', { name: '修改', exact: true }).count(), 0);
  assert.equal(await rowText(discipline, DUTIES, DUTY), `${DUTY} 2026-12-05 已完成`);
  await snap(discipline, 'risk-17-discipline');

  await discipline.goto(at(paths.live));
  assert.match(await text(discipline, '#override'), new RegExp(`李明华 决定）：${OVERRIDE_REASON}`));
  assert.deepEqual(await forms(discipline), NO_FORMS);
  // The form to register is not theirs.
  const form = await discipline.goto(at('/risk-assessments/new'));
  assert.equal(form?.status(), 403);
  assert.equal(await discipline.locator('form[action^="/risk-assessments"]').count(), 0);
});

test("the project's page fits a phone", async (t) => {
  assert.ok(paths.project && paths.live, 'the projects were launched by the earlier tests');
  const staff = await as(t, 'staff', PHONE_390);
  await staff.goto(at(paths.project));
  assert.match(await text(staff, 'h1'), new RegExp(TITLE));
  await assertNoHorizontalScroll(staff);
  await snap(staff, 'risk-18-phone');
  await staff.goto(at(paths.live));
  assert.match(await text(staff, '#override'), new RegExp(OVERRIDE_REASON));
  await assertNoHorizontalScroll(staff);
  await snap(staff, 'risk-19-phone-override');
  await staff.goto(at('/risk-assessments'));
  await assertNoHorizontalScroll(staff);
  await snap(staff, 'risk-20-phone-ledger');
});
