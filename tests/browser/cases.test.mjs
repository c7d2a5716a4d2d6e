// Accountability cases (问责, Art.5–6) as their users walk them, on a demo of its own (clock
// 2026-11-28 12:00 Asia/Shanghai).
//
// The discipline commission (钱纪明) finds, on /indicators?ground=art5-6, the college WeChat
// account's overdue annual review, whose person then was 赵敏, and opens a case from it ("据此立案"):
// the form comes prefilled (the college, 赵敏 and her post, art5-6, the obligation as evidence).
// The case is 已立案; no decision can be made yet (the form is not offered). The commission
// invites her statement: 待陈述申辩, due in 5 days (2026-12-03); a decision posted all the same
// is refused (409) under the procedure. 赵敏 finds it on her home page
// under 需要我办理的事项, sees what is put to her but neither the case file nor its facts, and
// states her case. A decision with no finding is refused at its field, the case unchanged; then
// the commission records it (art5-6 成立, 通报), sets a remediation task for her and records the
// decision served. She appeals; the commission upholds the decision. She reports the task done,
// the commission verifies it and closes the case (已结案), and adds an addendum to its file. The
// decision downloads as Word. No one else (the college secretary, its office, a branch secretary,
// the supervisor, the platform keeper) sees the case: its page is the not-found page (404), and
// /cases shows nothing of it.
//
// Along the way, what is wrong with a page beside the step under test (an id used twice, a
// field without its name, a line break lost, a refused form that forgets what was typed) is
// gathered and fails the story at its end, so that one such defect hides none of the steps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, shot, text } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const b = useBrowser();
const { at } = useFreshInstallation('zeren-cases-', (zeren) => {
  zeren(['demo', '--clock', '2026-11-28']);
});

const WECHAT = '重大材料学院 微信公众号';
const COLLEGE = '材料科学与工程学院';
const LEADER = '赵敏';
const LEADER_POST = '党委副书记（分管宣传思想、学生工作）';
const GROUND = 'art5-6';
const GROUND_TITLE = '网络阵地领导和管理不力';
const TITLE = '学院微信公众号年审长期逾期问责案';
const BACKGROUND = '学院微信公众号 2025 年度年审到期（2025-06-30）后长期未完成，分管宣传思想工作的副书记未督促落实。';
const INVITATION = '经核查，学院微信公众号年审逾期 516 天未完成，涉嫌第五条第（六）项网络阵地领导和管理不力。请于期限内陈述申辩。';
/** Two paragraphs: the page keeps the line break. */
const STATEMENT_LINES = ['年审材料已于今年 10 月报送，因平台主体信息变更未能通过。', '现已补齐材料，恳请从轻处理。'];
const STATEMENT = STATEMENT_LINES.join('\n');
/** The statement as one line of text (what `text()` reads). */
const STATEMENT_TEXT = STATEMENT_LINES.join(' ');
const FINDING_REASON = '年审逾期一年以上，期间未采取有效措施督促落实，情形成立。';
const DECISION_TEXT = '给予赵敏同志通报问责，责令限期完成学院微信公众号年审。';
const TASK = '完成学院微信公众号年审并建立年审台账';
const TASK_DEADLINE = '2026-12-20';
const APPEAL = '年审逾期系平台主体信息变更所致，本人已积极协调，请求撤销通报。';
const APPEAL_REASON = '主体信息变更不影响按期报送年审材料，申诉理由不能成立。';
const EVIDENCE = '年审已于 2026-11-28 通过，年审台账已建立并报学院党委备案。';
const VERIFY_NOTE = '经核查年审结果和台账，整改到位。';
const ADDENDUM = '补充：年审通过通知书原件已归档。';

/** The case's page (`/cases/{id}`), once opened by the first test. */
let casePath = '';

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

/**
 * What is wrong with a page that is not the step under test, gathered so that the story still
 * runs to its end; the test fails on them at its end.
 */
const defects = [];

/** Records every id the page uses more than once (a label then names the wrong element). */
async function uniqueIds(page, where) {
  const dupes = await page.evaluate(() => {
    const seen = new Map();
    for (const el of document.querySelectorAll('[id]')) {
      seen.set(el.id, [...(seen.get(el.id) ?? []), el.tagName.toLowerCase()]);
    }
    return [...seen].filter(([, tags]) => tags.length > 1).map(([id, tags]) => `#${id} (${tags.join(', ')})`);
  });
  if (dupes.length) defects.push(`${where}: ids used twice: ${dupes.join('; ')}`);
}

/** Fails if the page shows a catalogue key instead of its words, then saves the screenshot. */
async function snap(page, name) {
  const raw = (await text(page)).match(/\b(?:cases|indicators|status|nav|home|notify|obligations)\.[a-z][\w.-]*/g);
  assert.equal(raw, null, `${name}: catalogue keys shown raw: ${raw?.join(', ')}`);
  return shot(page, name);
}

/** The value (dd) of the fact (dt) `label` in `within` (a dl.org-facts). */
async function fact(page, label, within = '#case-facts') {
  const item = page.locator(`${within} > div`, { has: page.locator('dt', { hasText: label }) });
  assert.equal(await item.count(), 1, `one fact "${label}" in ${within}`);
  return (await item.locator('dd').innerText()).replace(/\s+/g, ' ').trim();
}

/** The state badge of the case's page. */
async function caseState(page) {
  return text(page, '#case-state');
}

/** The procedure's forms on the page (`#form-<action>`), by action. */
async function stepForms(page) {
  return page.locator('form[id^="form-"]').evaluateAll((fs) => fs.map((f) => f.id.slice('form-'.length)));
}

/** Submits `form` by its button `label` and waits for the page it leads to; returns the response. */
async function submit(page, form, label) {
  return navigating(page, () => page.locator(form).getByRole('button', { name: label, exact: true }).click());
}

/** The entries of the case file (#case-file li), as text. */
async function fileEntries(page) {
  return (await page.locator('#case-file > li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

test('a case opened from an indicator runs its procedure to closing, each step by its role', async (t) => {
  const discipline = await as(t, 'discipline');

  // ---- 1. From the indicator to the case.
  await discipline.goto(at(`/indicators?ground=${GROUND}`));
  assert.equal(await text(discipline, 'h1'), '问责情形提示');
  const row = discipline.locator('#indicators tbody tr', { hasText: WECHAT }).filter({ hasText: '年审逾期' });
  assert.equal(await row.count(), 1, `one ${GROUND} row of ${WECHAT} with an overdue review`);
  const rowText = (await row.innerText()).replace(/\s+/g, ' ').trim();
  assert.match(rowText, new RegExp(`^${GROUND} .*${GROUND_TITLE} 年审逾期 \\d+ 天未完成 ${WECHAT} ${COLLEGE} 新媒体平台年审（到期 2025-06-30） ${LEADER} 2025-06-30 据此立案$`));
  const link = row.getByRole('link', { name: '据此立案', exact: true });
  assert.match(await link.getAttribute('href'), /indicator=review-overdue/);
  await navigating(discipline, () => link.click());
  assert.match(pathOf(discipline), /^\/cases\/new\?/);
  assert.equal(await text(discipline, 'h1'), '立案');

  // Prefilled: the college, 赵敏 and the post she held then, the ground, the evidence.
  assert.equal(await discipline.locator('#org-chooser select[name="org"]').inputValue(), 'cqu-mse');
  assert.equal(await discipline.locator('#case-form input[name="org"]').inputValue(), 'cqu-mse');
  assert.ok(await discipline.locator('input[name="subject_kind"][value="person"]').isChecked(), 'a cadre is the subject');
  assert.equal(await text(discipline, '#person option:checked'), LEADER);
  assert.equal(await text(discipline, '#post option:checked'), `${LEADER_POST} · ${COLLEGE}`);
  assert.equal(await discipline.locator('#period_from').inputValue(), '2025-01-01');
  assert.equal(await discipline.locator('#period_to').inputValue(), '2026-11-28');
  const grounds = await discipline.locator('#grounds input[name="grounds"]:checked').evaluateAll((is) => is.map((i) => i.value));
  assert.deepEqual(grounds, [GROUND]);
  assert.equal(await discipline.locator('#title').inputValue(), '');
  const evidence = await text(discipline, '#evidence');
  assert.match(evidence, /职责事项 · 新媒体平台年审（应完成 2025-06-30） 年审逾期/);
  assert.equal(await discipline.locator('#evidence input[name="fact.kind"]').inputValue(), 'obligation');
  assert.equal(await discipline.locator('#evidence input[name="fact.indicator"]').inputValue(), 'review-overdue');
  assert.equal(await discipline.locator('#evidence input[name="fact.ground"]').inputValue(), GROUND);
  await snap(discipline, 'cases-1-form-prefilled');

  await discipline.locator('#title').fill(TITLE);
  await discipline.locator('#background').fill(BACKGROUND);
  const opened = await submit(discipline, '#case-form', '立案');
  assert.equal(opened?.status(), 200);
  assert.match(pathOf(discipline), /^\/cases\/[^/?]+$/);
  casePath = pathOf(discipline);

  // The case: 已立案, the subject, the ground, the fact from the indicator; no decision yet.
  assert.match(await text(discipline, 'h1'), new RegExp(`^${TITLE}\\s*已立案$`));
  assert.equal(await caseState(discipline), '已立案');
  assert.equal(await fact(discipline, '问责对象'), `${LEADER}（${COLLEGE} ${LEADER_POST}）`);
  assert.equal(await fact(discipline, '相关期间'), '2025-01-01 – 2026-11-28');
  assert.match(await fact(discipline, '问责情形'), new RegExp(GROUND_TITLE));
  assert.match(await text(discipline, '.confidential'), /保密/);
  assert.equal(await discipline.locator('#fact-list tbody tr').count(), 1);
  assert.match(await text(discipline, '#fact-list tbody tr'), /^职责事项 年审逾期 新媒体平台年审（应完成 2025-06-30） art5-6/);
  assert.equal(await text(discipline, 'h2#statement + .note'), '尚未告知陈述申辩。');
  assert.equal(await text(discipline, 'h2#decision + .note'), '尚未作出决定。');
  // Opened, the statement not yet invited: no decision is offered.
  const openSteps = await stepForms(discipline);
  assert.ok(openSteps.includes('invite-statement'), `the invitation is offered: ${openSteps}`);
  assert.ok(!openSteps.includes('decide'), `no decision before the statement: ${openSteps}`);
  assert.equal(await discipline.locator('#decision-docx').count(), 0);
  assert.match((await fileEntries(discipline)).join(' | '), /立案/);
  await uniqueIds(discipline, `${casePath} as discipline (opened)`);
  await snap(discipline, 'cases-2-opened');

  // The workbench lists it.
  const list = await discipline.context().newPage();
  await list.goto(at('/cases'));
  assert.equal(await text(list, 'h1'), '纪委问责工作台');
  const listed = list.locator('#case-list tbody tr', { hasText: TITLE });
  assert.equal(await listed.count(), 1);
  assert.match((await listed.innerText()).replace(/\s+/g, ' '), new RegExp(`${LEADER}.*${GROUND}.*已立案.*2026-11-28`));
  assert.equal(await list.locator('#open-case').count(), 1);
  await list.close();

  // ---- 2. The statement is invited: 待陈述申辩, due in 5 days.
  await discipline.locator('#invitation-text').fill(INVITATION);
  const invited = await submit(discipline, '#form-invite-statement', '告知陈述申辩');
  assert.equal(invited?.status(), 200);
  assert.equal(pathOf(discipline), casePath);
  assert.equal(await caseState(discipline), '待陈述申辩');
  assert.equal(await text(discipline, '#statement-due'), '2026-12-03');
  assert.equal(await text(discipline, '#invitation'), INVITATION);
  assert.equal(await fact(discipline, '陈述申辩人'), LEADER);

  // ---- 3. No decision while the statement is pending: the form is not offered, the deadline is.
  const invitedSteps = await stepForms(discipline);
  assert.ok(!invitedSteps.includes('decide'), `no decision before the statement: ${invitedSteps}`);
  assert.ok(!invitedSteps.includes('invite-statement'), `invited once: ${invitedSteps}`);
  assert.equal(await discipline.locator('#statement-form').count(), 0, 'the commission does not state the case');
  await snap(discipline, 'cases-3-invited');

  // A decision posted all the same (the form is not on the page: one is built with the page's
  // token and the case's version) is refused under the procedure.
  await discipline.evaluate((action) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = action;
    f.id = 'early-decision';
    for (const [k, v] of [
      ['csrf', document.querySelector('input[name="csrf"]').value],
      ['version', '2'],
      ['action', 'decide'],
      ['finding.art5-6', 'upheld'],
      ['reason.art5-6', '未听取陈述申辩即作出的认定'],
      ['forms', 'circular'],
      ['decision_text', '未听取陈述申辩即作出的决定'],
    ]) {
      const i = document.createElement('input');
      i.type = 'hidden';
      i.name = k;
      i.value = v;
      f.append(i);
    }
    const b = document.createElement('button');
    b.type = 'submit';
    b.textContent = '作出问责决定';
    f.append(b);
    document.body.append(f);
  }, `${casePath}/steps`);
  const early = await submit(discipline, '#early-decision', '作出问责决定');
  assert.equal(early?.status(), 409);
  assert.match(await text(discipline, '.org-alert[role="alert"]'), /陈述申辩环节完成前不能作出问责决定/);
  assert.equal(await caseState(discipline), '待陈述申辩');
  assert.equal(await text(discipline, 'h2#decision + .note'), '尚未作出决定。');
  await snap(discipline, 'cases-3b-decision-before-statement');
  await discipline.goto(at(casePath));

  // ---- 4. 赵敏: asked on her home page; she sees what is put to her, not the file.
  const leader = await as(t, 'leader');
  assert.equal(pathOf(leader), '/');
  const asked = leader.locator('#cases-asked li', { hasText: TITLE });
  assert.equal(await asked.count(), 1, 'the statement is asked of her');
  assert.equal(await text(leader, '#cases-asked h2'), '需要我办理的事项');
  assert.equal((await asked.innerText()).replace(/\s+/g, ' ').trim(), `陈述申辩：${TITLE} · 2026-12-03 前提交`);
  await snap(leader, 'cases-4-leader-home');
  await navigating(leader, () => asked.getByRole('link').click());
  assert.equal(pathOf(leader), casePath);
  assert.equal(await caseState(leader), '待陈述申辩');
  assert.equal(await text(leader, '#invitation'), INVITATION);
  assert.equal(await text(leader, '#statement-due'), '2026-12-03');
  assert.equal(await fact(leader, '问责对象'), `${LEADER}（${COLLEGE} ${LEADER_POST}）`);
  for (const hidden of ['#fact-list', '#case-file', '#fact-form', '#note-form', '#procedure', 'form[id^="form-"]', '#task-form']) {
    assert.equal(await leader.locator(hidden).count(), 0, `the respondent does not see ${hidden}`);
  }
  assert.doesNotMatch(await text(leader), new RegExp(BACKGROUND.slice(0, 12)), 'nor the background');
  assert.equal(await leader.locator('#statement-form').count(), 1);
  // The statement's field is named by its label (a screen reader says what to type there).
  await uniqueIds(leader, `${casePath} as leader`);
  if ((await leader.getByRole('textbox', { name: '陈述申辩意见' }).count()) !== 1) {
    defects.push(`${casePath} as leader: the statement's textarea has no accessible name '陈述申辩意见' (its label's for= names another element)`);
  }
  await snap(leader, 'cases-5-leader-invited');

  await leader.locator('#statement-form textarea[name="statement"]').fill(STATEMENT);
  const stated = await submit(leader, '#statement-form', '提交陈述申辩');
  assert.equal(stated?.status(), 200);
  assert.equal(pathOf(leader), casePath);
  assert.equal(await caseState(leader), '已陈述申辩');
  assert.equal(await text(leader, '#statement-text'), STATEMENT_TEXT);
  if (!(await leader.locator('#statement-text').innerText()).includes('\n')) {
    defects.push(`${casePath}: the statement's line break is lost on the page (its dd.pre keeps no white space)`);
  }
  assert.equal(await leader.locator('#statement-form').count(), 0);
  await leader.goto(at('/'));
  assert.equal(await leader.locator('#cases-asked li', { hasText: TITLE }).count(), 0, 'nothing asked of her now');

  // ---- 5. The decision: refused without a finding, the case unchanged; then recorded.
  await discipline.goto(at(casePath));
  assert.equal(await caseState(discipline), '已陈述申辩');
  assert.equal(await text(discipline, '#statement-text'), STATEMENT_TEXT);
  assert.equal(await discipline.locator('#form-decide').count(), 1);
  // The forms of accountability for a cadre.
  const forms = await discipline.locator('#form-decide input[name="forms"]').evaluateAll((is) => is.map((i) => i.value));
  assert.deepEqual(forms, ['circular', 'admonition', 'organisational-adjustment', 'disciplinary-action']);
  await discipline.locator('#form-decide input[name="forms"][value="circular"]').check();
  await discipline.locator('#decision_text').fill(DECISION_TEXT);
  const refused = await submit(discipline, '#form-decide', '作出问责决定');
  assert.equal(refused?.status(), 422);
  // The case's page again, as the answer to the form (not a redirect).
  assert.equal(pathOf(discipline), `${casePath}/steps`);
  assert.equal(await text(discipline, '#form-decide .field-error'), `请对问责情形 ${GROUND} 作出认定`);
  assert.equal(await discipline.locator('#form-decide .field-error').count(), 1);
  assert.equal(await discipline.locator('#form-decide fieldset.has-error').count(), 1);
  assert.equal(await caseState(discipline), '已陈述申辩');
  assert.equal(await text(discipline, 'h2#decision + .note'), '尚未作出决定。');
  // The form keeps what was typed, as the project's other forms do.
  const kept = {
    decision_text: await discipline.locator('#decision_text').inputValue(),
    circular: await discipline.locator('#form-decide input[name="forms"][value="circular"]').isChecked(),
  };
  if (kept.decision_text !== DECISION_TEXT || !kept.circular) {
    defects.push(`${casePath}/steps (decide refused): the form lost what was typed: ${JSON.stringify(kept)}`);
  }
  await snap(discipline, 'cases-6-decision-refused');

  await discipline.locator(`#form-decide input[name="finding.${GROUND}"][value="upheld"]`).check();
  await discipline.locator(`#reason-${GROUND}`).fill(FINDING_REASON);
  await discipline.locator('#form-decide input[name="forms"][value="circular"]').check();
  await discipline.locator('#document_number').fill('〔2026〕3号');
  assert.equal(await discipline.locator('#decided_on-decide').inputValue(), '2026-11-28');
  await discipline.locator('#decision_text').fill(DECISION_TEXT);
  const decided = await submit(discipline, '#form-decide', '作出问责决定');
  assert.equal(decided?.status(), 200);
  assert.equal(pathOf(discipline), casePath);
  assert.equal(await caseState(discipline), '已作出决定');
  assert.equal(await fact(discipline, '决定机关', '#decision-facts'), '中共重庆大学纪律检查委员会 · 〔2026〕3号');
  assert.equal(await fact(discipline, '决定日期', '#decision-facts'), '2026-11-28');
  assert.match(await fact(discipline, GROUND_TITLE, '#decision-facts'), new RegExp(`^成立 ${FINDING_REASON}$`));
  assert.equal(await text(discipline, '#decision-forms'), '通报');
  assert.equal(await fact(discipline, '决定内容', '#decision-facts'), DECISION_TEXT);
  assert.equal(await discipline.locator('#decision-docx').count(), 1);
  assert.equal(await discipline.locator('#form-decide').count(), 0);

  // The remediation task, for her, due within the month.
  await discipline.locator('#task-title').fill(TASK);
  await discipline.locator('#task-owner').selectOption(await optionValue(discipline, '#task-owner', LEADER));
  await discipline.locator('#task-deadline').fill(TASK_DEADLINE);
  const tasked = await submit(discipline, '#task-form', '布置整改任务');
  assert.equal(tasked?.status(), 200);
  assert.equal(pathOf(discipline), casePath);
  const task = discipline.locator('article.case-task', { hasText: TASK });
  assert.equal(await task.count(), 1);
  const taskId = (await task.getAttribute('id')).replace(/^task-/, '');
  assert.match(await text(discipline, `#task-${taskId} h3`), new RegExp(`^${TASK}\\s*整改中$`));
  assert.match(await text(discipline, `#task-${taskId} dl`), new RegExp(`整改责任人 ${LEADER} 完成时限 ${TASK_DEADLINE}`));
  assert.equal(await discipline.locator(`#report-${taskId}`).count(), 0, 'reported by its owner only');
  assert.equal(await discipline.locator(`#verify-${taskId}`).count(), 0, 'nothing to verify yet');

  // Served.
  assert.equal(await discipline.locator('#notified_on').inputValue(), '2026-11-28');
  const served = await submit(discipline, '#form-notify', '登记送达');
  assert.equal(served?.status(), 200);
  assert.equal(await caseState(discipline), '已送达');
  assert.equal(await fact(discipline, '送达日期', '#decision-facts'), '2026-11-28');
  assert.equal(await text(discipline, '#appeal-window'), '申诉期限至 2026-12-28。');
  await uniqueIds(discipline, `${casePath} as discipline (served)`);
  await snap(discipline, 'cases-7-decided');

  // ---- 6. She appeals; the commission upholds the decision.
  await leader.goto(at('/'));
  const askedNow = (await leader.locator('#cases-asked li').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  assert.ok(askedNow.includes(`可提出申诉：${TITLE} · 申诉期至 2026-12-28`), `the appeal is offered: ${askedNow}`);
  assert.ok(askedNow.includes(`整改任务：${TASK} · ${TASK_DEADLINE} 前完成`), `the task is asked: ${askedNow}`);
  await leader.goto(at(casePath));
  assert.equal(await caseState(leader), '已送达');
  assert.equal(await text(leader, '#decision-forms'), '通报');
  assert.equal(await leader.locator('#decision-docx').count(), 1, 'the respondent may download the decision');
  assert.equal(await leader.locator(`#task-${taskId}`).count(), 1, 'she sees her task');
  assert.equal(await leader.locator(`#report-${taskId}`).count(), 1);
  assert.equal(await leader.locator(`#verify-${taskId}`).count(), 0);
  await snap(leader, 'cases-8-leader-decided');
  await leader.locator('#appeal-reason').fill(APPEAL);
  const appealed = await submit(leader, '#appeal-form', '提出申诉');
  assert.equal(appealed?.status(), 200);
  assert.equal(await caseState(leader), '申诉中');
  assert.equal(await text(leader, '#appeal-text'), APPEAL);
  assert.equal(await leader.locator('#appeal-form').count(), 0);

  await discipline.goto(at(casePath));
  assert.equal(await caseState(discipline), '申诉中');
  assert.deepEqual(await stepForms(discipline), ['decide-appeal']);
  await discipline.locator('#outcome').selectOption('upheld');
  await discipline.locator('#reason-decide-appeal').fill(APPEAL_REASON);
  const upheld = await submit(discipline, '#form-decide-appeal', '作出申诉复查决定');
  assert.equal(upheld?.status(), 200);
  assert.equal(await caseState(discipline), '申诉已复查');
  assert.equal(await text(discipline, '#appeal-decision'), `2026-11-28 · 维持原决定 · ${APPEAL_REASON}`);
  await snap(discipline, 'cases-9-appeal-decided');

  // ---- 7. Remediation: reported by her, verified by the commission; closed; an addendum.
  await leader.goto(at(casePath));
  assert.equal(await text(leader, '#appeal-decision'), `2026-11-28 · 维持原决定 · ${APPEAL_REASON}`);
  await leader.locator(`#evidence-${taskId}`).fill(EVIDENCE);
  const reported = await submit(leader, `#report-${taskId}`, '报告整改完成');
  assert.equal(reported?.status(), 200);
  assert.equal(pathOf(leader), casePath);
  assert.match(await text(leader, `#task-${taskId} h3`), /待核验$/);
  assert.match(await text(leader, `#task-${taskId} dl`), new RegExp(`完成情况 ${EVIDENCE}`));
  assert.equal(await leader.locator(`#verify-${taskId}`).count(), 0, 'she does not verify her own task');
  await snap(leader, 'cases-10-leader-reported');

  await discipline.goto(at(casePath));
  assert.match(await text(discipline, `#task-${taskId} h3`), /待核验$/);
  await discipline.locator(`#vnote-${taskId}`).fill(VERIFY_NOTE);
  const verified = await submit(discipline, `#verify-${taskId}`, '核验通过');
  assert.equal(verified?.status(), 200);
  assert.match(await text(discipline, `#task-${taskId} h3`), /已核验$/);
  assert.match(await text(discipline, `#task-${taskId} dl`), new RegExp(`核验意见 ${VERIFY_NOTE} 核验 2026-11-28 · 钱纪明`));

  assert.deepEqual(await stepForms(discipline), ['close']);
  const closed = await submit(discipline, '#form-close', '结案');
  assert.equal(closed?.status(), 200);
  assert.equal(pathOf(discipline), casePath);
  assert.equal(await caseState(discipline), '已结案');
  assert.equal(await fact(discipline, '结案日期'), '2026-11-28');
  assert.deepEqual(await stepForms(discipline), []);
  assert.equal(await text(discipline, 'h2#procedure + .note'), '当前没有可办理的程序环节。');
  assert.equal(await discipline.locator('#task-form').count(), 0);
  assert.equal(await discipline.locator('#fact-form').count(), 0);
  assert.equal(await discipline.locator(`#verify-${taskId}`).count(), 0);
  assert.equal(await text(discipline, 'label[for="note-text"]'), '补充说明（结案后的更正）');
  await discipline.locator('#note-text').fill(ADDENDUM);
  const added = await submit(discipline, '#note-form', '添加补充说明');
  assert.equal(added?.status(), 200);
  assert.equal(pathOf(discipline), casePath);
  assert.equal(await caseState(discipline), '已结案');
  const addenda = discipline.locator('#case-file > li.entry-addendum');
  assert.equal(await addenda.count(), 1);
  assert.match((await addenda.innerText()).replace(/\s+/g, ' ').trim(), new RegExp(`^2026-11-28 补充说明 · 钱纪明 ${ADDENDUM}$`));
  // The file holds every step, in order.
  const file = (await fileEntries(discipline)).join(' | ');
  let at_ = -1;
  for (const step of ['立案', '告知陈述申辩', '提交陈述申辩', '作出问责决定', '登记送达', '提出申诉', '作出申诉复查决定', '结案', '补充说明']) {
    const i = file.indexOf(` ${step} · `, at_ + 1);
    assert.ok(i > at_, `the case file lists ${step} after the steps before it: ${file}`);
    at_ = i;
  }
  await uniqueIds(discipline, `${casePath} as discipline (closed)`);
  await snap(discipline, 'cases-11-closed');

  // ---- 8. The decision downloads as Word.
  const href = await discipline.locator('#decision-docx').getAttribute('href');
  assert.equal(href, `${casePath}/decision.docx`);
  const got = await discipline.evaluate(async (h) => {
    const r = await fetch(h);
    const body = new Uint8Array(await r.arrayBuffer());
    return {
      status: r.status,
      type: r.headers.get('content-type'),
      disposition: r.headers.get('content-disposition'),
      size: body.length,
      magic: String.fromCharCode(body[0], body[1]),
    };
  }, href);
  assert.equal(got.status, 200);
  assert.equal(got.type, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.match(got.disposition ?? '', /^attachment;/);
  assert.equal(got.magic, 'PK', 'a zip (OOXML) file');
  assert.ok(got.size > 1000, `a real document (${got.size} bytes)`);
  const [download] = await Promise.all([
    discipline.waitForEvent('download'),
    discipline.locator('#decision-docx').click(),
  ]);
  assert.match(download.suggestedFilename(), /\.docx$/);
  assert.equal(await download.failure(), null);

  // The workbench says so.
  await discipline.goto(at('/cases'));
  assert.match((await discipline.locator('#case-list tbody tr', { hasText: TITLE }).innerText()).replace(/\s+/g, ' '), /已结案/);
  await snap(discipline, 'cases-12-workbench');

  assert.deepEqual(defects, [], 'the pages walked have no defects');
});

test('no one else sees the case: its page is not found, and /cases shows nothing of it', async (t) => {
  assert.ok(casePath, 'the case was opened by the first test');
  for (const user of ['secretary', 'staff', 'branch', 'supervisor', 'keeper']) {
    const page = await as(t, user);
    const res = await page.goto(at(casePath));
    assert.equal(res?.status(), 404, `${user}: ${casePath} is not found`);
    assert.equal(await text(page, 'h1'), '找不到案件', `${user}: the not-found page`);
    assert.doesNotMatch(await text(page), new RegExp(TITLE), `${user}: nothing of the case`);
    assert.equal(await page.locator('#case-state, #case-facts, #decision-docx').count(), 0);
    const doc = await page.request.get(at(`${casePath}/decision.docx`));
    assert.equal(doc.status(), 404, `${user}: the decision is not found either`);
    if (user === 'secretary') await snap(page, 'cases-13-secretary-not-found');

    const list = await page.goto(at('/cases'));
    assert.equal(list?.status(), 200, `${user}: /cases`);
    assert.equal(await text(page, 'h1'), '问责案件', `${user}: not the workbench`);
    assert.doesNotMatch(await text(page), new RegExp(TITLE), `${user}: /cases shows nothing of the case`);
    assert.equal(await page.locator('#case-list').count(), 0, `${user}: no case list`);
    assert.equal(await text(page, '#asked .empty'), '目前没有需要您办理的问责事项。');
    if (user === 'secretary') await snap(page, 'cases-14-secretary-list');
    await page.goto(at('/'));
    assert.equal(await page.locator('#cases-asked').count(), 0, `${user}: nothing asked on the home page`);
  }
});
