// The duties ledger as the secretary of cqu-mse walks it, in Debian's chromium against
// `zeren serve --demo --clock 2026-11-28` (see run.sh): the college's dashboard with real done
// and overdue obligations, and last year's still overdue; last year's `annual-dedicated-study`
// (never recorded, due 2025-12-31 when 王建国 was secretary) opened from it, the committee
// meeting of December 2025 recorded for it late (a refused future date first, then the right
// one), the minutes attached in the same form and downloaded again, the obligation done, and
// the dashboard's count of last year's overdue obligations down by exactly one.
//
// Shared server: the test files run at once against one demo. Only this file changes
// cqu-mse's obligations (journeys.test.mjs and pages.test.mjs assert on neither the dashboard
// figures nor the status of annual-dedicated-study), so the before/after figures read here
// move only because of this journey.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, shot, text } from './lib.mjs';

const ORG = 'cqu-mse';
const ORG_NAME = '材料科学与工程学院';
const DUTY = 'annual-dedicated-study';
const DUTY_TITLE = '党委会年度专题研究网络意识形态工作';
const POLICY = '/policies/cqu-mse-2021-6';
const TODAY = '2026-11-28'; // run.sh's --clock
const LAST_YEAR = '2025';

/** The dashboard's line for last year's overdue obligations, and the count it gives. */
async function lastYearOverdue(page) {
  const line = page.locator('#dash-earlier li', { hasText: `${LAST_YEAR} 年度` });
  assert.equal(await line.count(), 1, `no line for ${LAST_YEAR}: ${await text(page, 'main')}`);
  const m = (await line.innerText()).match(/仍有 (\d+) 项逾期未完成/);
  assert.ok(m, await line.innerText());
  return { line, n: Number(m[1]) };
}
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

/** The dashboard's status figures, `{ total, overdue, due_soon, upcoming, done, waived }`. */
async function figures(page) {
  const out = {};
  for (const li of await page.locator('#dash-figures > li').all()) {
    const status = ((await li.getAttribute('class')) ?? '').match(/\bfig-(\w+)/)?.[1];
    const n = (await li.locator('.fig-n').innerText()).trim();
    assert.match(n, /^\d+$/, `figure ${status} is not a number: ${n}`);
    out[status] = Number(n);
  }
  for (const s of ['total', 'overdue', 'due_soon', 'upcoming', 'done', 'waived']) {
    assert.ok(s in out, `the dashboard has no ${s} figure: ${JSON.stringify(out)}`);
  }
  return out;
}

/**
 * A small, valid one-page PDF (header, catalog, pages, page, xref with the real offsets,
 * trailer): the server sniffs the type from the content.
 */
function minimalPdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

test('recording the committee meeting turns the overdue annual dedicated study done', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(`${page.url()}: ${e.message}`));

  const dir = mkdtempSync(join(tmpdir(), 'zeren-ledger-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pdf = minimalPdf();
  const pdfPath = join(dir, '专题研究会议纪要.pdf');
  writeFileSync(pdfPath, pdf);

  // 1. The dashboard, from the main navigation: the college's year, with real done and
  //    overdue obligations.
  await navigating(page, () => page.locator('.main-nav a[href="/dashboard"]').click());
  assert.equal(pathOf(page), '/dashboard');
  assert.equal(await text(page, 'h1'), `${ORG_NAME} · 2026 年`);
  assert.match(await text(page, 'main .note'), new RegExp(`截至 ${TODAY}`));
  const before = await figures(page);
  assert.ok(before.done > 0, `done on the dashboard: ${JSON.stringify(before)}`);
  assert.ok(
    before.overdue > 0,
    `the cqu-mse dashboard shows no overdue obligation at ${TODAY}: ${JSON.stringify(before)}`,
  );
  assert.equal(
    before.total,
    before.overdue + before.due_soon + before.upcoming + before.done + before.waived,
    `the figures add up: ${JSON.stringify(before)}`,
  );
  // This year's overdue list has as many rows as its figure (fewer than the list's limit).
  const overdueRows = page.locator('#dash-overdue tbody tr');
  assert.equal(await overdueRows.count(), before.overdue, 'the dashboard lists its overdue obligations');
  // Last year's obligations still overdue stay on the dashboard, apart from this year's figures.
  const earlier = await lastYearOverdue(page);
  assert.ok(earlier.n > 0, `last year's overdue: ${earlier.n}`);
  await shot(page, 'ledger-1-dashboard-before');

  // 2. Last year's line opens the list behind it; narrowed to the duty, it holds cqu-mse's
  //    overdue dedicated study of last year.
  await navigating(page, () => earlier.line.locator('a').click());
  assert.equal(pathOf(page), '/obligations');
  let q = new URL(page.url()).searchParams;
  assert.equal(q.get('org'), ORG);
  assert.equal(q.get('status'), 'overdue');
  assert.equal(q.get('year'), LAST_YEAR);
  assert.equal(await page.locator('#f-status').inputValue(), 'overdue');
  assert.equal(
    await page.locator('#obligations tbody tr').count(),
    earlier.n,
    'the list behind the line has as many rows as the line says',
  );
  await page.locator('#f-duty').selectOption(DUTY);
  await navigating(page, () => page.locator('form.ob-filters button[type="submit"]').click());
  q = new URL(page.url()).searchParams;
  assert.equal(q.get('duty'), DUTY);
  assert.equal(q.get('status'), 'overdue');
  assert.equal(q.get('org'), ORG);
  const rows = page.locator('#obligations tbody tr');
  assert.equal(await rows.count(), 1, `one overdue ${DUTY} in cqu-mse: ${await text(page, 'main')}`);
  const row = rows.first();
  assert.match(await row.locator('td').nth(0).innerText(), new RegExp(`^${DUTY_TITLE}`));
  assert.equal((await row.locator('td').nth(2).innerText()).trim(), ORG_NAME);
  assert.equal((await row.locator('.status').innerText()).trim(), '已逾期');
  assert.match((await row.locator('.status').getAttribute('class')) ?? '', /\bstatus-overdue\b/);
  await shot(page, 'ledger-2-overdue-list');

  await navigating(page, () => row.locator('td').first().locator('a[href^="/obligations/"]').click());
  const obligationPath = pathOf(page);
  assert.match(obligationPath, /^\/obligations\/[^/]+$/);
  assert.match(await text(page, 'h1'), new RegExp(`^${DUTY_TITLE} 已逾期$`));
  assert.equal(await text(page, '#ob-status'), '已逾期');
  assert.match((await page.locator('#ob-status').getAttribute('class')) ?? '', /\bstatus-overdue\b/);
  assert.equal(await text(page, '.ob-facts code'), ORG);
  // Due on 2025-12-31, when 王建国 was secretary; 李明华 holds the post since 1 July 2026.
  assert.match(await text(page, '#ob-responsible'), /王建国/);
  const alert = await text(page, '.ob-responsible .org-alert');
  assert.match(alert, /^该事项已逾期：到期时的责任人为王建国。/);
  assert.match(alert, /李明华/);
  assert.equal(await text(page, 'section[aria-labelledby="evidence-h"] .empty'), '尚未挂接佐证材料。');
  // The article: 第…条, linking into the policy viewer.
  const cite = page.locator('#ob-article');
  assert.match(await cite.innerText(), /^第[一二三四五六七八九十]+条/);
  assert.equal(await cite.innerText(), '第四条第（二）项');
  const citeHref = (await cite.getAttribute('href')) ?? '';
  assert.match(citeHref, new RegExp(`^${POLICY}#art-4`));
  await shot(page, 'ledger-3-obligation-overdue');
  await navigating(page, () => cite.click());
  assert.equal(pathOf(page), POLICY);
  const anchor = new URL(page.url()).hash.slice(1);
  assert.equal(`#${anchor}`, new URL(citeHref, 'http://x').hash);
  assert.equal(await page.locator(`#art-4 #${anchor}`).count(), 1, `no item #${anchor} in 第四条`);
  assert.ok(await page.locator(`#${anchor}`).isVisible());
  await page.goto(b.url(obligationPath));

  // 3. The obligation offers the form for its evidence: the committee meeting.
  const recordLink = page.locator(
    'section[aria-labelledby="evidence-h"] a.button[href^="/records/new?kind=committee-meeting"]',
  );
  assert.equal(await recordLink.count(), 1, 'the obligation links to the meeting form');
  await navigating(page, () => recordLink.click());
  assert.equal(pathOf(page), '/records/new');
  const formUrl = page.url();
  assert.equal(new URL(formUrl).searchParams.get('obligation'), obligationPath.split('/').pop());
  assert.match(await text(page, 'h1'), /登记佐证材料 党委会会议记录/);
  assert.equal(await page.locator('.records-for a').getAttribute('href'), obligationPath);
  assert.match(await text(page, '.records-for'), new RegExp(`「${DUTY_TITLE}」（第四条第（二）项，${LAST_YEAR}`));
  assert.equal(await page.locator('#date').inputValue(), TODAY, 'the date defaults to today');
  // The agenda starts with the duty's own item, tagged with the online-ideology topic.
  const onlineTopic = page.locator('input[name="agenda.1.topics"][value="online-ideology"]');
  assert.equal(await onlineTopic.isChecked(), true);

  const meeting = {
    title: '党委会2025年度网络意识形态工作专题研究会议',
    agenda: '专题研究学院网络意识形态工作，部署新媒体平台年审',
    minutes:
      '李明华同志主持会议，传达学习上级关于网络意识形态工作的部署，通报本学院新媒体平台和舆情情况，与会同志逐一发言。',
    decisions: '一、完成学院新媒体平台年度审核；二、加强网络评论员队伍建设。',
  };
  const attendees = ['李明华', '赵敏', '周海燕', '刘佳'];
  const attendee = (name) =>
    page.locator('label', { hasText: `${name}（${ORG_NAME}）` }).locator('input[name="attendees"]');
  await page.locator('#title').fill(meeting.title);
  for (const name of attendees) await attendee(name).check();
  await page.locator('#agenda-1').fill(meeting.agenda);
  await onlineTopic.check();
  await page.locator('#minutes').fill(meeting.minutes);
  await page.locator('#decisions').fill(meeting.decisions);

  // A date after today: refused on the date field, in Chinese, everything typed kept.
  await page.locator('#date').fill('2027-01-05');
  await shot(page, 'ledger-4-meeting-form');
  const refused = await navigating(page, () => page.locator('form.records-form button[type="submit"]').click());
  assert.equal(refused?.status(), 422);
  assert.equal(pathOf(page), '/records/new');
  const dateField = page.locator('.org-field', { has: page.locator('#date') });
  assert.equal(
    await text(page, '.org-field:has(#date) .field-error'),
    `日期 2027-01-05 晚于今天（${TODAY}），不能登记尚未发生的事项`,
  );
  assert.equal(await dateField.locator('.field-error').getAttribute('role'), 'alert');
  assert.equal(await page.locator('#date').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('.field-error').count(), 1, 'only the date is wrong');
  assert.equal(await page.locator('#date').inputValue(), '2027-01-05');
  assert.equal(await page.locator('#title').inputValue(), meeting.title);
  for (const name of attendees) {
    assert.equal(await attendee(name).isChecked(), true, `${name} is still ticked`);
  }
  assert.equal(await attendee('陈立新').isChecked(), false);
  assert.equal(await page.locator('#agenda-1').inputValue(), meeting.agenda);
  assert.equal(await onlineTopic.isChecked(), true);
  assert.equal(await page.locator('#minutes').inputValue(), meeting.minutes);
  assert.equal(await page.locator('#decisions').inputValue(), meeting.decisions);
  // Still the obligation's evidence.
  assert.equal(await page.locator('.records-for a').getAttribute('href'), obligationPath);
  await shot(page, 'ledger-5-future-date-refused');

  // The day the meeting was held, in December 2025, and the minutes as a PDF (a refused form
  // keeps no file: it is chosen again): saved, and back on the obligation, done.
  await page.locator('#date').fill('2025-12-20');
  assert.equal(await page.locator('form.records-form').getAttribute('enctype'), 'multipart/form-data');
  await page.locator('form.records-form #files').setInputFiles(pdfPath);
  await navigating(page, () => page.locator('form.records-form button[type="submit"]').click());

  // 4. The obligation is done, with the meeting as its evidence.
  assert.equal(pathOf(page), obligationPath);
  assert.equal(await text(page, '#ob-status'), '已完成');
  assert.match((await page.locator('#ob-status').getAttribute('class')) ?? '', /\bstatus-done\b/);
  assert.match(await text(page, '.ob-facts'), /完成日期 2025-12-20/);
  const evidence = page.locator('ul.ob-evidence > li');
  assert.equal(await evidence.count(), 1);
  const evidenceLink = evidence.locator('a[href^="/records/"]');
  // The minutes filed with it, downloadable from here.
  assert.equal(await evidence.locator('ul.ob-files a[download]').innerText(), '专题研究会议纪要.pdf');
  assert.equal(await evidenceLink.innerText(), meeting.title);
  // Linked by the signed-in account, today (the demo clock's day).
  assert.match(
    await evidence.locator(':scope > .sub').innerText(),
    new RegExp(`^党委会会议记录 · 2025-12-20 · 李明华 于 ${TODAY} \\d{2}:\\d{2} 挂接$`),
  );
  await shot(page, 'ledger-6-obligation-done');

  // The meeting's page: its fields, the obligation it discharges; the minutes attached.
  await navigating(page, () => evidenceLink.click());
  const recordPath = pathOf(page);
  assert.match(recordPath, /^\/records\/[^/]+$/);
  assert.equal(await text(page, 'h1'), meeting.title);
  const fields = await text(page, '.records-fields');
  for (const s of [meeting.minutes, meeting.decisions, `1. ${meeting.agenda}（网络意识形态工作）`, ...attendees]) {
    assert.ok(fields.includes(s), `the record shows ${s}: ${fields}`);
  }
  const discharges = page.locator('h2#evidence + .table-wrap tbody tr');
  assert.equal(await discharges.count(), 1);
  assert.equal(await discharges.locator(`a[href="${obligationPath}"]`).innerText(), DUTY_TITLE);
  assert.equal((await discharges.locator('.status').innerText()).trim(), '已完成');
  // The minutes came with the form.
  const files = page.locator('h2#attachments + .table-wrap tbody tr');
  assert.equal(await files.count(), 1);
  const fileLink = files.locator('a[download]');
  assert.equal(await fileLink.innerText(), '专题研究会议纪要.pdf');
  assert.equal(await text(page, 'h2#attachments + .table-wrap tbody tr .sub'), 'application/pdf');
  await shot(page, 'ledger-7-meeting-with-attachment');

  const href = (await fileLink.getAttribute('href')) ?? '';
  assert.match(href, /^\/attachments\/[0-9a-f]+\?record=/);
  const download = await page.request.get(b.url(href));
  assert.equal(download.status(), 200);
  assert.equal(download.headers()['content-type'], 'application/pdf');
  assert.match(download.headers()['content-disposition'] ?? '', /attachment|filename/);
  assert.deepEqual(Buffer.from(await download.body()), pdf, 'the download is the uploaded file');

  // Back on the obligation: still done, the meeting still its evidence.
  await navigating(page, () => discharges.locator(`a[href="${obligationPath}"]`).click());
  assert.equal(pathOf(page), obligationPath);
  assert.equal(await text(page, '#ob-status'), '已完成');
  assert.equal(await page.locator(`ul.ob-evidence a[href="${recordPath}"]`).count(), 1);
  // Done: nothing more to record, nothing to waive.
  assert.equal(await page.locator('form.ob-waiver').count(), 0);

  // 5. The dashboard: this year's figures as they were; one fewer of last year's overdue.
  await page.goto(b.url('/'));
  await navigating(page, () => page.locator('.main-nav a[href="/dashboard"]').click());
  const after = await figures(page);
  assert.deepEqual(after, before, `before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
  if (earlier.n > 1) {
    assert.equal((await lastYearOverdue(page)).n, earlier.n - 1);
  } else {
    assert.equal(await page.locator('#dash-earlier').count(), 0);
  }
  await shot(page, 'ledger-8-dashboard-after');

  // Last year's dashboard: the study done there, with one more done and one fewer overdue.
  await page.goto(b.url(`/dashboard?org=${ORG}&year=${LAST_YEAR}`));
  const lastYear = await figures(page);
  assert.equal(lastYear.overdue, earlier.n - 1);
  assert.equal(
    await page.locator(`#dash-overdue a[href="${obligationPath}"]`).count(),
    0,
    'the done obligation is still in the overdue list',
  );

  assert.deepEqual(jsErrors, [], 'no script error on the journey’s pages');
});
