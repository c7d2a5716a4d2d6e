// The platform registry (阵地) as its users walk it, on a demo of its own: the branch
// secretary enters a WeChat official account for the branch, sees its registration duty at
// once with the person who answers for it, records how it is registered, moves it to
// registered (the duty is done) and to active (the annual review and the operator's training
// are owed); a wrong step is refused at its field. A leader reads the registry and cannot
// change it; the registry fits a phone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, signIn, shot, text, PHONE, assertNoHorizontalScroll } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf } from './fresh.mjs';

const b = useBrowser();
const { at } = useFreshInstallation('zeren-platforms-', (zeren) => {
  zeren(['demo', '--clock', '2026-11-28']);
});

async function as(t, user, options) {
  const page = await b.page(t, options);
  await page.goto(at('/login'));
  await signIn(page, user);
  return page;
}

test('the branch secretary enters, registers and opens the branch WeChat account', async (t) => {
  const page = await as(t, 'branch');
  await navigating(page, () => page.locator('.main-nav a[href="/platforms"]').click());
  assert.equal(await text(page, 'h1'), '网络阵地登记簿');
  await navigating(page, () => page.getByRole('link', { name: '登记新阵地' }).click());
  assert.match(pathOf(page), /^\/platforms\/new/);
  assert.equal(await page.locator('#org').inputValue(), '材料学院教工第一党支部');
  await shot(page, 'platforms-1-new');

  // A code of the wrong form: refused at its field, the rest kept.
  await page.locator('#name').fill('材料学院教工第一党支部 微信公众号');
  await page.locator('#code').fill('B1 公众号');
  await page.locator('#kind').selectOption('wechat-official');
  await page.locator('#portfolio').selectOption('publicity');
  await page.locator('#opened_on').fill('2026-11-20');
  await page.locator('input[name="news_function"]').check();
  await page.locator('input[name="operators"]').first().check();
  const refused = await navigating(page, () => page.getByRole('button', { name: '保存' }).click());
  assert.equal(refused?.status(), 422);
  assert.match(await text(page, '.has-error .field-error'), /代码「B1 公众号」无效/);
  assert.equal(await page.locator('#name').inputValue(), '材料学院教工第一党支部 微信公众号');
  await shot(page, 'platforms-2-refused');

  await page.locator('#code').fill('cqu-mse-b1-wechat');
  await navigating(page, () => page.getByRole('button', { name: '保存' }).click());
  assert.match(pathOf(page), /^\/platforms\/[0-9a-f-]+$/);
  assert.match(await text(page, 'h1'), /材料学院教工第一党支部 微信公众号\s*筹建/);
  // Owed at once, answered for by the branch secretary (a branch holds no portfolio).
  const duties = await text(page, '#platform-duties');
  assert.match(duties, /新媒体平台备案登记/);
  assert.doesNotMatch(duties, /年审/);
  assert.match(await text(page, '.org-facts'), /郑晓东/);
  await shot(page, 'platforms-3-planned');

  // Registered before its details are in: refused at the step's field.
  await page.locator('#to').selectOption('registered');
  await page.locator('#reason').fill('已在微信公众平台注册');
  const early = await navigating(page, () => page.getByRole('button', { name: '记录状态变化' }).click());
  assert.equal(early?.status(), 422);
  assert.match(await text(page, 'form[action$="/steps"] .field-error'), /须先填写完整的备案登记信息/);
  // … and what is missing shows at the registration's own fields.
  assert.match(await text(page, '#account_id ~ .field-error'), /账号须填写账号 ID/);

  // The refusal opened the registration form at its fields.
  assert.equal(await page.locator('details:has(#account_id)').getAttribute('open'), '');
  await page.locator('#account_id').fill('gh_b1mse2026');
  await page.locator('#registered_on').fill('2026-11-24');
  await page.locator('#registering_body').fill('重庆大学');
  await navigating(page, () => page.getByRole('button', { name: '保存备案信息' }).click());
  assert.match(await text(page, '#registration ~ dl'), /gh_b1mse2026/);

  await page.locator('#to').selectOption('registered');
  await page.locator('#on').fill('2026-11-25');
  await page.locator('#reason').fill('已在微信公众平台注册');
  await navigating(page, () => page.getByRole('button', { name: '记录状态变化' }).click());
  assert.match(await text(page, 'h1'), /已备案/);
  assert.match(await text(page, '#platform-duties'), /新媒体平台备案登记[\s\S]*已完成/);

  await page.locator('#to').selectOption('active');
  await page.locator('#on').fill('2026-11-26');
  await page.locator('#reason').fill('开通运行');
  await navigating(page, () => page.getByRole('button', { name: '记录状态变化' }).click());
  assert.match(await text(page, 'h1'), /运行/);
  const owed = await text(page, '#platform-duties');
  assert.match(owed, /新媒体平台年审/);
  assert.match(owed, /新闻信息服务管理人员教育培训和业务培训/);
  const steps = await text(page, '#steps');
  assert.match(steps, /已备案 → 运行[\s\S]*开通运行/);
  assert.match(steps, /筹建 → 已备案/);
  await shot(page, 'platforms-4-active');

  // The registry lists it.
  await page.goto(at('/platforms?org=cqu-mse-b1'));
  assert.match(await text(page, '#registry'), /材料学院教工第一党支部 微信公众号[\s\S]*运行/);
  await shot(page, 'platforms-5-registry');
});

test('a leader reads the registry and a platform, and cannot change them', async (t) => {
  const page = await as(t, 'leader');
  await page.goto(at('/platforms?org=cqu-mse'));
  assert.match(await text(page, '#registry'), /重大材料学院 微信公众号/);
  assert.equal(await page.getByRole('link', { name: '登记新阵地' }).count(), 0);
  await navigating(page, () => page.getByRole('link', { name: '重大材料学院 微信公众号' }).click());
  assert.match(await text(page, '.org-facts'), /宣传思想/);
  assert.equal(await page.getByRole('link', { name: '修改阵地信息' }).count(), 0);
  assert.equal(await page.locator('form[action$="/steps"]').count(), 0);
  await shot(page, 'platforms-6-leader');
});

test('the registry fits a phone', async (t) => {
  const page = await as(t, 'secretary', PHONE);
  await page.goto(at('/platforms'));
  await assertNoHorizontalScroll(page);
  await shot(page, 'platforms-7-phone');
});
