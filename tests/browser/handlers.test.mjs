// Who does the work on an obligation (PRODUCT.md §5), in Debian's chromium against
// `zeren serve --demo --clock 2026-11-28` (see run.sh):
//
//   1. the handler (经办人): cqu-mse's 2026 annual dedicated study, opened from the list by the
//      secretary; the platform operator 刘佳 (`staff`) reads it but may not act on it (no record
//      buttons, no waiver or handler form, the record form refused); the secretary names her
//      handler (a stale form refused with 409); she then finds it among her duties, records the
//      committee meeting that discharges it, and sees it done; another obligation of the
//      secretary's own stays closed to her; done, the study keeps its handler, now fixed;
//   2. a leader acts within the portfolios held (学生工作: youth education: names a handler and
//      removes it again) and not outside them (组织: cadre training);
//   3. the handler section in English.
//
// Shared server: only this file names handlers. It records a committee meeting for the 2026
// annual dedicated study (ledger.test.mjs records one for the 2025 study, and compares its
// dashboard figures within its own test); that study, done, keeps 刘佳 as its handler (a closed
// obligation's handler is not changed any more), which no other file looks at. The youth
// education obligation the leader hands on is left with no handler, as the demo made it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, shot, text } from './lib.mjs';

const ORG = 'cqu-mse';
const ORG_NAME = '材料科学与工程学院';
const YEAR = '2026';
const TODAY = '2026-11-28'; // run.sh's --clock
const STUDY = { id: 'annual-dedicated-study', title: '党委会年度专题研究网络意识形态工作', period: '2026' };
const ANALYSIS = { id: 'situation-analysis', title: '网络意识形态领域情况分析研判', period: '2026-Q4' };
const YOUTH = { id: 'youth-education', title: '青年师生网络文明和网络安全教育', period: '2026-H2' };
const CADRES = { id: 'cadre-training', title: '党员领导干部网络意识形态工作教育培训', period: '2026' };
const STAFF_NAME = '刘佳';
/** How she is offered in the handler list: her name and the posts she holds there. */
const STAFF_CHOICE = '刘佳（新媒体平台管理员）';

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

/**
 * Opens cqu-mse's 2026 obligation of `duty` for `duty.period` from the obligations list,
 * narrowed to the duty by the list's own filter. Returns the obligation's path.
 */
async function openFromList(page, duty) {
  await page.goto(b.url(`/obligations?org=${ORG}&year=${YEAR}`));
  assert.equal(await text(page, 'h1'), '待办事项');
  await page.locator('#f-duty').selectOption(duty.id);
  await navigating(page, () => page.locator('form.ob-filters button[type="submit"]').click());
  const q = new URL(page.url()).searchParams;
  assert.equal(q.get('duty'), duty.id);
  assert.equal(q.get('org'), ORG);
  assert.equal(q.get('year'), YEAR);
  const row = page.locator('#obligations tbody tr', {
    has: page.locator('td:first-child .sub', { hasText: new RegExp(`^${duty.period}$`) }),
  });
  assert.equal(await row.count(), 1, `one ${duty.id} for ${duty.period}: ${await text(page, 'main')}`);
  const link = row.locator('td').first().locator('a[href^="/obligations/"]');
  assert.equal(await link.innerText(), duty.title);
  await navigating(page, () => link.click());
  const path = pathOf(page);
  assert.match(path, /^\/obligations\/[^/]+$/);
  assert.match(await text(page, 'h1'), new RegExp(`^${duty.title} `));
  return path;
}

/** The "记录：…" buttons of the obligation's evidence section. */
function recordButtons(page) {
  return page.locator('section[aria-labelledby="evidence-h"] a.button[href^="/records/new?"]');
}

/**
 * What the signed-in user may do on the obligation page shown: how many record buttons,
 * waiver forms and handler forms it offers.
 */
async function offers(page) {
  return {
    records: await recordButtons(page).count(),
    waiver: await page.locator('form.ob-waiver').count(),
    handler: await page.locator('form.ob-handler').count(),
  };
}

/** The id of the obligation at `path`. */
function idOf(path) {
  return path.split('/').pop();
}

/** Opens the record form for the obligation directly; it must answer 403 (无权访问). */
async function recordFormRefused(page, path) {
  const res = await page.goto(b.url(`/records/new?obligation=${idOf(path)}`));
  assert.equal(res?.status(), 403, `the record form for ${path} as ${await text(page, '.who-am-i')}`);
  assert.equal(await text(page, 'h1'), '无权访问');
  assert.equal(await page.locator('form.records-form').count(), 0);
}

test('1. the secretary names 刘佳 handler; she then keeps the annual dedicated study’s record', async (t) => {
  const sec = await b.page(t, { as: 'secretary' });
  const staff = await b.page(t, { as: 'staff' });

  // The secretary opens the 2026 study from the college's list: open, nobody named to handle it,
  // and the form to name somebody, with "none" first and 刘佳 among the choices.
  const path = await openFromList(sec, STUDY);
  assert.equal(await text(sec, '#ob-status'), '未到期');
  assert.equal(await text(sec, '.ob-facts time'), '2026-12-31');
  assert.match(await text(sec, '#ob-responsible'), /由李明华负责/);
  const section = sec.locator('section.ob-responsible');
  assert.equal(await section.locator('h3').first().innerText(), '经办人');
  assert.equal(await text(sec, '#ob-handler'), '未指定经办人');
  assert.deepEqual(await offers(sec), { records: 1, waiver: 1, handler: 1 });
  assert.equal(await text(sec, 'form.ob-handler label[for="h-person"]'), '指定经办人');
  assert.equal(await sec.locator('#h-person').getAttribute('name'), 'handler');
  const first = sec.locator('#h-person option').first();
  assert.equal(await first.innerText(), '（不指定）');
  assert.equal(await first.getAttribute('value'), '');
  assert.equal(await sec.locator('#h-person').inputValue(), '', 'nobody is chosen yet');
  const choices = await sec.locator('#h-person option').allInnerTexts();
  assert.ok(choices.includes(STAFF_CHOICE), `刘佳 may be named: ${choices.join('、')}`);
  assert.ok(!choices.some((c) => c.startsWith('王建国')), `the former secretary holds no post today: ${choices.join('、')}`);
  assert.equal(await text(sec, 'form.ob-handler button[type="submit"]'), '保存经办人');
  await shot(sec, 'handlers-1-secretary-no-handler');

  // 刘佳 reads the same page, but may act on none of it.
  await staff.goto(b.url(path));
  assert.equal(await text(staff, '.who-am-i'), STAFF_NAME);
  assert.match(await text(staff, 'h1'), new RegExp(`^${STUDY.title} 未到期$`));
  assert.equal(await text(staff, '#ob-handler'), '未指定经办人');
  assert.deepEqual(await offers(staff), { records: 0, waiver: 0, handler: 0 });
  assert.equal(await text(staff, 'section[aria-labelledby="evidence-h"] .empty'), '尚未挂接佐证材料。');
  await shot(staff, 'handlers-2-staff-reads-only');
  await recordFormRefused(staff, path);
  await shot(staff, 'handlers-3-staff-record-form-403');
  // Not among her duties.
  await staff.goto(b.url('/'));
  assert.equal(await text(staff, 'h1'), '刘佳，您好');
  assert.doesNotMatch(await text(staff, '#duties-h + *'), new RegExp(STUDY.title));

  // A second tab of the secretary's, opened now, goes stale when the first one saves.
  const stale = await sec.context().newPage();
  await stale.goto(b.url(path));
  assert.equal(await text(stale, '#ob-handler'), '未指定经办人');

  // The secretary names 刘佳 (chosen by her name) and saves: back on the page, which shows her.
  await sec.locator('#h-person').selectOption({ label: STAFF_CHOICE });
  await shot(sec, 'handlers-4-secretary-names-liujia');
  const saved = await navigating(sec, () => sec.locator('form.ob-handler button[type="submit"]').click());
  assert.equal(saved?.status(), 200);
  assert.equal(pathOf(sec), path);
  assert.equal(await text(sec, '#ob-handler'), STAFF_NAME);
  assert.equal(await sec.locator('#ob-handler.note').count(), 0, 'a name, not the "nobody" note');
  assert.equal(await sec.locator('#h-person option:checked').innerText(), STAFF_CHOICE);
  assert.equal(await sec.locator('#ob-error').count(), 0);
  // Still the secretary's to act on.
  assert.deepEqual(await offers(sec), { records: 1, waiver: 1, handler: 1 });
  await shot(sec, 'handlers-5-secretary-handler-saved');

  // The stale tab: whatever it sends is refused (409) with a message, and 刘佳 stays named.
  await stale.locator('#h-person').selectOption({ label: '（不指定）' });
  const conflict = await navigating(stale, () => stale.locator('form.ob-handler button[type="submit"]').click());
  assert.equal(conflict?.status(), 409);
  assert.equal(await stale.locator('#ob-error').getAttribute('role'), 'alert');
  const versions = (await text(stale, '#ob-error')).match(
    /^该事项已被他人修改（您看到的是第 (\d+) 版，当前为第 (\d+) 版），请刷新后重试。$/,
  );
  assert.ok(versions, `the stale form's message: ${await text(stale, '#ob-error')}`);
  assert.equal(Number(versions[2]), Number(versions[1]) + 1, 'one change since the tab was opened');
  assert.match(await text(stale, '#ob-handler'), new RegExp(STAFF_NAME), 'the refused page shows the handler as it is');
  await shot(stale, 'handlers-6-stale-form-409');
  await stale.goto(b.url(path));
  assert.equal(await text(stale, '#ob-handler'), STAFF_NAME);
  await stale.close();

  // 刘佳's home lists the duty among hers now.
  await staff.reload();
  const mine = staff.locator('#my-duties tbody tr', { hasText: STUDY.title });
  assert.equal(await mine.count(), 1, `my duties: ${await text(staff, 'main')}`);
  assert.equal(await mine.locator('td').nth(1).innerText(), ORG_NAME);
  assert.equal(await mine.locator('time').innerText(), '2026-12-31');
  assert.equal((await mine.locator('.status').innerText()).trim(), '未到期');
  await shot(staff, 'handlers-7-staff-my-duties');

  // The obligation offers her the committee meeting's form, and the waiver request; naming the
  // handler stays with the secretary.
  await staff.goto(b.url(path));
  assert.equal(await text(staff, '#ob-handler'), STAFF_NAME);
  assert.deepEqual(await offers(staff), { records: 1, waiver: 1, handler: 0 });
  const recordLink = recordButtons(staff);
  assert.equal(await recordLink.innerText(), '登记佐证材料：党委会会议记录');
  const href = (await recordLink.getAttribute('href')) ?? '';
  const q = new URL(href, 'http://x').searchParams;
  assert.equal(q.get('kind'), 'committee-meeting');
  assert.equal(q.get('obligation'), idOf(path));
  await shot(staff, 'handlers-8-staff-may-record');

  // The committee meeting, held on 20 November, recorded by her.
  await navigating(staff, () => recordLink.click());
  assert.equal(pathOf(staff), '/records/new');
  assert.match(await text(staff, 'h1'), /党委会会议记录/);
  assert.equal(await staff.locator('.records-for a').getAttribute('href'), path);
  assert.match(await text(staff, '.records-for'), new RegExp(`「${STUDY.title}」`));
  assert.equal(await staff.locator('#date').inputValue(), TODAY);
  const meeting = {
    date: '2026-11-20',
    title: '党委会2026年度网络意识形态工作专题研究会议',
    agenda: '专题研究学院2026年度网络意识形态工作，分析研判形势，部署下一年度重点任务',
    minutes: '李明华同志主持会议，刘佳同志汇报学院新媒体平台运行和网络舆情情况，与会同志逐一发言，研究部署相关工作。',
    decisions: '一、压实各平台主管责任；二、开展一次全院网络素养教育。',
  };
  const attendees = ['李明华', '赵敏', STAFF_NAME];
  const attendee = (name) =>
    staff.locator('label', { hasText: `${name}（${ORG_NAME}）` }).locator('input[name="attendees"]');
  const onlineTopic = staff.locator('input[name="agenda.1.topics"][value="online-ideology"]');
  await staff.locator('#date').fill(meeting.date);
  await staff.locator('#title').fill(meeting.title);
  for (const name of attendees) await attendee(name).check();
  await staff.locator('#agenda-1').fill(meeting.agenda);
  await onlineTopic.check();
  await staff.locator('#minutes').fill(meeting.minutes);
  await staff.locator('#decisions').fill(meeting.decisions);
  await shot(staff, 'handlers-9-staff-meeting-form');
  const filed = await navigating(staff, () => staff.locator('form.records-form button[type="submit"]').click());
  assert.equal(filed?.status(), 200, `the meeting is saved: ${await text(staff, 'main')}`);

  // Back on the obligation: done on the meeting's day, the meeting its evidence, linked by her.
  assert.equal(pathOf(staff), path);
  assert.equal(await text(staff, '#ob-status'), '已完成');
  assert.match((await staff.locator('#ob-status').getAttribute('class')) ?? '', /\bstatus-done\b/);
  assert.match(await text(staff, '.ob-facts'), new RegExp(`完成日期 ${meeting.date}`));
  const evidence = staff.locator('ul.ob-evidence > li');
  assert.equal(await evidence.count(), 1);
  const evidenceLink = evidence.locator('a[href^="/records/"]');
  assert.equal(await evidenceLink.innerText(), meeting.title);
  assert.match(
    await evidence.locator(':scope > .sub').innerText(),
    new RegExp(`^党委会会议记录 · ${meeting.date} · ${STAFF_NAME} 于 ${TODAY} \\d{2}:\\d{2} 挂接$`),
  );
  await shot(staff, 'handlers-10-staff-obligation-done');

  // The meeting's page shows what she typed, and the obligation it discharges, done.
  await navigating(staff, () => evidenceLink.click());
  const recordPath = pathOf(staff);
  assert.match(recordPath, /^\/records\/[^/]+$/);
  assert.equal(await text(staff, 'h1'), meeting.title);
  const fields = await text(staff, '.records-fields');
  for (const s of [meeting.minutes, meeting.decisions, `1. ${meeting.agenda}（网络意识形态工作）`, ...attendees]) {
    assert.ok(fields.includes(s), `the record shows ${s}: ${fields}`);
  }
  const discharges = staff.locator('h2#evidence + .table-wrap tbody tr');
  assert.equal(await discharges.count(), 1);
  assert.equal(await discharges.locator(`a[href="${path}"]`).innerText(), STUDY.title);
  assert.equal((await discharges.locator('.status').innerText()).trim(), '已完成');
  await shot(staff, 'handlers-11-staff-meeting-record');
  await navigating(staff, () => discharges.locator(`a[href="${path}"]`).click());
  assert.equal(pathOf(staff), path);
  assert.equal(await text(staff, '#ob-status'), '已完成');
  assert.equal(await staff.locator(`ul.ob-evidence a[href="${recordPath}"]`).count(), 1);
  // Done: more records may still be added, nothing is left to waive.
  assert.deepEqual(await offers(staff), { records: 1, waiver: 0, handler: 0 });
  assert.equal(await text(staff, 'section[aria-labelledby="evidence-h"] .note'), '本事项已完成；如有补充材料，可继续登记：');

  // Her home: the duty, done.
  await staff.goto(b.url('/'));
  const done = staff.locator('#my-duties tbody tr', { hasText: STUDY.title });
  assert.equal((await done.locator('.status').innerText()).trim(), '已完成');

  // Another obligation of the secretary's own, the situation analysis of the next quarter:
  // she reads it, and may do nothing on it.
  const other = await openFromList(staff, ANALYSIS);
  assert.equal(await text(staff, '#ob-status'), '未到期');
  assert.match(await text(staff, '#ob-responsible'), /由李明华负责/);
  assert.equal(await text(staff, '#ob-handler'), '未指定经办人');
  assert.deepEqual(await offers(staff), { records: 0, waiver: 0, handler: 0 });
  await shot(staff, 'handlers-12-staff-other-obligation');
  await recordFormRefused(staff, other);

  // The secretary sees the study done by 刘佳's meeting. 刘佳 stays its handler: a closed
  // obligation's handler is no longer changed, so the form is gone.
  await sec.goto(b.url(path));
  assert.equal(await text(sec, '#ob-status'), '已完成');
  assert.equal(await sec.locator(`ul.ob-evidence a[href="${recordPath}"]`).count(), 1);
  assert.equal(await text(sec, '#ob-handler'), STAFF_NAME);
  assert.equal(await sec.locator('form.ob-handler').count(), 0);
  await shot(sec, 'handlers-13-secretary-sees-done');
});

test('2. a leader acts within the portfolios held (学生工作), not outside them (组织)', async (t) => {
  const page = await b.page(t, { as: 'leader' });

  // Youth education: the student-affairs portfolio, 赵敏's — hers to record and to hand on.
  const youth = await openFromList(page, YOUTH);
  assert.match(await text(page, '#ob-responsible'), /由赵敏负责/);
  assert.match(await text(page, '.ob-responsible'), /第一责任人：李明华/);
  const mine = await offers(page);
  assert.equal(mine.handler, 1, 'the handler form');
  assert.ok(mine.records >= 1, `record buttons: ${JSON.stringify(mine)}`);
  assert.equal(await text(page, 'form.ob-handler label[for="h-person"]'), '指定经办人');
  const hrefs = await recordButtons(page).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const href of hrefs) {
    assert.equal(new URL(href, 'http://x').searchParams.get('obligation'), idOf(youth));
  }
  assert.ok(
    hrefs.some((h) => new URL(h, 'http://x').searchParams.get('kind') === 'education-activity'),
    `an education activity: ${hrefs.join(' ')}`,
  );
  await shot(page, 'handlers-14-leader-youth-education');

  // She may hand it on, and take it back: 刘佳 named, then nobody, as the demo had it.
  await page.locator('#h-person').selectOption({ label: STAFF_CHOICE });
  await navigating(page, () => page.locator('form.ob-handler button[type="submit"]').click());
  assert.equal(pathOf(page), youth);
  assert.equal(await text(page, '#ob-handler'), '刘佳');
  await page.locator('#h-person').selectOption({ label: '（不指定）' });
  await navigating(page, () => page.locator('form.ob-handler button[type="submit"]').click());
  assert.equal(pathOf(page), youth);
  assert.equal(await text(page, '#ob-handler'), '未指定经办人');
  assert.equal(await page.locator('#h-person').inputValue(), '');

  // Cadre training: the organisation portfolio, 吴静's — the leader reads it only.
  const cadres = await openFromList(page, CADRES);
  assert.doesNotMatch(await text(page, '#ob-responsible'), /赵敏/);
  assert.equal(await text(page, '#ob-handler'), '未指定经办人');
  assert.deepEqual(await offers(page), { records: 0, waiver: 0, handler: 0 });
  await shot(page, 'handlers-15-leader-cadre-training');
  await recordFormRefused(page, cadres);
});

test('3. the handler section in English', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  const path = await openFromList(page, YOUTH);
  await page.goto(b.url(`${path}?lang=en`));
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('section.ob-responsible h3').first().innerText(), 'Handler');
  assert.equal(await text(page, '#ob-handler'), 'No handler named');
  assert.equal(await text(page, 'form.ob-handler label[for="h-person"]'), 'Name the handler');
  assert.equal(await page.locator('#h-person option').first().innerText(), '(none)');
  assert.equal(await text(page, 'form.ob-handler button[type="submit"]'), 'Save handler');
  assert.match(await text(page, 'form.ob-handler .hint'), /^The handler keeps this obligation's records/);
  // The form keeps the page's language.
  assert.match((await page.locator('form.ob-handler').getAttribute('action')) ?? '', /[?&]lang=en\b/);
  await shot(page, 'handlers-16-handler-en');
});
