// The landing page as a visitor sees it, and the policy page (which needs sign-in) as the
// demo secretary: Chinese and English labels, and both pages on a 375-px phone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, shot, signIn, text, PHONE, assertNoHorizontalScroll } from './lib.mjs';

const POLICY = '/policies/cqu-mse-2021-6';
const b = useBrowser();

test('landing page is in Chinese and links to the loaded policy', async (t) => {
  const page = await b.page(t);
  const res = await page.goto(b.url('/'));
  assert.equal(res?.status(), 200);

  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.match(await page.title(), /网络意识形态工作责任制台账/);
  assert.equal(await text(page, 'h1'), '网络意识形态工作责任制台账');
  assert.match(await text(page, 'main'), /台账记载什么/);
  assert.match(await text(page, 'main'), /第一责任人/);

  const link = page.locator(`a[href="${POLICY}"]`);
  await assert.doesNotReject(link.waitFor({ state: 'visible' }));
  assert.match(await link.innerText(), /材料科学与工程学院网络意识形态工作责任制实施细则/);

  // The stylesheet arrived and applied (the brand mark is the accent red).
  const markBg = await page.locator('.brand-mark').evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(markBg, 'rgb(164, 22, 26)');

  await shot(page, 'landing-zh');
});

test('clicking the policy, signing in, opens it with 第八条 and the grounds table', async (t) => {
  const page = await b.page(t);
  await page.goto(b.url('/'));
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    page.locator(`a[href="${POLICY}"]`).click(),
  ]);
  assert.equal(new URL(page.url()).searchParams.get('next'), POLICY);
  await shot(page, 'login-zh');
  await signIn(page, 'secretary');
  assert.equal(new URL(page.url()).pathname, POLICY);

  assert.match(await text(page, '.policy-header h1'), /网络意识形态工作责任制实施细则/);
  assert.match(await text(page, '.policy-header'), /重大材料委〔2021〕6号/);

  const art8 = page.locator('#art-8');
  await art8.waitFor({ state: 'visible' });
  assert.match(await text(page, '#art-8 h3'), /第八条/);

  assert.equal(await text(page, '#grounds-h'), '问责情形');
  const grounds = page.locator('#grounds table.grounds');
  await grounds.waitFor({ state: 'visible' });
  const rows = await grounds.locator('tbody tr').count();
  assert.ok(rows >= 9, `expected the nine grounds of the demo policy, saw ${rows} rows`);
  assert.match(await text(page, '#grounds table.grounds tbody'), /其他应当问责的失职失责情形/);

  // The table of contents jumps to the grounds.
  await page.locator('.toc a[href="#grounds"]').click();
  await page.waitForURL((u) => u.hash === '#grounds');
  assert.ok(await grounds.isVisible());

  await page.goto(b.url(POLICY)); // back to the top for a clean full-page shot
  await shot(page, 'policy-zh');
});

test('?lang=en shows English labels', async (t) => {
  const page = await b.page(t);
  await page.goto(b.url(`${POLICY}?lang=en`));
  await signIn(page, 'secretary'); // and back to the policy, still in English
  assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');

  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await text(page, '#articles-h'), 'Articles');
  assert.equal(await text(page, '#duties-h'), 'Duties');
  assert.equal(await text(page, '#grounds-h'), 'Grounds for accountability');
  const heads = await page.locator('#grounds thead th').allInnerTexts();
  assert.deepEqual(heads.slice(0, 3), ['Id', 'Ground', 'Article']);
  assert.match(await text(page, '.breadcrumb'), /^Home/);
  // The policy's own text stays Chinese, marked as such.
  assert.equal(await page.locator('#art-8').getAttribute('lang'), 'zh-CN');
  assert.match(await text(page, '#art-8 h3'), /第八条/);

  // The choice is carried on: "Home" keeps English.
  await page.locator('.breadcrumb a').click();
  await page.waitForURL((u) => u.pathname === '/');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await shot(page, 'landing-en');

  await page.goto(b.url(`${POLICY}?lang=en`));
  await shot(page, 'policy-en');
});

test('policy page fits a 375-px phone without sideways scrolling', async (t) => {
  const page = await b.page(t, { ...PHONE, as: 'secretary' });
  await page.goto(b.url(POLICY));
  await page.locator('#art-8').waitFor();

  const w = await page.evaluate(() => document.scrollingElement.scrollWidth);
  await shot(page, 'policy-zh-375');
  await assertNoHorizontalScroll(page);
  assert.ok(w <= 375 + 1, `scrollWidth ${w} > 376`);

  // The wide tables scroll inside their own box instead.
  const wrap = page.locator('#grounds .table-wrap');
  const { scrollWidth, clientWidth } = await wrap.evaluate((e) => ({
    scrollWidth: e.scrollWidth,
    clientWidth: e.clientWidth,
  }));
  assert.ok(clientWidth <= 375, `grounds table box is ${clientWidth}px wide`);
  assert.ok(scrollWidth >= clientWidth);
});

test('landing page fits a 375-px phone too', async (t) => {
  const page = await b.page(t, PHONE);
  await page.goto(b.url('/'));
  await shot(page, 'landing-zh-375');
  await assertNoHorizontalScroll(page);
});
