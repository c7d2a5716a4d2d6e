// Journeys through Zeren as its users walk them, in Debian's chromium against
// `zeren serve --demo --clock 2026-11-28` (see run.sh):
//
//   1. signing in (a wrong password first) and out;
//   2. handing the dean's post of cqu-mse over, after a refused date;
//   3. asking who was responsible, and sharing the answer's link;
//   4. switching the interface to English, for one page and for the account;
//   5. the home, org and who pages on a 375-px phone;
//   6. a leader, who may not hand posts over.
//
// The tests of this file run one after the other and share the server's demo data:
// journey 2 changes who holds cqu-mse's dean post (陈立新 → 周海燕 on 2026-11-01), which the
// later journeys do not depend on. Journey 4 changes the `staff` account's language and
// sets it back; no other test signs in as `staff`. The last test makes a calendar feed
// address for the `branch` account, which no other test signs in as.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useBrowser,
  shot,
  signIn,
  text,
  PHONE,
  DEMO_PASSWORD,
  assertNoHorizontalScroll,
} from './lib.mjs';

const ORG = '/orgs/cqu-mse';
const POLICY = '/policies/cqu-mse-2021-6';
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

/** The `<tr>` of the post titled exactly `title` in the org page's posts table. */
async function postRow(page, title) {
  const id = await page
    .locator('#posts tbody tr')
    .evaluateAll(
      (rows, title) => rows.find((r) => r.cells[0].firstChild?.textContent.trim() === title)?.id,
      title,
    );
  assert.ok(id, `no post titled ${title} on ${page.url()}`);
  return page.locator(`#${id}`);
}

test('1. signing in: a wrong password is refused in Chinese, the right one opens my duties; signing out', async (t) => {
  const page = await b.page(t);
  await page.goto(b.url('/'));
  await navigating(page, () => page.locator('.main-nav a[href="/login"]').click());
  assert.equal(pathOf(page), '/login');
  assert.equal(await text(page, 'h1'), '登录');
  await shot(page, 'journey1-1-login');

  // A wrong password: the form again, with the error in Chinese and the name kept.
  await page.locator('#username').fill('secretary');
  await page.locator('#password').fill('not-the-password');
  const refused = await navigating(page, () => page.locator('form[action="/login"] button[type="submit"]').click());
  assert.equal(refused?.status(), 401);
  assert.equal(pathOf(page), '/login');
  assert.equal(await text(page, '.form-error'), '用户名或密码错误，或账号已被暂时锁定。');
  assert.equal(await page.locator('.form-error').getAttribute('role'), 'alert');
  assert.equal(await page.locator('#username').inputValue(), 'secretary');
  assert.equal(await page.locator('#password').inputValue(), '', 'the password is not sent back');
  await shot(page, 'journey1-2-wrong-password');

  // The right one: home, as 李明华, with my duties.
  await page.locator('#password').fill(DEMO_PASSWORD);
  await navigating(page, () => page.locator('form[action="/login"] button[type="submit"]').click());
  assert.equal(pathOf(page), '/');
  assert.equal(await text(page, 'h1'), '李明华，您好');
  assert.equal(await text(page, '.who-am-i'), '李明华');
  assert.match(await text(page, '.clock-banner'), /2026-11-28/);
  assert.match(await text(page, '#duties-h'), /^我的职责（2026 年）$/);
  const duties = page.locator('#my-duties tbody tr');
  assert.ok((await duties.count()) > 0, 'the secretary has duties this year');
  assert.match(await text(page, '#my-duties'), /党委会年度专题研究网络意识形态工作/);
  assert.match(await text(page, '#posts-h ~ ul'), /材料科学与工程学院 · 党委书记 · 2026-07-01 – 至今/);
  await shot(page, 'journey1-3-home');

  // Sign out: back on the sign-in page, and signed out for good.
  await navigating(page, () => page.locator('form.signout button[type="submit"]').click());
  assert.equal(pathOf(page), '/login');
  assert.equal(await page.locator('.who-am-i').count(), 0);
  await shot(page, 'journey1-4-signed-out');
  await page.goto(b.url('/orgs'));
  assert.equal(pathOf(page), '/login', 'a page that needs sign-in sends to /login after sign-out');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/orgs');
});

test('2. handover: the secretary hands the dean post over, after a refused date', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  await navigating(page, () => page.locator('.main-nav a[href="/orgs"]').click());
  assert.equal(await text(page, 'h1'), '组织');
  await shot(page, 'journey2-1-orgs');

  await navigating(page, () => page.locator(`main a[href="${ORG}"]`).first().click());
  assert.equal(pathOf(page), ORG);
  assert.equal(await text(page, 'h1'), '材料科学与工程学院');
  let dean = await postRow(page, '院长');
  assert.match(await text(page, `#${await dean.getAttribute('id')} td.holder`), /^陈立新 2022-09-01 – 至今 结束或更正$/);
  // The dean holds no portfolio (so journey 3 asks about a deputy's portfolio instead).
  assert.equal(await dean.locator('td').nth(2).locator('.badge').count(), 0);
  await shot(page, 'journey2-2-org');

  await navigating(page, () => dean.getByRole('link', { name: '交接' }).click());
  const formUrl = page.url();
  assert.match(pathOf(page), /^\/orgs\/cqu-mse\/posts\/[^/]+\/handover$/);
  assert.equal(await text(page, 'h1'), '职务交接');
  assert.match(await text(page, '.org-facts'), /院长/);
  assert.match(await text(page, '.org-facts'), /陈立新 2022-09-01 起/);
  assert.equal(await page.locator('#on').inputValue(), '2026-11-28', 'the date defaults to today');
  await shot(page, 'journey2-3-form');

  // A date before the current holding began: refused, in Chinese, on the date field,
  // with both inputs kept.
  const successor = '周海燕（材料科学与工程学院）';
  await page.locator('#person').selectOption({ label: successor });
  const chosen = await page.locator('#person').inputValue();
  await page.locator('#on').fill('2022-08-01');
  const refused = await navigating(page, () => page.locator('form.org-form button[type="submit"]').click());
  assert.equal(refused?.status(), 422);
  assert.equal(
    await text(page, '#on-error'),
    '生效日期必须晚于现任者的任职开始日期（2022-09-01）。',
  );
  assert.equal(await page.locator('#on').getAttribute('aria-invalid'), 'true');
  assert.match((await page.locator('#on').getAttribute('aria-describedby')) ?? '', /\bon-error\b/);
  assert.equal(await page.locator('#on').inputValue(), '2022-08-01');
  assert.equal(await page.locator('#person').inputValue(), chosen);
  assert.equal(await page.locator('#person-error').count(), 0);
  await shot(page, 'journey2-4-refused-date');

  // The right date: back on the org page, the post changed hands.
  await page.locator('#on').fill('2026-11-01');
  await navigating(page, () => page.locator('form.org-form button[type="submit"]').click());
  assert.equal(pathOf(page), ORG);
  assert.match(new URL(page.url()).hash, /^#post-/);
  dean = await postRow(page, '院长');
  const deanId = await dean.getAttribute('id');
  assert.equal(await text(page, `#${deanId} td.holder`), '周海燕 2026-11-01 – 至今 结束或更正');
  assert.equal(await text(page, `#${deanId} td.history`), '陈立新 2022-09-01 – 2026-10-31 结束或更正');
  await shot(page, 'journey2-5-handed-over');

  // The form again now shows the new holder.
  await page.goto(formUrl);
  assert.match(await text(page, '.org-facts'), /周海燕 2026-11-01 起/);
});

test('3. who was responsible: the secretary duty on either side of 1 July, a shared link, a portfolio', async (t) => {
  const page = await b.page(t, { as: 'secretary' });
  await navigating(page, () => page.locator('.main-nav a[href="/who"]').click());
  assert.equal(await text(page, 'h1'), '谁负责');
  assert.equal(await page.locator('#answer').count(), 0);
  await shot(page, 'journey3-1-form');

  await page.locator('#who-org').selectOption('cqu-mse');
  await page.locator('#who-duty').selectOption('annual-dedicated-study');
  assert.match(
    await page.locator('#who-duty option:checked').innerText(),
    /^党委会年度专题研究网络意识形态工作（第四条第（二）项）$/,
  );
  await page.locator('#who-at').fill('2026-06-30');
  await navigating(page, () => page.locator('form.who-form button[type="submit"]').click());
  assert.equal(await text(page, '#answer-h'), '答复 · 材料科学与工程学院（cqu-mse） · 2026-06-30');
  assert.equal(await text(page, '.who-person'), '王建国');
  const chain = await page.locator('.who-chain li').allInnerTexts();
  assert.equal(chain.length, 3, `chain: ${chain.join(' | ')}`);
  assert.match(chain[0], /^第四条第（二）项规定「党委会年度专题研究网络意识形态工作」由第一责任人负责/);
  assert.match(chain[1], /党委书记是第一责任人/);
  assert.match(chain[2], /王建国 于 2022-09-01 至 2026-06-30 任「党委书记」/);
  // The citation links to its item on the policy page.
  const cite = page.locator('.who-chain li').first().locator('a');
  assert.equal(await cite.innerText(), '第四条第（二）项');
  assert.match((await cite.getAttribute('href')) ?? '', /^\/policies\/cqu-mse-2021-6#art-4/);
  // The form keeps the question.
  assert.equal(await page.locator('#who-org').inputValue(), 'cqu-mse');
  assert.equal(await page.locator('#who-duty').inputValue(), 'annual-dedicated-study');
  assert.equal(await page.locator('#who-at').inputValue(), '2026-06-30');
  await shot(page, 'journey3-2-june-30');

  // A day later: the new secretary.
  await page.locator('#who-at').fill('2026-07-01');
  await navigating(page, () => page.locator('form.who-form button[type="submit"]').click());
  assert.equal(await text(page, '.who-person'), '李明华');
  assert.match(await text(page, '.who-chain'), /李明华 自 2026-07-01 起任「党委书记」/);
  const shared = page.url();
  assert.equal(new URL(shared).searchParams.get('at'), '2026-07-01');
  const shareLink = await page.locator('#answer a', { hasText: '本次查询的链接' }).getAttribute('href');
  assert.ok(shareLink, 'the answer carries its link');
  await shot(page, 'journey3-3-july-1');

  // The URL is the question: the leader, in a fresh browser, gets the same answer from it,
  // and from the answer's own link.
  const other = await b.page(t, { as: 'leader' });
  await other.goto(shared);
  assert.equal(await text(other, '.who-person'), '李明华');
  assert.equal(await text(other, '#answer-h'), '答复 · 材料科学与工程学院（cqu-mse） · 2026-07-01');
  await shot(other, 'journey3-4-shared-as-leader');
  await other.goto(b.url(shareLink));
  assert.equal(await text(other, '.who-person'), '李明华');
  assert.equal(await other.locator('#who-duty').inputValue(), 'annual-dedicated-study');

  // A portfolio instead of a duty: publicity lies with the deputy secretary, 赵敏.
  await page.locator('#who-duty').selectOption('');
  await page.locator('#who-portfolio').selectOption({ label: '宣传思想' });
  await page.locator('#who-at').fill('2026-11-28');
  await navigating(page, () => page.locator('form.who-form button[type="submit"]').click());
  assert.equal(new URL(page.url()).searchParams.get('portfolio'), 'publicity');
  assert.equal(await text(page, '.who-person'), '赵敏');
  assert.match(await text(page, '#answer .org-facts'), /党委副书记（分管宣传思想、学生工作）/);
  assert.match(await text(page, '#answer .org-facts'), /第一责任人 李明华/);
  assert.match(await text(page, '.who-chain'), /分管宣传思想（一岗双责）/);
  await shot(page, 'journey3-5-publicity');
});

test('4. English: the header link for the pages that follow, the account setting for good', async (t) => {
  const page = await b.page(t, { as: 'staff' });
  try {
    // The header's language link: English labels, the policy's own text stays Chinese.
    await page.goto(b.url(POLICY));
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await text(page, '#articles-h'), '条款全文');
    await navigating(page, () => page.locator('.lang-switch a[hreflang="en"]').click());
    assert.equal(pathOf(page), POLICY);
    assert.equal(new URL(page.url()).searchParams.get('lang'), 'en');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await text(page, '#articles-h'), 'Articles');
    assert.equal(await text(page, '#grounds-h'), 'Grounds for accountability');
    assert.equal(await text(page, 'form.signout button'), 'Sign out');
    assert.match(await text(page, '.main-nav'), /Organisations/);
    assert.match(await text(page, '.clock-banner'), /2026-11-28/);
    assert.doesNotMatch(await text(page, '.clock-banner'), /演示时钟/);
    assert.equal(await page.locator('#art-8').getAttribute('lang'), 'zh-CN');
    assert.match(await text(page, '#art-8 h3'), /第八条/);
    assert.equal(await text(page, '.lang-switch [aria-current="true"]'), 'English');
    await shot(page, 'journey4-1-policy-en-by-link');

    // The choice holds on the next pages, until it is changed back.
    await page.goto(b.url('/account'));
    assert.equal(await text(page, 'h1'), 'My account');
    await navigating(page, () => page.locator('.lang-switch a[hreflang="zh-CN"]').click());
    assert.equal(await text(page, 'h1'), '我的账号');

    // The account's language: saved as English, it outlives the session (and the browser's
    // remembered choice, which is cleared here).
    await page.locator('form[action="/account/lang"] select[name="lang"]').selectOption('en');
    await navigating(page, () => page.locator('form[action="/account/lang"] button[type="submit"]').click());
    assert.equal(pathOf(page), '/account');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await text(page, 'h1'), 'My account');
    assert.equal(
      await page.locator('form[action="/account/lang"] select[name="lang"]').inputValue(),
      'en',
    );
    await shot(page, 'journey4-2-account-en');

    await navigating(page, () => page.locator('form.signout button[type="submit"]').click());
    assert.equal(pathOf(page), '/login');
    await page.context().clearCookies();
    await page.goto(b.url('/login')); // a fresh sign-in form for the cleared browser
    await signIn(page, 'staff');
    assert.equal(pathOf(page), '/');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await text(page, 'h1'), 'Hello, 刘佳');
    assert.equal(await text(page, '#duties-h'), 'My duties (2026)');
    assert.equal(await text(page, 'form.signout button'), 'Sign out');
    await shot(page, 'journey4-3-home-en-after-sign-in');

    // Every page, not only home, with no ?lang= in the URL.
    await navigating(page, () => page.locator('.main-nav a[href="/orgs"]').click());
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await text(page, 'h1'), 'Organisations');
    await page.goto(b.url(ORG));
    assert.equal(await text(page, '#posts-h'), 'Posts and holders');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    // Org and post names are data and stay Chinese.
    assert.equal(await text(page, 'h1'), '材料科学与工程学院');
    await shot(page, 'journey4-4-org-en');

    // ?lang=zh still wins over the account's setting for one page.
    await page.goto(b.url('/?lang=zh'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await text(page, 'h1'), '刘佳，您好');
  } finally {
    // Back to Chinese, so the account is as the demo made it.
    await page.goto(b.url('/account'));
    await page.locator('form[action="/account/lang"] select[name="lang"]').selectOption('zh-CN');
    await navigating(page, () => page.locator('form[action="/account/lang"] button[type="submit"]').click());
  }
  assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
  assert.equal(await text(page, 'h1'), '我的账号');
});

test('5. phone: home, org and who pages fit 375 px', async (t) => {
  const page = await b.page(t, { ...PHONE, as: 'secretary' });

  await page.goto(b.url('/'));
  assert.equal(await text(page, 'h1'), '李明华，您好');
  await shot(page, 'journey5-1-home-375');
  await assertNoHorizontalScroll(page);

  await page.goto(b.url(ORG));
  assert.equal(await text(page, 'h1'), '材料科学与工程学院');
  await shot(page, 'journey5-2-org-375');
  await assertNoHorizontalScroll(page);

  await page.goto(b.url('/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-06-30'));
  assert.equal(await text(page, '.who-person'), '王建国');
  await shot(page, 'journey5-3-who-375');
  await assertNoHorizontalScroll(page);

  // The answer is reachable: the form does not push it off sideways either.
  const box = await page.locator('#answer').boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 376, `answer box ${JSON.stringify(box)}`);
});

test('6. a leader sees no handover and is refused the handover form', async (t) => {
  const page = await b.page(t, { as: 'leader' });
  await page.goto(b.url(ORG));
  assert.equal(await text(page, 'h1'), '材料科学与工程学院');
  assert.equal(await page.getByRole('link', { name: '交接' }).count(), 0);
  assert.equal(await page.locator('a[href*="/handover"]').count(), 0);
  await shot(page, 'journey6-1-org-as-leader');

  const dean = await postRow(page, '院长');
  const postId = (await dean.getAttribute('id'))?.replace(/^post-/, '');
  const res = await page.goto(b.url(`${ORG}/posts/${postId}/handover`));
  assert.equal(res?.status(), 403);
  assert.equal(await text(page, 'h1'), '无权访问');
  assert.match(await text(page, 'main'), /您的角色无权进行此操作。/);
  assert.equal(await page.locator('form.org-form').count(), 0);
  await shot(page, 'journey6-2-handover-403');

  // So is the secretary's post.
  await page.goto(b.url(ORG));
  const secId = (await (await postRow(page, '党委书记')).getAttribute('id'))?.replace(/^post-/, '');
  const res2 = await page.goto(b.url(`${ORG}/posts/${secId}/handover`));
  assert.equal(res2?.status(), 403);
});

// ---------------------------------------------------------------------------------------
// Problems found walking the journeys above, now fixed and kept as tests.
// ---------------------------------------------------------------------------------------

test(
  'the header language link keeps the page’s question',
  async (t) => {
    const page = await b.page(t, { as: 'secretary' });
    await page.goto(b.url('/who?org=cqu-mse&duty=annual-dedicated-study&at=2026-06-30'));
    await navigating(page, () => page.locator('.lang-switch a[hreflang="en"]').click());
    await shot(page, 'who-after-language-link');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.locator('#answer').count(), 1, `the answer is gone at ${page.url()}`);
    assert.equal(await text(page, '.who-person'), '王建国');
  },
);

test(
  'an explicit ?lang=en survives the main navigation',
  async (t) => {
    const page = await b.page(t, { as: 'secretary' });
    await page.goto(b.url('/?lang=en'));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await navigating(page, () => page.locator('.main-nav a[href^="/orgs"]').click());
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', `Chinese again at ${page.url()}`);
  },
);

test(
  'a 403 page keeps the signed-in frame and the clock banner',
  async (t) => {
    const page = await b.page(t, { as: 'leader' });
    await page.goto(b.url(ORG));
    const postId = (await (await postRow(page, '院长')).getAttribute('id'))?.replace(/^post-/, '');
    const res = await page.goto(b.url(`${ORG}/posts/${postId}/handover`));
    assert.equal(res?.status(), 403);
    assert.equal(await page.locator('.clock-banner').count(), 1, 'the demo clock banner is missing');
    assert.equal(await text(page, '.who-am-i'), '赵敏', 'the signed-in user looks signed out');
  },
);

test(
  'the home page shows the calendar feed in its body and a plain-text title',
  async (t) => {
    // The feed section once sat inside the template's title block: no feed on the page, and
    // raw HTML in the browser tab.
    const page = await b.page(t, { as: 'secretary' });
    await page.goto(b.url('/'));
    const title = await page.evaluate(() => document.title);
    assert.ok(!title.includes('<'), `the title holds markup: ${title}`);
    assert.match(title, /^首页 · Zeren$/);
    const feed = page.locator('main section[aria-labelledby="calendar-h"]');
    assert.equal(await text(page, '#calendar-h'), '日历订阅');
    // The demo secretary has no feed address yet: the section says so and links to the
    // page that makes one.
    assert.equal(await feed.locator('#calendar-feed').count(), 0);
    assert.match(await text(page, 'main section[aria-labelledby="calendar-h"]'), /还没有日历订阅地址。/);
    const manage = feed.locator('a[href="/calendar"]');
    assert.equal(await manage.innerText(), '管理订阅地址');
    assert.ok(await manage.isVisible(), 'the link to the feed page is not visible');
    await shot(page, 'home-calendar-none');
  },
);

test(
  'with a feed address, the home page says so, never showing the address again',
  async (t) => {
    // The branch secretary (no other test signs in as `branch`) makes a feed address: it is
    // shown once, on the page that answers.
    const page = await b.page(t, { as: 'branch' });
    await page.goto(b.url('/calendar'));
    await navigating(page, () => page.locator('form.feeds-rotate button[type="submit"]').click());
    const made = await page.locator('#feeds-url').inputValue();
    assert.equal(new URL(made).origin, new URL(b.url('/')).origin);
    assert.match(new URL(made).pathname, /^\/calendar\/[^/]+\.ics$/);

    await page.goto(b.url('/'));
    assert.ok(!(await page.title()).includes('<'), `the title holds markup: ${await page.title()}`);
    const section = page.locator('main section[aria-labelledby="calendar-h"]');
    const status = section.locator('#calendar-feed');
    assert.ok(await status.isVisible(), 'the home page does not say a feed exists');
    assert.match(await status.innerText(), /订阅地址已于/);
    assert.ok(!(await page.content()).includes(new URL(made).pathname), 'the address is shown again');
    assert.ok(await section.locator('form.feeds-rotate button[type="submit"]').isVisible());
    assert.ok(await section.locator('a[href="/calendar"]').isVisible());
    await shot(page, 'home-calendar-feed');
  },
);
