// The annual assessment (年度考核, Art.7) as its users walk it, on a demo of its own (clock
// 2026-11-28 12:00 Asia/Shanghai).
//
// The university's supervising office (马文涛) starts the year's assessment of 重庆大学: the form
// offers this year and the org, and the scheme is drafted from the pack (11 indicators, weights
// adding up to 100). A first indicator weighted 10 is refused by the rule (权重之和应为 100，现为
// 95.00), nothing saved; weighted 10 with a manual indicator 工作成效 (5) added, it is saved, and
// published: the round opens at 自评. Until then the draft is the office's alone (404).
// The college's secretary (李明华) sees the round with her college only, its scores with the
// ledger's counts, the obligations behind a computed indicator (each linked to its page), and
// submits the self-assessment. The college's leader (赵敏) and its roster keeper (陶然, who may
// read the college) read the page but have no form; a branch secretary cannot open the college
// (404); the administrators are refused the round (403).
// The office moves to 审核, reviews the college, moves to 评分; publishing now is refused while
// the manual indicator is unscored; an adjustment without its reason is refused at its field,
// then recorded with it; 工作成效 is scored for every college. The secretary submits her duty
// report, drafted from the ledger, and downloads it and the college's report (Word). The office
// publishes the results under a document number: frozen, ranked, the score sheet (Excel) and the
// results report (Word) download. The secretary then sees every college's total and rank, but
// opens only her own.
//
// Along the way, what is wrong with a page beside the step under test (an id used twice, a
// refused form that forgets what was typed, a line break lost) is gathered and fails the story
// at its end, so that one such defect hides none of the steps.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateRawSync } from 'node:zlib';
import { useBrowser, signIn, shot, text } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf, TODAY } from './fresh.mjs';

const b = useBrowser();
const { at } = useFreshInstallation('zeren-assessments-', (zeren) => {
  zeren(['demo', '--clock', TODAY]);
});

/** The year the start form offers: the server clock's. */
const YEAR = TODAY.slice(0, 4);
const UNIVERSITY = '重庆大学';
const ROUND_TITLE = `${UNIVERSITY}${YEAR}年度责任制落实情况考核`;
const COLLEGE = '材料科学与工程学院';
const COLLEGE_CODE = 'cqu-mse';
/** Every college of the demo under cqu, by code. */
const COLLEGES = { 'cqu-cs': '计算机学院', 'cqu-me': '机械与运载工程学院', 'cqu-mse': COLLEGE };
const MANUAL = { id: 'work-quality', title: '工作成效', weight: '5' };
const ANALYSIS = { id: 'situation-analysis', title: '定期分析研判' };
const SELF_LINES = ['本年度按细则要求完成专题研究和定期分析研判。', '青年师生教育活动按学期开展，平台年审仍有逾期。'];
const SELF = SELF_LINES.join('\n');
const REVIEW = '自评材料齐全，平台年审逾期问题属实。';
const ADJUST_REASON = '研判报告内容空泛';
const SCORE_REASON = '对照自评和审核意见评定';
const REPORT_ADDED = '五、补充说明：学院已将平台年审纳入党委会议事日程。';
const DOCUMENT_NUMBER = `重大委〔${YEAR}〕3号`;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The round's page (`/assessments/{id}`), once started by the first test. */
let roundPath = '';
const collegePath = (code = COLLEGE_CODE) => `${roundPath}/orgs/${code}`;

async function as(t, user, options) {
  const page = await b.page(t, options);
  await page.goto(at('/login'));
  await signIn(page, user);
  return page;
}

/**
 * What is wrong with a page that is not the step under test, gathered so that the story still
 * runs to its end; the last test fails on them.
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
  const raw = (await text(page)).match(/\b(?:assessments|method|status|nav|obligations)\.[a-z][\w.-]*/g);
  assert.equal(raw, null, `${name}: catalogue keys shown raw: ${raw?.join(', ')}`);
  await uniqueIds(page, `${pathOf(page)} (${name})`);
  return shot(page, name);
}

/**
 * Checks that `selector` reads `<name> <today>` (who wrote or marked, and when); a name other
 * than the person's (the account's username, say) is gathered as a defect.
 */
async function signedBy(page, selector, name, what) {
  const s = await text(page, selector);
  const m = s.match(/^(.+) (\d{4}-\d\d-\d\d)$/);
  assert.ok(m, `${what}: who and when: ${s}`);
  assert.equal(m[2], TODAY, `${what}: the day`);
  if (m[1] !== name) defects.push(`${pathOf(page)}: ${what} is signed "${m[1]}", not the person's name ${name}`);
}

/** Clicks `selector` (a button or a link) and waits for the page it leads to; returns the response. */
async function follow(page, selector) {
  return navigating(page, () => page.locator(selector).first().click());
}

/** The rows of `table` (tbody tr), each as text with white space collapsed. */
async function rows(page, table) {
  return (await page.locator(`${table} tbody tr`).allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

/** The header cells of `table`. */
async function heads(page, table) {
  return (await page.locator(`${table} thead th`).allInnerTexts()).map((s) => s.trim());
}

/** The alerts above the page's forms (a refused step's rule), as text, or ''. */
async function alerts(page) {
  return (await page.locator('main .org-alert[role="alert"]').allInnerTexts()).join(' | ');
}

/**
 * Downloads `href` with the page's session: `{ status, type, disposition, body }`.
 */
async function download(page, href) {
  const res = await page.request.get(at(href));
  return {
    status: res.status(),
    type: res.headers()['content-type'],
    disposition: res.headers()['content-disposition'] ?? '',
    body: await res.body(),
  };
}

/** The XML of entry `name` of a zip file (an OOXML document). */
function zipEntry(buf, name) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd -= 1;
  assert.ok(eocd >= 0, 'a zip file (its end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let at_ = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let i = 0; i < count; i += 1) {
    assert.equal(buf.readUInt32LE(at_), 0x02014b50, 'a central directory entry');
    const method = buf.readUInt16LE(at_ + 10);
    const size = buf.readUInt32LE(at_ + 20);
    const nameLen = buf.readUInt16LE(at_ + 28);
    const extraLen = buf.readUInt16LE(at_ + 30);
    const commentLen = buf.readUInt16LE(at_ + 32);
    const local = buf.readUInt32LE(at_ + 42);
    const entry = buf.toString('utf8', at_ + 46, at_ + 46 + nameLen);
    names.push(entry);
    if (entry === name) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return (method === 8 ? inflateRawSync(data) : data).toString('utf8');
    }
    at_ += 46 + nameLen + extraLen + commentLen;
  }
  assert.fail(`the zip holds no ${name}: ${names.join(', ')}`);
}

/** The text of XML, its tags removed. */
function plain(xml) {
  return xml.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&');
}

/** Checks a Word download of `href`: 200, Word's type, an attachment, a real document. */
async function assertDocx(page, href, what) {
  const got = await download(page, href);
  assert.equal(got.status, 200, `${what}: ${href}`);
  assert.equal(got.type, DOCX, `${what}: the content type`);
  assert.match(got.disposition, /^attachment;/, `${what}: an attachment`);
  assert.equal(got.body.subarray(0, 2).toString('latin1'), 'PK', `${what}: a zip (OOXML) file`);
  assert.ok(got.body.length > 1000, `${what}: a real document (${got.body.length} bytes)`);
  return plain(zipEntry(got.body, 'word/document.xml'));
}

// ---------------------------------------------------------------------------------------------

test('1. the office starts the year, the scheme refuses weights that do not add up, and is published', async (t) => {
  const office = await as(t, 'supervisor');
  await office.goto(at('/assessments'));
  assert.equal(await text(office, 'h1'), '责任制落实情况年度考核');
  assert.equal(await office.locator('#no-rounds').count(), 1, 'no assessment yet in the demo');
  // The start form: this year (the server's clock), the office's org.
  assert.equal(await office.locator('#start-form #year').inputValue(), YEAR);
  assert.equal(await office.locator('#start-form #org').inputValue(), 'cqu');
  assert.equal(await text(office, '#start-form #org option:checked'), UNIVERSITY);
  await snap(office, 'assessments-0-list');

  const started = await follow(office, '#start-form button[type="submit"]');
  assert.equal(started?.status(), 200);
  assert.match(pathOf(office), /^\/assessments\/[^/?]+\/scheme$/);
  roundPath = pathOf(office).replace(/\/scheme$/, '');
  const schemePath = `${roundPath}/scheme`;
  assert.match(await text(office, 'h1'), /^考核方案 第 1 版 · 草稿$/);
  // The pack's 11 indicators, then the blank rows to add some.
  assert.equal(await office.locator('#scheme-form input[name="id_10"]').inputValue(), 'annual-assessment');
  assert.equal(await office.locator('#scheme-form input[name="id_11"]').inputValue(), '');
  assert.equal(await office.locator('#scheme-form input[name="weight_0"]').inputValue(), '15.00');
  assert.match(await text(office, '#scheme-form'), /已保存方案的权重合计：100\.00/);

  // The draft is the office's alone: the college's secretary is told it does not exist.
  const early = await as(t, 'secretary');
  const hidden = await early.goto(at(roundPath));
  assert.equal(hidden?.status(), 404, 'a draft round is not found by the college');
  await early.goto(at('/assessments'));
  assert.equal(await early.locator('#rounds').count(), 0, 'nor listed');
  assert.equal(await early.locator('#start-form').count(), 0, 'the secretary starts no assessment');
  await early.close();

  // Weights that add up to 95: refused by the rule, nothing saved.
  await office.locator('input[name="weight_0"]').fill('10');
  const refused = await follow(office, '#save-scheme');
  assert.equal(refused?.status(), 422, 'the scheme is refused at its fields');
  assert.match(await text(office, '#weights-error'), /权重之和应为 100，现为 95\.00/);
  if ((await office.locator('main .org-alert', { hasText: '权重之和' }).count()) > 0) {
    defects.push(`${schemePath} (refused): the weights' rule is shown twice, above the form and at #weights-error (two alerts)`);
  }
  if ((await office.locator('input[name="weight_0"]').inputValue()) !== '10') {
    defects.push(`${schemePath} (refused): the form lost the weight typed`);
  }
  await snap(office, 'assessments-1a-scheme-refused');
  await office.goto(at(schemePath));
  assert.equal(await office.locator('input[name="weight_0"]').inputValue(), '15.00', 'nothing saved');
  assert.equal(await office.locator('#weights-error').count(), 0);

  // Weighted 10, with the manual indicator 工作成效 (5): saved.
  await office.locator('input[name="weight_0"]').fill('10');
  await office.locator('input[name="id_11"]').fill(MANUAL.id);
  await office.locator('input[name="title_11"]').fill(MANUAL.title);
  await office.locator('input[name="weight_11"]').fill(MANUAL.weight);
  await office.locator('select[name="method_11"]').selectOption('manual');
  assert.equal(await text(office, 'select[name="method_11"] option:checked'), '人工评分');
  const saved = await follow(office, '#save-scheme');
  assert.equal(saved?.status(), 200);
  assert.equal(pathOf(office), schemePath);
  assert.equal(await office.locator('#weights-error, .field-error, main .org-alert').count(), 0, 'no error');
  assert.match(await text(office, '#scheme-form'), /已保存方案的权重合计：100\.00/);
  assert.equal(await office.locator('input[name="weight_0"]').inputValue(), '10.00');
  assert.equal(await office.locator('input[name="id_11"]').inputValue(), MANUAL.id);
  assert.equal(await office.locator('input[name="title_11"]').inputValue(), MANUAL.title);
  assert.equal(await office.locator('input[name="weight_11"]').inputValue(), '5.00');
  assert.equal(await office.locator('select[name="method_11"]').inputValue(), 'manual');
  assert.equal(await office.locator('input[name="id_12"]').inputValue(), '', 'blank rows after the 12');
  await snap(office, 'assessments-1-scheme');

  // Published: the round opens at its first step.
  const published = await follow(office, '#publish-scheme');
  assert.equal(published?.status(), 200);
  assert.equal(pathOf(office), roundPath);
  assert.equal(await text(office, 'h1'), `${ROUND_TITLE} 自评`);
  assert.equal(await text(office, '#stage'), '自评');
  assert.equal(await text(office, '#steps li[aria-current="step"]'), `自评 截止 ${await stepUntil(office, 0)}`);
  assert.equal(await text(office, '#advance'), '进入「审核」环节');
  // The office sees every college with its live rank, each with its manual indicator to score.
  assert.deepEqual(await heads(office, '#college-scores'), ['排名', '学院', '总分', '自评', '待评分']);
  const listed = await rows(office, '#college-scores');
  assert.equal(listed.length, 3, `every college: ${listed}`);
  for (const [code, name] of Object.entries(COLLEGES)) {
    assert.match(await text(office, `#college-${code}`), new RegExp(`^[123] ${name} \\d+\\.\\d\\d 尚未提交自评 1$`));
  }
  await snap(office, 'assessments-2-round');
});

/** The last day of step `n` as the round's steps list it (`截止 YYYY-MM-DD`). */
async function stepUntil(page, n) {
  const s = await text(page, `#steps li:not(:first-child) >> nth=${n}`);
  return s.match(/截止 (\d{4}-\d\d-\d\d)/)?.[1] ?? '?';
}

test('2. the secretary sees her college, the obligations behind a score, and assesses it', async (t) => {
  assert.ok(roundPath, 'the round was started by the first test');
  const sec = await as(t, 'secretary');
  await sec.goto(at('/assessments'));
  assert.equal(await sec.locator('#start-form').count(), 0);
  const round = sec.locator('#rounds tbody tr');
  assert.equal(await round.count(), 1);
  assert.match((await round.innerText()).replace(/\s+/g, ' '), new RegExp(`${YEAR}年度 ${UNIVERSITY} 自评`));
  await navigating(sec, () => round.getByRole('link').click());
  assert.equal(pathOf(sec), roundPath);
  assert.equal(await text(sec, '#stage'), '自评');
  assert.equal(await sec.locator('#advance, #advance-form, #docx-link').count(), 0, 'the college runs no step');
  // Her college only.
  const listed = await rows(sec, '#college-scores');
  assert.equal(listed.length, 1, `only her college: ${listed}`);
  assert.match(listed[0], new RegExp(`^${COLLEGE} \\d+\\.\\d\\d 尚未提交自评$`));
  assert.deepEqual(await heads(sec, '#college-scores'), ['学院', '总分', '自评']);

  await navigating(sec, () => sec.locator('#college-scores').getByRole('link', { name: COLLEGE }).click());
  assert.equal(pathOf(sec), collegePath());
  assert.equal(await text(sec, 'h1'), `${COLLEGE} 自评`);
  assert.equal(await sec.locator('#indicator-scores tbody tr').count(), 12, 'the 11 of the pack and 工作成效');
  const analysis = await text(sec, `#indicator-${ANALYSIS.id}`);
  const counted = analysis.match(/应完成 (\d+) 项，已完成 (\d+) 项，按时 (\d+) 项/);
  assert.ok(counted, `${ANALYSIS.title} shows its counts: ${analysis}`);
  assert.match(analysis, new RegExp(`^${ANALYSIS.title} 按时完成率 10\\.00 `));
  assert.match(await text(sec, `#indicator-${MANUAL.id}`), new RegExp(`^${MANUAL.title} 人工评分 5\\.00 .*待评分`));
  assert.equal(await sec.locator(`#indicator-${MANUAL.id} a`).count(), 0, 'a manual score has nothing behind it');
  assert.equal(await sec.locator('#self-form').count(), 1);
  assert.equal(await sec.locator('#review-form, #mark-form').count(), 0);
  assert.equal(await sec.locator('#duty-report-link').count(), 1);

  // The obligations behind 定期分析研判, each linked to its page.
  await navigating(sec, () => sec.locator(`#indicator-${ANALYSIS.id}`).getByRole('link', { name: ANALYSIS.title }).click());
  assert.equal(pathOf(sec), `${collegePath()}/indicators/${ANALYSIS.id}`);
  assert.equal(await text(sec, 'h1'), ANALYSIS.title);
  assert.match(await text(sec, 'main > .note'), /^按时完成率 × 权重 10\.00/);
  assert.equal(await text(sec, '#counted'), counted[0]);
  const behind = sec.locator('#obligations-behind tbody tr');
  const n = await behind.count();
  assert.ok(n >= Number(counted[1]) && n > 0, `the ${counted[1]} obligations owed are listed (${n} rows)`);
  const hrefs = await sec.locator('#obligations-behind tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(hrefs.length, n, 'every row links to its obligation');
  for (const h of hrefs) assert.match(h, /^\/obligations\/[^/?]+$/);
  for (const r of await rows(sec, '#obligations-behind')) {
    assert.match(r, /^网络意识形态领域情况分析研判 .*(按时完成|逾期完成|未完成|未到期，暂不计|免于履行，不计)$/, `a row: ${r}`);
  }
  await snap(sec, 'assessments-4-drill-down');
  const opened = await follow(sec, '#obligations-behind tbody tr td:first-child a');
  assert.equal(opened?.status(), 200, 'the obligation opens');
  assert.equal(pathOf(sec), hrefs[0]);
  await sec.goBack();
  assert.equal(pathOf(sec), `${collegePath()}/indicators/${ANALYSIS.id}`);
  await sec.goBack();
  assert.equal(pathOf(sec), collegePath());

  // The self-assessment.
  await sec.locator('#self-assessment').fill(SELF);
  const sent = await follow(sec, '#self-form button[type="submit"]');
  assert.equal(sent?.status(), 200);
  assert.equal(pathOf(sec), collegePath());
  assert.equal(await text(sec, '#self-text'), SELF_LINES.join(' '));
  if (!(await sec.locator('#self-text').innerText()).includes('\n')) {
    defects.push(`${collegePath()}: the self-assessment's line break is lost on the page`);
  }
  await signedBy(sec, '#self-text + .sub', '李明华', 'the self-assessment');
  await snap(sec, 'assessments-3-college');
});

test('3. the leader and the roster keeper read the college without a form; a branch and the administrators are kept out', async (t) => {
  assert.ok(roundPath, 'the round was started by the first test');
  const leader = await as(t, 'leader');
  const res = await leader.goto(at(collegePath()));
  assert.equal(res?.status(), 200);
  assert.equal(await text(leader, '#self-text'), SELF_LINES.join(' '));
  assert.equal(await leader.locator('#self-form, #review-form, #mark-form, #duty-report-link').count(), 0, 'no form for the leader');
  await leader.goto(at(`${collegePath()}/duty-report`));
  assert.equal(await leader.locator('#report-text, #report-form').count(), 0, 'nor the duty report');
  await leader.close();

  // The college's roster keeper may read the college (its org administrator): the page, no form.
  const keeper = await as(t, 'keeper');
  const kept = await keeper.goto(at(roundPath));
  assert.equal(kept?.status(), 200, 'keeper: the round of a college it reads');
  assert.deepEqual(await keeper.locator('#college-scores tbody a').allInnerTexts(), [COLLEGE]);
  await keeper.goto(at(collegePath()));
  assert.equal(await keeper.locator('#self-form, #review-form, #mark-form, #duty-report-link').count(), 0, 'no form for the keeper');
  await keeper.close();

  // A branch secretary may read within the university, not the college.
  const branch = await as(t, 'branch');
  const college = await branch.goto(at(collegePath()));
  assert.equal(college?.status(), 404, 'branch: the college is not found');
  assert.equal(await branch.locator('#indicator-scores, #self-text').count(), 0);
  await branch.goto(at(roundPath));
  assert.equal(await branch.locator('#college-scores a').count(), 0, 'branch: no college to open');
  await branch.close();

  for (const admin of ['sysadmin', 'secadmin', 'auditor']) {
    const page = await as(t, admin);
    for (const path of [roundPath, collegePath(), '/assessments']) {
      const r = await page.goto(at(path));
      assert.ok([403, 404].includes(r?.status()), `${admin}: ${path} answers ${r?.status()}`);
      assert.doesNotMatch(await text(page), new RegExp(COLLEGE), `${admin}: nothing of the college on ${path}`);
    }
    const sheet = await page.request.get(at(`${roundPath}/scores.xlsx`));
    assert.ok([403, 404].includes(sheet.status()), `${admin}: the score sheet answers ${sheet.status()}`);
    if (admin === 'auditor') await snap(page, 'assessments-5-admin-refused');
    await page.close();
  }
});

test('4. the office reviews, refuses a mark without its reason, and scores every college', async (t) => {
  assert.ok(roundPath, 'the round was started by the first test');
  const office = await as(t, 'supervisor');
  await office.goto(at(roundPath));
  assert.equal(await text(office, '#college-cqu-mse'), `${await text(office, '#college-cqu-mse td')} ${COLLEGE} ${await totalOf(office, COLLEGE_CODE)} 已提交 1`);
  assert.equal(await text(office, '#advance'), '进入「审核」环节');
  await follow(office, '#advance');
  assert.equal(pathOf(office), roundPath);
  assert.equal(await text(office, '#stage'), '审核');

  // The review of the college.
  await navigating(office, () => office.locator('#college-scores').getByRole('link', { name: COLLEGE }).click());
  assert.equal(pathOf(office), collegePath());
  assert.equal(await office.locator('#self-form, #mark-form').count(), 0);
  await office.locator('#review-text-input').fill(REVIEW);
  const reviewed = await follow(office, '#review-form button[type="submit"]');
  assert.equal(reviewed?.status(), 200);
  assert.equal(await text(office, '#review-text'), REVIEW);
  await signedBy(office, '#review-text + .sub', '马文涛', 'the review');

  await follow(office, `nav.breadcrumb a[href^="${roundPath}"]`);
  assert.equal(pathOf(office), roundPath);
  assert.equal(await text(office, '#advance'), '进入「评分」环节');
  await follow(office, '#advance');
  assert.equal(await text(office, '#stage'), '评分');

  // Publishing with 工作成效 unscored everywhere is refused, the round unchanged.
  assert.equal(await text(office, '#advance'), '公布考核结果');
  const early = await follow(office, '#advance');
  assert.equal(early?.status(), 409);
  assert.match(await alerts(office), /人工评分指标全部评分后才能公布结果/);
  assert.match(await alerts(office), new RegExp(`${COLLEGE}「${MANUAL.title}」`));
  assert.equal(await text(office, '#stage'), '评分');
  assert.equal(await office.locator('#frozen').count(), 0);
  await snap(office, 'assessments-6-publish-refused');

  // An adjustment without its reason: refused at its field, nothing recorded.
  await office.goto(at(collegePath()));
  const before = await totalOf(office);
  await office.locator('#mark-indicator').selectOption(ANALYSIS.id);
  await office.locator('#mark-kind').selectOption('adjustment');
  await office.locator('#mark-points').fill('-1');
  const noReason = await follow(office, '#mark-submit');
  assert.equal(noReason?.status(), 422);
  assert.equal(await text(office, '#mark-form .has-error .field-error'), '评分和调整都必须说明理由');
  assert.equal(await office.locator('#mark-log tbody tr').count(), 0, 'nothing recorded');
  assert.equal(await text(office, 'h2#marks + .note'), '没有评分和调整。');
  const kept = {
    indicator: await office.locator('#mark-indicator').inputValue(),
    kind: await office.locator('#mark-kind').inputValue(),
    points: await office.locator('#mark-points').inputValue(),
  };
  if (kept.indicator !== ANALYSIS.id || kept.kind !== 'adjustment' || kept.points !== '-1') {
    defects.push(`${collegePath()} (mark refused): the form lost what was typed: ${JSON.stringify(kept)}`);
  }
  await snap(office, 'assessments-7-mark-refused');

  // With its reason.
  await office.locator('#mark-indicator').selectOption(ANALYSIS.id);
  await office.locator('#mark-kind').selectOption('adjustment');
  await office.locator('#mark-points').fill('-1');
  await office.locator('#mark-reason').fill(ADJUST_REASON);
  const adjusted = await follow(office, '#mark-submit');
  assert.equal(adjusted?.status(), 200);
  assert.equal(pathOf(office), collegePath());
  const adjustments = await rows(office, '#mark-log');
  assert.equal(adjustments.length, 1);
  assert.match(adjustments[0], new RegExp(`^${ANALYSIS.title} 调整 -1\\.00 ${ADJUST_REASON} \\S+ ${TODAY}$`));
  await signedBy(office, '#mark-log tbody tr td[data-label="评分人"]', '马文涛', 'the adjustment');
  assert.match(await text(office, `#indicator-${ANALYSIS.id}`), / -1\.00 /, 'the adjustment shows on its indicator');
  assert.equal(await totalOf(office), (Number(before) - 1).toFixed(2), 'the total loses the point');

  // 工作成效 scored for every college, through the round page's links.
  await follow(office, `nav.breadcrumb a[href^="${roundPath}"]`);
  const links = await office.locator('#college-scores tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(links.map((h) => h.replace(/^.*\/orgs\//, '')).sort(), Object.keys(COLLEGES).sort());
  for (const href of links) {
    await office.goto(at(href));
    await office.locator('#mark-indicator').selectOption(MANUAL.id);
    assert.equal(await text(office, '#mark-indicator option:checked'), `${MANUAL.title}（人工评分）`);
    await office.locator('#mark-kind').selectOption('score');
    await office.locator('#mark-points').fill('4');
    await office.locator('#mark-reason').fill(SCORE_REASON);
    const scored = await follow(office, '#mark-submit');
    assert.equal(scored?.status(), 200, `scoring ${href}`);
    assert.equal(await office.locator('main .field-error').count(), 0, `no error scoring ${href}`);
    assert.match(await text(office, `#indicator-${MANUAL.id}`), new RegExp(`^${MANUAL.title} 人工评分 5\\.00 4\\.00 4\\.00$`));
    const log = await rows(office, '#mark-log');
    assert.ok(log.some((r) => r.startsWith(`${MANUAL.title} 人工评分 4.00 ${SCORE_REASON} `) && r.endsWith(TODAY)), `${href}: ${log}`);
    if (href.endsWith(`/${COLLEGE_CODE}`)) await snap(office, 'assessments-8-college-marked');
  }
  await office.goto(at(roundPath));
  for (const code of Object.keys(COLLEGES)) {
    assert.match(await text(office, `#college-${code}`), / 0$/, `${code}: nothing left to score`);
  }
});

/** The total (#total on a college's page, or the college's cell on the round page). */
async function totalOf(page, code) {
  if (!code) return text(page, '#total');
  return text(page, `#college-${code} td[data-label="总分"]`);
}

test('5. the secretary submits her duty report, drafted from the ledger, and downloads the reports', async (t) => {
  assert.ok(roundPath, 'the round was started by the first test');
  const sec = await as(t, 'secretary');
  await sec.goto(at(collegePath()));
  assert.equal(await sec.locator('#self-form').count(), 0, 'the self-assessment step is over');
  assert.equal(await text(sec, '#review-text'), REVIEW);
  await follow(sec, '#duty-report-link');
  const reportPath = `${collegePath()}/duty-report`;
  assert.equal(pathOf(sec), reportPath);
  assert.equal(await text(sec, '#report-state'), '根据台账生成的初稿');
  const draft = await sec.locator('textarea#report-text').inputValue();
  assert.match(draft, /^一、履行第一责任人职责的总体情况\n/);
  assert.match(draft, new RegExp(`${YEAR}年，${COLLEGE}党组织书记李明华`));
  await sec.locator('textarea#report-text').fill(`${draft.trimEnd()}\n${REPORT_ADDED}`);
  const submitted = await follow(sec, '#submit-report');
  assert.equal(submitted?.status(), 200);
  assert.equal(pathOf(sec), reportPath);
  assert.equal(await text(sec, '#report-state'), `已于 ${TODAY} 提交`);
  assert.equal(await sec.locator('textarea, #report-form, #submit-report').count(), 0, 'no longer editable');
  const kept = await sec.locator('#report-text').innerText();
  assert.ok(kept.startsWith('一、履行第一责任人职责的总体情况'), `the report as submitted: ${kept.slice(0, 40)}`);
  assert.ok(kept.trimEnd().endsWith(REPORT_ADDED), 'the line added is kept');
  await snap(sec, 'assessments-9-duty-report');

  // The duty report and the college's report, as Word.
  const duty = await assertDocx(sec, await sec.locator('#duty-docx').getAttribute('href'), 'the duty report');
  assert.match(duty, /述职报告/);
  assert.match(duty, new RegExp(REPORT_ADDED.slice(0, 12)));
  const [saved] = await Promise.all([sec.waitForEvent('download'), sec.locator('#duty-docx').click()]);
  assert.match(saved.suggestedFilename(), /\.docx$/);
  const dutyHead = (await download(sec, await sec.locator('#duty-docx').getAttribute('href'))).disposition;
  if (/%0A|%0D/i.test(dutyHead)) {
    defects.push(`the duty report's file name holds a line break (${dutyHead}); saved as ${JSON.stringify(saved.suggestedFilename())}`);
  }
  assert.equal(await saved.failure(), null);
  await follow(sec, `nav.breadcrumb a[href^="${collegePath()}"]`);
  assert.equal(pathOf(sec), collegePath());
  const report = await assertDocx(sec, await sec.locator('#college-docx').getAttribute('href'), "the college's report");
  assert.match(report, new RegExp(COLLEGE));
});

test('6. the office publishes the results, frozen and ranked; the college sees every rank, opens its own', async (t) => {
  assert.ok(roundPath, 'the round was started by the first test');
  const office = await as(t, 'supervisor');
  await office.goto(at(roundPath));
  assert.equal(await text(office, '#stage'), '评分');
  await office.locator('#document-number').fill(DOCUMENT_NUMBER);
  const published = await follow(office, '#advance');
  assert.equal(published?.status(), 200);
  assert.equal(pathOf(office), roundPath);
  assert.equal(await text(office, '#stage'), '公布');
  assert.equal(await text(office, '#frozen'), `考核结果已于 ${TODAY} 公布并冻结。 文号：重大委〔2026〕3号`);
  assert.equal(await office.locator('#advance, #advance-form').count(), 0, 'nothing more to advance');
  assert.equal(await text(office, 'h2#scores'), '考核结果');
  assert.deepEqual(await heads(office, '#college-scores'), ['排名', '学院', '总分', '自评']);
  const ranked = await rows(office, '#college-scores');
  assert.equal(ranked.length, 3);
  const totals = [];
  for (const r of ranked) {
    const m = r.match(/^(\d+) (\S+) (\d+\.\d\d) /);
    assert.ok(m, `a ranked row: ${r}`);
    totals.push({ rank: Number(m[1]), name: m[2], total: Number(m[3]) });
  }
  for (let i = 1; i < totals.length; i += 1) {
    assert.ok(totals[i - 1].total >= totals[i].total && totals[i - 1].rank <= totals[i].rank, `ranked by total: ${ranked}`);
  }
  assert.equal(totals[0].rank, 1);
  await snap(office, 'assessments-10-published');

  const xlsxHref = await office.locator('#xlsx-link').getAttribute('href');
  const sheet = await download(office, xlsxHref);
  assert.equal(sheet.status, 200, xlsxHref);
  assert.equal(sheet.type, XLSX);
  assert.match(sheet.disposition, /^attachment;/);
  assert.equal(sheet.body.subarray(0, 2).toString('latin1'), 'PK');
  const sheets = [...zipEntry(sheet.body, 'xl/workbook.xml').matchAll(/<sheet [^>]*name="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual([...sheets].sort(), ['考核方案', '得分明细', '得分汇总', '评分记录'].sort(), "the score sheet's sheets");
  const strings = zipEntry(sheet.body, 'xl/sharedStrings.xml');
  if (!strings.includes('马文涛')) {
    defects.push(`${xlsxHref}: the marks' 评分人 is not the person's name 马文涛 (${/>supervisor</.test(strings) ? 'the username "supervisor"' : 'missing'})`);
  }
  const formulas = sheets.map((_, i) => zipEntry(sheet.body, `xl/worksheets/sheet${i + 1}.xml`)).filter((x) => /<f>/.test(x));
  assert.ok(formulas.length > 0, 'the score sheet keeps its formulas');
  const results = await assertDocx(office, await office.locator('#docx-link').getAttribute('href'), 'the results report');
  assert.ok(results.includes(DOCUMENT_NUMBER), `the results report carries ${DOCUMENT_NUMBER}`);
  for (const name of Object.values(COLLEGES)) assert.ok(results.includes(name), `the results report names ${name}`);
  // Frozen: the college's page offers no form, the drill-down says the scores stand as published.
  await office.goto(at(collegePath()));
  assert.equal(await office.locator('#review-form, #mark-form, #self-form').count(), 0);
  assert.match(await text(office, '#rank'), /^[123]$/);
  await office.goto(at('/assessments'));
  assert.match(await text(office, '#rounds tbody tr'), new RegExp(`${YEAR}年度 ${UNIVERSITY} 公布 ${TODAY}`));

  // The secretary: every college's total and rank, only her own a link.
  const sec = await as(t, 'secretary');
  await sec.goto(at(roundPath));
  assert.equal(await text(sec, '#stage'), '公布');
  assert.deepEqual(await rows(sec, '#college-scores'), ranked, 'the same ranking as the office');
  const links = await sec.locator('#college-scores tbody a').allInnerTexts();
  assert.deepEqual(links, [COLLEGE], 'only her college opens');
  assert.equal(await sec.locator('#docx-link, #advance').count(), 0);
  await snap(sec, 'assessments-11-published-secretary');
  const other = await sec.goto(at(collegePath('cqu-cs')));
  assert.equal(other?.status(), 404, "another college's page is not found");
  await sec.goto(at(`${collegePath()}/indicators/${ANALYSIS.id}`));
  assert.match(await text(sec, 'main'), /考核结果已冻结/);

  assert.deepEqual(defects, [], 'the pages walked have no defects');
});
