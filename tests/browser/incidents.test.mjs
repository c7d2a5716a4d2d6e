// Incidents (舆情事件, Art.4(4), Art.3) as their users walk them, on a demo of its own (clock
// 2026-11-28 12:00 Asia/Shanghai).
//
// The college office (刘佳) records an incident on the college's WeChat account: a time of
// notice in the future and no facts are refused at their fields, nothing recorded; then it is
// recorded as 一般, its first response due in 24 hours. Raised to 重大 at noon, the first response
// is due at 13:00, the first responsible person (李明华) is told at once, and Art.3's panel
// appears. The office records its first response and assessment; closing is still refused under
// Art.3 (409). The office attaches a screenshot to its first response (the entry's own upload)
// and records its assessment with the report in one go; both are listed under their entries and
// download as attachments. The secretary finds the notice, records their own instruction and
// signs off; the office closes the incident with its review and one rectification task: the
// incident's duty is done and the task's is owed, and no file can be added any more. The discipline commission reads the incident, open and closed,
// and handles nothing; the statistics are charts; the incident's page fits a phone (390 px).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, shot, text, assertNoHorizontalScroll } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const b = useBrowser();
const { at } = useFreshInstallation('zeren-incidents-', (zeren) => {
  zeren(['demo', '--clock', '2026-11-28']);
});

const TITLE = '学院公众号推文评论区出现不实信息';
const WECHAT = '重大材料学院 微信公众号';
const FACTS = '11 月 28 日上午，学院微信公众号一篇招生宣传推文的评论区出现关于实验室安全的不实信息，已有转发。';
const RAISE_NOTE = '相关截图被校外微博账号转载，关注度明显上升';
const RESPONSE = '已隐藏相关评论，联系作者核实情况，安排专人值守。';
const ASSESSMENT = '经研判，信息与事实不符，有在校外进一步传播的风险，需统一口径回应。';
const INSTRUCTION = '立即核实，实事求是回应；学院办公室牵头，宣传委员配合，每日报告进展。';
const SIGN_OFF = '同意处置方案，回应稿已审定，可按程序结案。';
const HANDLED = '发布情况说明，澄清不实信息；评论区恢复正常，转发已停止。';
const PREVENTION = '完善公众号评论审核制度，节假日安排值守。';
const TASK = '修订公众号评论管理办法';
/** Files for the timeline: a screenshot (a PNG's signature is enough for the sniffing) and a PDF. */
const SCREENSHOT = Object.freeze({
  name: '评论截图.png',
  mimeType: 'image/png',
  buffer: Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR screenshot of the comments', 'latin1'),
});
const REPORT = Object.freeze({
  name: '研判报告.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n% assessment report\n%%EOF\n', 'latin1'),
});

/** A 390-px phone (iPhone 12-class). */
const PHONE_390 = Object.freeze({
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
});

/** The incident's page (`/incidents/{id}`), once the first test has recorded it. */
let incidentPath = '';

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
  const raw = (await text(page)).match(/\b(?:incidents|reminder|status|nav|notify|obligations)\.[a-z][\w.-]*/g);
  assert.equal(raw, null, `${name}: catalogue keys shown raw: ${raw?.join(', ')}`);
  return shot(page, name);
}

/** The one row (tr) of `table` holding `label`, as text. */
async function rowText(page, table, label) {
  const row = page.locator(`${table} tbody tr`, { hasText: label });
  assert.equal(await row.count(), 1, `${table}: one row holds "${label}"`);
  return (await row.innerText()).replace(/\s+/g, ' ').trim();
}

/** The rows of the timeline of entries of `kind` (tr.entry-KIND), as text: when, kind, by whom
 * and what (the files' column apart, see `files`). */
async function entries(page, kind) {
  const rows = page.locator(`#incident-timeline tbody tr.entry-${kind}`);
  return rows.evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].slice(0, 4).map((c) => c.innerText).join(' ').replace(/\s+/g, ' ').trim()),
  );
}

/** The names of the files listed under the timeline's entries of `kind`. */
async function files(page, kind) {
  return page.locator(`#incident-timeline tbody tr.entry-${kind} .entry-files a`).allInnerTexts();
}

/** The forms by which an incident is handled, and how many of each the page holds. */
async function forms(page) {
  const out = {};
  for (const id of ['severity-form', 'entry-form', 'sign-off-form', 'close-form', 'pause-form']) {
    out[id] = await page.locator(`#${id}`).count();
  }
  return out;
}

/** Adds a timeline entry through #entry-form at the time it offers (now), with a file when given. */
async function addEntry(page, kind, detail, file) {
  await page.locator('#entry-kind').selectOption(kind);
  assert.equal(await page.locator('#entry-at').inputValue(), '2026-11-28 12:00');
  await page.locator('#entry-detail').fill(detail);
  if (file) await page.locator('#entry-file').setInputFiles(file);
  const res = await navigating(page, () =>
    page.locator('#entry-form').getByRole('button', { name: '添加记录', exact: true }).click(),
  );
  assert.equal(res?.status(), 200, `adding a ${kind} entry`);
  assert.equal(pathOf(page), incidentPath);
}

test('an incident is recorded, raised to major, handled under Art.3 and closed with its review', async (t) => {
  const staff = await as(t, 'staff');

  // ---- 1. The ledger, and the form.
  await navigating(staff, () => staff.locator('.main-nav a[href="/incidents"]').click());
  assert.equal(pathOf(staff), '/incidents');
  assert.equal(await text(staff, 'h1'), '舆情事件台账');
  // The demo's two: one on the WeChat account this morning, its assessment clock running; one
  // on the website last week, closed within every clock.
  assert.match(await rowText(staff, '#incident-ledger', '学院微信公众号推文评论区出现不实说法'), /较大.*研判 · 计时中.*处置中/);
  assert.match(await rowText(staff, '#incident-ledger', '学院官网新闻稿数据有误引发留言质疑'), /一般.*结案报告 · 按时完成.*已结案/);
  await snap(staff, 'incidents-1-ledger');

  await navigating(staff, () => staff.getByRole('link', { name: '登记舆情事件' }).click());
  assert.match(pathOf(staff), /^\/incidents\/new/);
  assert.equal(await text(staff, 'h1'), '登记舆情事件');
  assert.equal(await staff.locator('#org-name').inputValue(), '材料科学与工程学院');
  assert.equal(await staff.locator('#noticed_at').inputValue(), '2026-11-28 12:00');
  assert.match(await staff.locator('#handler option:checked').innerText(), /刘佳/);
  // The scale, with what each level means and its clocks (24 hours read 1 天).
  const scale = await text(staff, 'fieldset:has(input[name="severity"])');
  assert.match(scale, /一般 — 影响限于本院，关注度低，未在校外传播 首次响应 1 天 · 研判 3 天 · 结案报告 30 天/);
  assert.match(scale, /重大 — 引起校外广泛关注或媒体报道[^·]*首次响应 1 小时 · 研判 1 天 · 结案报告 7 天 · 第一责任人亲自处置/);
  assert.equal(await staff.locator('input[name="severity"]').count(), 4);
  await snap(staff, 'incidents-2-form');

  // No facts, and a time of notice after now: refused at both fields, the rest kept.
  await staff.locator('#title').fill(TITLE);
  await staff.locator('#platform').selectOption('cqu-mse-wechat');
  await staff.locator('#noticed_at').fill('2026-11-28 13:00');
  await staff.locator('#channel').selectOption('self-found');
  await staff.locator('#source').fill('学院公众号后台');
  await staff.locator('input[name="severity"][value="general"]').check();
  await staff.locator('#handler').selectOption(await optionValue(staff, '#handler', '刘佳'));
  const refused = await navigating(staff, () => staff.getByRole('button', { name: '登记', exact: true }).click());
  assert.equal(refused?.status(), 422);
  assert.match(pathOf(staff), /^\/incidents\/new/);
  assert.equal(await text(staff, '.org-field.has-error:has(#facts) .field-error'), '事件经过不能为空');
  assert.match(
    await text(staff, '.org-field.has-error:has(#noticed_at) .field-error'),
    /发现时间（2026-11-28 13:00）晚于现在（2026-11-28 12:00）/,
  );
  assert.equal(await staff.locator('.field-error').count(), 2);
  assert.equal(await staff.locator('#title').inputValue(), TITLE);
  assert.equal(await staff.locator('#platform').inputValue(), 'cqu-mse-wechat');
  assert.equal(await staff.locator('#noticed_at').inputValue(), '2026-11-28 13:00');
  assert.equal(await staff.locator('#channel').inputValue(), 'self-found');
  assert.ok(await staff.locator('input[name="severity"][value="general"]').isChecked());
  await snap(staff, 'incidents-3-form-refused');

  // Nothing was recorded.
  const ledger = await staff.context().newPage();
  await ledger.goto(at('/incidents'));
  assert.equal(await ledger.locator('#incident-ledger tbody tr', { hasText: TITLE }).count(), 0);
  assert.equal(await ledger.locator('#incident-ledger tbody tr').count(), 2, "the demo's two alone");
  await ledger.close();

  await staff.locator('#noticed_at').fill('2026-11-28 09:00');
  await staff.locator('#facts').fill(FACTS);
  const recorded = await navigating(staff, () => staff.getByRole('button', { name: '登记', exact: true }).click());
  assert.equal(recorded?.status(), 200);
  assert.match(pathOf(staff), /^\/incidents\/[0-9a-f-]+$/);
  incidentPath = pathOf(staff);

  // ---- 2. The incident's page: 一般, the first response due in 24 hours.
  assert.match(await text(staff, 'h1'), new RegExp(`${TITLE}\\s*一般\\s*处置中`));
  assert.equal(await text(staff, '#severity'), '一般');
  const facts = await text(staff, '.org-facts');
  assert.match(facts, /发现时间 2026-11-28 09:00/);
  assert.match(facts, /发现渠道 自查发现 · 学院公众号后台/);
  assert.match(facts, new RegExp(`涉及平台 ${WECHAT}`));
  assert.match(facts, /处置责任人 刘佳/);
  assert.match(facts, /第一责任人 李明华/);
  assert.match(await rowText(staff, '#incident-clocks', '首次响应'), /^首次响应 1 天 2026-11-29 09:00 计时中$/);
  assert.match(await rowText(staff, '#incident-clocks', '研判'), /^研判 3 天 2026-12-01 09:00 计时中$/);
  assert.match(await rowText(staff, '#incident-clocks', '结案报告'), /^结案报告 30 天 2026-12-28 09:00 计时中$/);
  assert.equal(await staff.locator('#personal-handling').count(), 0);
  // The timeline's first row is the recording itself, with its first severity.
  assert.equal(await staff.locator('#incident-timeline tbody tr').count(), 1);
  assert.match(await text(staff, '#incident-timeline tbody tr.entry-recorded td:nth-child(2)'), /^登记\s*一般$/);
  // The office handles it, but the instruction is the first responsible person's own.
  const kinds = await staff.locator('#entry-kind option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(kinds, ['response', 'assessment', 'action', 'note']);
  assert.equal(await staff.locator('#sign-off-form').count(), 0);
  // Its duty is owed at once, due with the closure report.
  assert.match(facts, /结案报告期限 2026-12-28/);
  assert.match(await rowText(staff, 'h2#duties + .table-wrap table', '舆情事件及时处置'), /^舆情事件及时处置 本事件 2026-12-28 未到期$/);
  await snap(staff, 'incidents-4-recorded');

  // ---- 3. Raised to 重大 at noon: one hour for the first response from the raise.
  assert.deepEqual(
    await staff.locator('#new-severity option').evaluateAll((os) => os.map((o) => o.value)),
    ['', 'considerable', 'major', 'especially-major'],
  );
  await staff.locator('#new-severity').selectOption('major');
  await staff.locator('#severity-note').fill(RAISE_NOTE);
  const raised = await navigating(staff, () =>
    staff.locator('#severity-form').getByRole('button', { name: '调整等级', exact: true }).click(),
  );
  assert.equal(raised?.status(), 200);
  assert.equal(pathOf(staff), incidentPath);
  assert.equal(await text(staff, '#severity'), '重大');
  const change = await entries(staff, 'severity');
  assert.equal(change.length, 1);
  assert.match(change[0], /^2026-11-28 12:00 .*调整等级 一般 → 重大 刘佳/);
  assert.match(change[0], new RegExp(RAISE_NOTE));
  const art3 = await text(staff, '#personal-handling');
  assert.match(art3, /第一责任人亲自处置（第三条）/);
  assert.match(art3, /第一责任人：李明华。/);
  assert.match(art3, /第一责任人批示 · 尚未完成/);
  assert.match(art3, /第一责任人签批 · 尚未完成/);
  // At the fixed clock (12:00) the first response is still running, due at 13:00.
  assert.match(await rowText(staff, '#incident-clocks', '首次响应'), /^首次响应 1 小时 2026-11-28 13:00 计时中$/);
  // 3 hours run of 24 more: 2026-11-29 12:00; of 7 days more: 2026-12-05 12:00.
  assert.match(await rowText(staff, '#incident-clocks', '研判'), /^研判 1 天 2026-11-29 12:00 计时中$/);
  assert.match(await rowText(staff, '#incident-clocks', '结案报告'), /^结案报告 7 天 2026-12-05 12:00 计时中$/);
  // The closure report, and so the incident's duty, are due sooner.
  assert.match(await text(staff, '.org-facts'), /结案报告期限 2026-12-05/);
  assert.match(await rowText(staff, 'h2#duties + .table-wrap table', '舆情事件及时处置'), /^舆情事件及时处置 本事件 2026-12-05 即将到期$/);
  await snap(staff, 'incidents-5-raised');

  // The ledger says so too.
  await staff.goto(at('/incidents'));
  const listed = await rowText(staff, '#incident-ledger', TITLE);
  assert.match(listed, new RegExp(`2026-11-28 09:00 材料科学与工程学院 ${WECHAT} 重大 第一责任人亲自处置 刘佳`));
  assert.match(listed, /首次响应 · 计时中 2026-11-28 13:00/);
  assert.match(listed, /处置中$/);
  await staff.goto(at(incidentPath));

  // ---- 4. The first response and the assessment, with their files.
  await addEntry(staff, 'response', RESPONSE);
  // The screenshot goes on the response by the entry's own upload form.
  const responseRow = staff.locator('#incident-timeline tbody tr.entry-response');
  await responseRow.locator('summary', { hasText: '添加附件' }).click();
  await responseRow.locator('input[type="file"]').setInputFiles(SCREENSHOT);
  const uploaded = await navigating(staff, () =>
    responseRow.getByRole('button', { name: '上传', exact: true }).click(),
  );
  assert.equal(uploaded?.status(), 200);
  assert.equal(pathOf(staff), incidentPath);
  assert.deepEqual(await files(staff, 'response'), [SCREENSHOT.name]);
  // The assessment and its report in one go.
  await addEntry(staff, 'assessment', ASSESSMENT, REPORT);
  assert.deepEqual(await files(staff, 'assessment'), [REPORT.name]);
  assert.deepEqual(await files(staff, 'recorded'), []);
  // The report downloads as an attachment, the same bytes.
  const href = await staff.locator('#incident-timeline tr.entry-assessment .entry-files a').getAttribute('href');
  assert.match(href, new RegExp(`^${incidentPath}/attachments/[0-9a-f]{64}$`));
  const got = await staff.request.get(at(href));
  assert.equal(got.status(), 200);
  assert.equal(got.headers()['content-type'], 'application/pdf');
  assert.match(got.headers()['content-disposition'], /^attachment;/);
  assert.deepEqual(Buffer.from(await got.body()), REPORT.buffer);
  const response = await entries(staff, 'response');
  assert.equal(response.length, 1);
  assert.match(response[0], new RegExp(`^2026-11-28 12:00 .*首次响应 刘佳 ${RESPONSE}$`));
  const assessment = await entries(staff, 'assessment');
  assert.equal(assessment.length, 1);
  assert.match(assessment[0], new RegExp(`^2026-11-28 12:00 .*研判 刘佳 ${ASSESSMENT}$`));
  assert.match(await rowText(staff, '#incident-clocks', '首次响应'), /^首次响应 1 小时 2026-11-28 12:00 按时完成$/);
  assert.match(await rowText(staff, '#incident-clocks', '研判'), /^研判 1 天 2026-11-28 12:00 按时完成$/);
  assert.match(await rowText(staff, '#incident-clocks', '结案报告'), /计时中$/);
  await snap(staff, 'incidents-6-handled');

  // ---- 5. Closing is refused under Art.3: no instruction of the first responsible person.
  await staff.locator('#handled').fill(HANDLED);
  await staff.locator('#prevention').fill(PREVENTION);
  const early = await navigating(staff, () =>
    staff.locator('#close-form').getByRole('button', { name: '结案', exact: true }).click(),
  );
  assert.equal(early?.status(), 409);
  const why = await text(staff, 'h2#closure ~ .org-alert[role="alert"]');
  assert.match(why, /第三条/);
  assert.match(why, /李明华尚未记录本人的批示或处置决定，不能结案/);
  assert.match(await text(staff, 'h1'), /处置中/);
  assert.equal(await staff.locator('#close-form').count(), 1);
  await snap(staff, 'incidents-7-close-refused');

  // The discipline commission reads the open incident, and handles nothing.
  const reader = await as(t, 'discipline');
  const read = await reader.goto(at(incidentPath));
  assert.equal(read?.status(), 200);
  assert.match(await text(reader, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*处置中`));
  assert.match(await text(reader, '#personal-handling'), /第一责任人批示 · 尚未完成/);
  assert.equal(await reader.locator('#incident-timeline tbody tr').count(), 4);
  // The files are listed for the reader, who cannot add any.
  assert.deepEqual(await files(reader, 'response'), [SCREENSHOT.name]);
  assert.equal(await reader.locator('.entry-attach-form').count(), 0);
  assert.deepEqual(await forms(reader), {
    'severity-form': 0,
    'entry-form': 0,
    'sign-off-form': 0,
    'close-form': 0,
    'pause-form': 0,
  });
  assert.match(await text(reader, 'h2#closure + .note'), /事件尚未结案/);
  await snap(reader, 'incidents-7b-discipline-open');

  // ---- 6. The first responsible person: told at once, instructs, signs off.
  const secretary = await as(t, 'secretary');
  await navigating(secretary, () => secretary.locator('a[href="/notifications"]').first().click());
  assert.equal(pathOf(secretary), '/notifications');
  const notice = secretary.locator('.notify-item', { hasText: TITLE });
  assert.equal(await notice.count(), 1, 'one notice about the incident');
  assert.equal(await text(secretary, `#${await notice.getAttribute('id')} .notify-kind`), '重大舆情');
  assert.match(
    await text(secretary, `#${await notice.getAttribute('id')} .notify-text`),
    new RegExp(`材料科学与工程学院：舆情事件「${TITLE}」已定为重大，须由第一责任人亲自处置并签批（第三条）。`),
  );
  await snap(secretary, 'incidents-8-notice');

  await secretary.goto(at(incidentPath));
  assert.equal(await text(secretary, '#severity'), '重大');
  assert.ok((await secretary.locator('#entry-kind option').evaluateAll((os) => os.map((o) => o.value))).includes('instruction'));
  assert.equal(await secretary.locator('#sign-off-form').count(), 0);
  await addEntry(secretary, 'instruction', INSTRUCTION);
  const instruction = await entries(secretary, 'instruction');
  assert.equal(instruction.length, 1);
  assert.match(instruction[0], new RegExp(`^2026-11-28 12:00 .*第一责任人批示 李明华 第一责任人 ${INSTRUCTION}$`));
  assert.match(await text(secretary, '#personal-handling'), /第一责任人批示 · 已完成 第一责任人签批 · 尚未完成/);
  assert.equal(await secretary.locator('#sign-off-form').count(), 1);
  await snap(secretary, 'incidents-9-instruction');

  await secretary.locator('#sign-off-detail').fill(SIGN_OFF);
  const signed = await navigating(secretary, () =>
    secretary.locator('#sign-off-form').getByRole('button', { name: '签批', exact: true }).click(),
  );
  assert.equal(signed?.status(), 200);
  assert.equal(pathOf(secretary), incidentPath);
  const signOff = await entries(secretary, 'sign-off');
  assert.equal(signOff.length, 1);
  assert.match(signOff[0], new RegExp(`^2026-11-28 12:00 .*第一责任人签批 李明华 第一责任人 ${SIGN_OFF}$`));
  assert.match(await text(secretary, '#personal-handling'), /第一责任人批示 · 已完成 第一责任人签批 · 已完成/);
  assert.match(await secretary.locator('#personal-handling').getAttribute('class'), /\bdone\b/);
  await snap(secretary, 'incidents-10-signed-off');

  // ---- 7. The office closes it with the review and one rectification task.
  await staff.goto(at(incidentPath));
  await staff.locator('#handled').fill(HANDLED);
  await staff.locator('#prevention').fill(PREVENTION);
  await staff.locator('input[name="task.1.title"]').fill(TASK);
  await staff.locator('select[name="task.1.owner"]').selectOption(await optionValue(staff, 'select[name="task.1.owner"]', '刘佳'));
  await staff.locator('input[name="task.1.deadline"]').fill('2026-12-31');
  const closed = await navigating(staff, () =>
    staff.locator('#close-form').getByRole('button', { name: '结案', exact: true }).click(),
  );
  assert.equal(closed?.status(), 200);
  assert.equal(pathOf(staff), incidentPath);
  assert.match(await text(staff, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*已结案`));
  assert.match(await text(staff, '.org-facts'), /结案时间 2026-11-28 12:00/);
  const review = await text(staff, 'h2#closure + dl.org-facts');
  assert.match(review, new RegExp(`处置情况 ${HANDLED}`));
  assert.match(review, new RegExp(`整改与防范措施 ${PREVENTION}`));
  assert.deepEqual(await forms(staff), {
    'severity-form': 0,
    'entry-form': 0,
    'sign-off-form': 0,
    'close-form': 0,
    'pause-form': 0,
  });
  assert.match(await rowText(staff, '#incident-clocks', '结案报告'), /^结案报告 7 天 2026-11-28 12:00 按时完成$/);
  assert.equal((await entries(staff, 'closed')).length, 1);
  // Its files stay listed; none can be added to a closed incident.
  assert.deepEqual(await files(staff, 'assessment'), [REPORT.name]);
  assert.equal(await staff.locator('.entry-attach-form').count(), 0);
  assert.equal(await staff.locator('#entry-file').count(), 0);
  const duties = 'h2#duties + .table-wrap table';
  const handling = await rowText(staff, duties, '舆情事件及时处置');
  assert.match(handling, /本事件 2026-12-05 已完成$/);
  const handlingRow = staff.locator(`${duties} tbody tr`, { hasText: '舆情事件及时处置' });
  assert.equal(await handlingRow.locator('.status-done').count(), 1);
  // The task's own duty, owed by its deadline, and listed with the closure review.
  assert.match(await rowText(staff, duties, TASK), new RegExp(`^整改任务落实 ${TASK} 2026-12-31 未到期$`));
  assert.match(await rowText(staff, '#incident-tasks', TASK), new RegExp(`^${TASK} 刘佳 2026-12-31$`));
  await snap(staff, 'incidents-11-closed');

  // The incident's duty is the first responsible person's, discharged by the closure.
  await staff.goto(at(await handlingRow.locator('a').getAttribute('href')));
  assert.match(await text(staff, 'h1'), /舆情事件及时处置\s*已完成/);
  assert.match(await text(staff, '#ob-responsible'), /2026-12-05（到期日）由李明华负责/);

  await staff.goto(at('/incidents'));
  assert.match(await rowText(staff, '#incident-ledger', TITLE), /已结案$/);
  await snap(staff, 'incidents-12-ledger');
});

test('the discipline commission reads the incident and handles nothing', async (t) => {
  assert.ok(incidentPath, 'the incident was recorded by the first test');
  const discipline = await as(t, 'discipline');
  await navigating(discipline, () => discipline.locator('.main-nav a[href="/incidents"]').click());
  assert.equal(pathOf(discipline), '/incidents');
  assert.equal(await discipline.getByRole('link', { name: '登记舆情事件' }).count(), 0);
  await navigating(discipline, () => discipline.locator('#incident-ledger').getByRole('link', { name: TITLE }).click());
  assert.equal(pathOf(discipline), incidentPath);
  assert.match(await text(discipline, 'h1'), new RegExp(`${TITLE}\\s*重大\\s*已结案`));
  assert.equal(await discipline.locator('#incident-timeline tbody tr.entry-sign-off').count(), 1);
  assert.equal(await discipline.locator('#entry-form').count(), 0);
  assert.deepEqual(await forms(discipline), {
    'severity-form': 0,
    'entry-form': 0,
    'sign-off-form': 0,
    'close-form': 0,
    'pause-form': 0,
  });
  assert.equal(await discipline.getByRole('link', { name: '修改事件信息' }).count(), 0);
  await snap(discipline, 'incidents-13-discipline');
});

test('the statistics are charts', async (t) => {
  assert.ok(incidentPath, 'the incident was recorded by the first test');
  const staff = await as(t, 'staff');
  await staff.goto(at('/incidents'));
  await navigating(staff, () => staff.getByRole('link', { name: '统计图表' }).click());
  assert.match(pathOf(staff), /^\/incidents\/stats/);
  assert.match(await text(staff, 'h1'), /2026 年舆情事件统计/);
  // This file's incident and the demo's two (one in hand).
  assert.match(await text(staff, 'h1 + .note'), /共 3 起，其中 1 起处置中/);
  const charts = staff.locator('section.incident-stats svg');
  assert.equal(await charts.count(), 4);
  for (const name of ['按月份', '按等级', '按平台', '结案用时']) {
    assert.equal(await staff.locator('section.incident-stats h2', { hasText: name }).count(), 1, name);
  }
  // One bar for the incident under 重大, and one under the WeChat account.
  assert.ok(await staff.locator('svg rect').count() > 0);
  await snap(staff, 'incidents-14-stats');
});

test("the incident's page fits a phone", async (t) => {
  assert.ok(incidentPath, 'the incident was recorded by the first test');
  const staff = await as(t, 'staff', PHONE_390);
  await staff.goto(at(incidentPath));
  assert.match(await text(staff, 'h1'), new RegExp(TITLE));
  await assertNoHorizontalScroll(staff);
  await snap(staff, 'incidents-15-phone');
});
