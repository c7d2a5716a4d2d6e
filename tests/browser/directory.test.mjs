// Signing in through the university's directories, in Debian's chromium: the 统一身份认证 portal
// (CAS), an OpenID Connect provider, an LDAP directory, and the 企业微信 and 钉钉 workbenches —
// each against a stand-in on this machine (tests/browser/stand-ins/; LDAP is a real OpenLDAP,
// tests/directory/slapd.sh).
//
// This file makes its own installation (fresh.mjs): `zeren serve --demo --allow-local-directory`
// on a free loopback port with `--clock 2026-11-28` (the stand-ins listen on 127.0.0.1, which
// the server refuses to reach without the flag). The system administrator sets every way up on
// the real settings page and tests each connection; then each way signs a demo person in, and
// each way's failures are shown in words and open no session. The tests run in order on that
// one installation and share its settings.
//
// The demo people's staff numbers (工号) are read at the start through the API (as
// `supervisor`, whose scope is the whole university): the stand-ins vouch for those.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBrowser, signIn, shot, text, checkA11y, DEMO_PASSWORD, PHONE } from './lib.mjs';
import { useFreshInstallation, navigating, pathOf, freePort } from './fresh.mjs';
import { startCas } from './stand-ins/cas.mjs';
import { startOidc } from './stand-ins/oidc.mjs';
import { startApps } from './stand-ins/apps.mjs';
import {
  ldif,
  startSlapd,
  stopSlapd,
  slapdLog,
  groupDn,
  PEOPLE_DN,
  SERVICE_DN,
  SERVICE_PASSWORD,
} from './stand-ins/ldap.mjs';

const b = useBrowser();
const fresh = useFreshInstallation('zeren-directory-', () => {}, {
  serveArgs: ['--demo', '--allow-local-directory'],
});
const { at } = fresh;

/** The demo people the directories vouch for: account, name, and (read at start) staff number. */
const PEOPLE = {
  secretary: { name: '李明华' },
  leader: { name: '赵敏' },
  staff: { name: '刘佳' },
  branch: { name: '郑晓东' },
  supervisor: { name: '马文涛' },
  /** The college's former secretary: in the roster, without an account. */
  former: { name: '王建国' },
};
const LDAP_PASSWORD = 'Ldap@2026';
const OIDC_CLIENT = { id: 'zeren-test', secret: 'oidc-secret-2026' };
const WECOM = { corpId: 'ww-test-corp', secret: 'wecom-secret-2026', agentId: '1000002' };
const DINGTALK = { appKey: 'ding-test-app', appSecret: 'ding-secret-2026', agentId: '2000003' };
/** 郑晓东's 企业微信 userid, and 刘佳's 钉钉 userid and unionId. */
const WECOM_ID = 'zhengxiaodong';
const DINGTALK_ID = 'liujia01';
const DINGTALK_UNION = 'union-liujia-7f3a';
/** A staff number nobody in the roster has. */
const STRANGER_NO = 'X90001';
/** The LDAP group mapped to a grant: supervisor over the university (cqu). */
const INSPECTORS = groupDn('inspectors');

/** The messages the failure page shows (crates/core/src/directory). */
const SAYS = {
  replayed: '该登录凭据已使用过或已过期，不能再次使用',
  forgedOidc: 'OIDC 身份提供方返回的身份令牌未通过校验',
  wrongPassword: '用户名或密码错误',
  ldapDown: '暂时无法连接LDAP 目录',
};

/** A phone inside the 企业微信 or 钉钉 client. */
const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 } };
const WXWORK_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 wxwork/4.1.26 MicroMessenger/7.0.1 Language/zh ColorScheme/Light';
const DINGTALK_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 AliApp(DingTalk/7.6.0) com.laiwang.DingTalk/36478871 Channel/201200 language/zh-Hans-CN';

let cas;
let oidc;
let apps;
let ldapDir;
let ldapPort;

// ---------------------------------------------------------------------------------------
// Talking to the server without a browser: a local sign-in and the API.
// ---------------------------------------------------------------------------------------

/** Signs `username` in with the local password (fetch, no browser); returns `{ get, patch }`. */
async function apiAs(username) {
  const jar = new Map();
  const take = (r) => {
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let r = await fetch(at('/login'));
  take(r);
  const csrf = /name="csrf" value="([^"]+)"/.exec(await r.text())?.[1];
  assert.ok(csrf, 'the login page carries a CSRF token');
  r = await fetch(at('/login'), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, username, password: DEMO_PASSWORD, next: '' }),
  });
  take(r);
  assert.equal(r.status, 303, `${username} signs in (local password)`);
  const get = async (path) => {
    const res = await fetch(at(path), { headers: { cookie: cookie() } });
    assert.equal(res.status, 200, `GET ${path} as ${username}`);
    return res.json();
  };
  const me = await get('/api/v1/me');
  const patch = async (path, body) => {
    const res = await fetch(at(path), {
      method: 'PATCH',
      headers: { cookie: cookie(), 'content-type': 'application/json', 'x-csrf-token': me.csrf },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, `PATCH ${path} as ${username}: ${await res.clone().text()}`);
    return res.json();
  };
  return { get, patch, me };
}

/** The person of the roster named `name` (exactly), as `api` sees them. */
async function personNamed(api, name) {
  const list = await api.get(`/api/v1/people?q=${encodeURIComponent(name)}`);
  const found = list.items.filter((p) => p.name === name);
  assert.equal(found.length, 1, `one person named ${name}`);
  return api.get(`/api/v1/people/${found[0].id}`);
}

// ---------------------------------------------------------------------------------------
// The stand-ins and the directory, started once the server runs.
// ---------------------------------------------------------------------------------------

before(async () => {
  // Node 20 runs each top-level `before` as it is registered, without waiting for the one
  // before it: wait here for fresh.mjs's to have the server answering.
  for (const deadline = Date.now() + 60_000; ; ) {
    try {
      at('/');
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const reader = await apiAs('supervisor');
  for (const p of Object.values(PEOPLE)) {
    const person = await personNamed(reader, p.name);
    assert.ok(person.staff_no, `${p.name} has a staff number`);
    p.id = person.id;
    p.staffNo = person.staff_no;
  }
  console.log(`staff numbers: ${Object.values(PEOPLE).map((p) => `${p.name} ${p.staffNo}`).join(', ')}`);

  cas = await startCas({
    users: {
      limh: { name: PEOPLE.secretary.name, employeeNumber: PEOPLE.secretary.staffNo },
      stranger: { name: '陌生人', employeeNumber: STRANGER_NO },
      wangjg: { name: PEOPLE.former.name, employeeNumber: PEOPLE.former.staffNo },
    },
  });
  oidc = await startOidc({
    clientId: OIDC_CLIENT.id,
    clientSecret: OIDC_CLIENT.secret,
    redirectUri: at('/login/oidc/return'),
    users: { liujia: { name: PEOPLE.staff.name, employeeNumber: PEOPLE.staff.staffNo } },
    clockShift: () => fresh.clockShift(),
  });
  apps = await startApps({
    wecom: { ...WECOM, signedIn: WECOM_ID },
    dingtalk: {
      ...DINGTALK,
      people: { [DINGTALK_UNION]: { userid: DINGTALK_ID, nick: PEOPLE.staff.name } },
      signedIn: DINGTALK_UNION,
    },
  });

  ldapDir = mkdtempSync(join(tmpdir(), 'zeren-directory-ldap-'));
  ldapPort = await freePort();
  const seed = join(ldapDir, 'seed.ldif');
  writeFileSync(
    seed,
    ldif({
      people: [
        { uid: 'zhaomin', cn: PEOPLE.leader.name, employeeNumber: PEOPLE.leader.staffNo, password: LDAP_PASSWORD },
        { uid: 'wanglei', cn: '王磊', employeeNumber: 'X90002', password: LDAP_PASSWORD },
      ],
      groups: [{ cn: 'inspectors', members: ['zhaomin'] }],
    }),
  );
  console.log(startSlapd(ldapDir, ldapPort, seed).trim());
});

after(async () => {
  // ZEREN_DIRECTORY_LOG=1: what the stand-ins were asked, and slapd's log.
  if (process.env.ZEREN_DIRECTORY_LOG) {
    console.log([...(cas?.log ?? []), ...(oidc?.log ?? []), ...(apps?.log ?? [])].join('\n'));
    if (ldapDir) console.log(readFileSync(slapdLog(ldapDir), 'utf8').split('\n').slice(-40).join('\n'));
  }
  await Promise.all([cas?.close(), oidc?.close(), apps?.close()]);
  if (ldapDir) {
    stopSlapd(ldapDir);
    rmSync(ldapDir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------
// Helpers of the journeys.
// ---------------------------------------------------------------------------------------

/** Signs in through the local form (inside 本地账号登录 once directories are set up). */
async function localSignIn(page, username) {
  await page.goto(at('/login'));
  const details = page.locator('details.login-local');
  if ((await details.count()) && !(await details.evaluate((d) => d.open))) {
    await details.locator('summary').click();
  }
  await signIn(page, username);
}

/** `/api/v1/me` in the page's browser context: `{ status, body }`. */
async function me(page) {
  const res = await page.request.get(at('/api/v1/me'));
  return { status: res.status(), body: res.status() === 200 ? await res.json() : null };
}

/** The roles of the signed-in user as `role@org_code`. */
async function rolesOf(page) {
  const m = await me(page);
  assert.equal(m.status, 200, 'signed in: /api/v1/me answers');
  return m.body.roles.map((r) => `${r.role}@${r.org_code}`);
}

/**
 * The page is the failure page saying `words`, answered with `status`; and the browser holds
 * no session: /api/v1/me answers 401 and /account sends it to the login page.
 */
async function assertRefused(page, response, status, words, shotName = null) {
  assert.equal(response?.status(), status, `answered ${status}`);
  assert.equal(await text(page, 'h1'), '登录未成功');
  const said = await text(page, '.directory-failed .form-error');
  for (const w of [words].flat()) assert.ok(said.includes(w), `the page says «${w}»: «${said}»`);
  if (shotName) await shot(page, shotName);
  assert.equal((await me(page)).status, 401, 'no session after a refused sign-in');
  await page.goto(at('/account'));
  assert.equal(new URL(page.url()).pathname, '/login', 'a page behind sign-in sends the browser to sign in');
  return said;
}

/** From the login page through the button with `words`, to the stand-in's page. */
async function startAt(page, words, standIn) {
  await page.goto(at('/login'));
  await navigating(page, () => page.locator('a.login-way', { hasText: words }).click());
  assert.ok(page.url().startsWith(standIn), `at the stand-in: ${page.url()}`);
}

/** Chooses `login` on a stand-in's page; the response of the page the browser lands on. */
function choose(page, login) {
  return navigating(page, () => page.locator(`button[name="user"][value="${login}"]`).click());
}

/** Presses 测试连接 for `what` on the settings page; the result's words. */
async function testConnection(page, what) {
  await navigating(page, () =>
    page.locator(`form.directory-test:has(input[name="what"][value="${what}"]) button[type="submit"]`).click(),
  );
  const result = page.locator('#test-result');
  assert.equal(await result.getAttribute('data-what'), what);
  return { ok: (await result.getAttribute('class')).includes('notify-saved'), words: await text(page, '#test-result') };
}

// ---------------------------------------------------------------------------------------
// Settings.
// ---------------------------------------------------------------------------------------

test('settings: the system administrator sets every way up on /admin/directory, and each connection test works', async (t) => {
  const page = await b.page(t);
  await localSignIn(page, 'sysadmin');
  await page.goto(at('/admin/directory'));
  assert.equal(await text(page, 'h1'), '统一身份认证与办公应用');

  await page.locator('#public_url').fill(at(''));
  await page.locator('#link').selectOption('staff-no');
  // CAS 3.0, the staff number in employeeNumber.
  await page.locator('#cas-enabled').check();
  await page.locator('#cas-base_url').fill(`${cas.base}/cas`);
  await page.locator('#cas-version').selectOption('3.0');
  await page.locator('#cas-key_attribute').fill('employeeNumber');
  // LDAP, plain to this machine, one group mapped to a grant.
  await page.locator('#ldap-enabled').check();
  await page.locator('#ldap-url').fill(`ldap://127.0.0.1:${ldapPort}`);
  await page.locator('#ldap-bind_dn').fill(SERVICE_DN);
  await page.locator('#ldap-bind_password').fill(SERVICE_PASSWORD);
  await page.locator('#ldap-base_dn').fill(PEOPLE_DN);
  await page.locator('#ldap-user_filter').fill('(uid={login})');
  await page.locator('#ldap-key_attribute').fill('employeeNumber');
  await page.locator('#ldap-name_attribute').fill('cn');
  await page.locator('#ldap-group_attribute').fill('memberOf');
  await page.locator('#ldap-timeout_secs').fill('5');
  await page.locator('#ldap-groups').fill(`${INSPECTORS} => supervisor @ cqu`);
  // OIDC.
  await page.locator('#oidc-enabled').check();
  await page.locator('#oidc-issuer').fill(oidc.base);
  await page.locator('#oidc-client_id').fill(OIDC_CLIENT.id);
  await page.locator('#oidc-client_secret').fill(OIDC_CLIENT.secret);
  await page.locator('#oidc-key_claim').fill('employee_number');
  // 企业微信 and 钉钉: sign-in and messages.
  await page.locator('#wecom-enabled').check();
  await page.locator('#wecom-api_base').fill(`${apps.base}/wecom/api`);
  await page.locator('#wecom-oauth_base').fill(`${apps.base}/wecom/oauth`);
  await page.locator('#wecom-corp_id').fill(WECOM.corpId);
  await page.locator('#wecom-agent_id').fill(WECOM.agentId);
  await page.locator('#wecom-secret').fill(WECOM.secret);
  await page.locator('#wecom-sign_in').check();
  await page.locator('#wecom-messages').check();
  await page.locator('#dingtalk-enabled').check();
  await page.locator('#dingtalk-api_base').fill(`${apps.base}/ding/oapi`);
  await page.locator('#dingtalk-new_api_base').fill(`${apps.base}/ding/api`);
  await page.locator('#dingtalk-oauth_base').fill(`${apps.base}/ding/login`);
  await page.locator('#dingtalk-app_key').fill(DINGTALK.appKey);
  await page.locator('#dingtalk-app_secret').fill(DINGTALK.appSecret);
  await page.locator('#dingtalk-agent_id').fill(DINGTALK.agentId);
  await page.locator('#dingtalk-sign_in').check();
  await page.locator('#dingtalk-messages').check();
  await navigating(page, () => page.locator('#directory-form button[type="submit"]').click());
  assert.equal(pathOf(page), '/admin/directory?saved=1', 'saved and back on the settings page');
  assert.match(await text(page, '.notify-saved'), /设置已保存/);
  // Secrets are never shown back: the fields are empty, their hints say they are kept.
  assert.equal(await page.locator('#oidc-client_secret').inputValue(), '');
  assert.match(await text(page, '#oidc-client_secret-hint'), /已保存（加密存储）/);
  // The mapping is shown back by the org's id (kept so); the return addresses follow public_url.
  const groupsShown = await page.locator('#ldap-groups').inputValue();
  assert.match(groupsShown, /^cn=inspectors,ou=groups,dc=example,dc=edu,dc=cn => supervisor @ \S+$/);
  console.log(`group mappings shown back: ${groupsShown}`);
  assert.match(await text(page, 'table.data'), new RegExp(`${at('/login/cas/return').replaceAll('.', '\\.')}`));
  await shot(page, 'directory-1-settings-saved');
  // Saved again as shown (secrets left empty, the mapping as shown back): nothing is lost.
  const version = await page.locator('input[name="version"]').inputValue();
  await navigating(page, () => page.locator('#directory-form button[type="submit"]').click());
  assert.equal(pathOf(page), '/admin/directory?saved=1', 'the form as shown saves again');
  assert.notEqual(await page.locator('input[name="version"]').inputValue(), version);
  assert.equal(await page.locator('#ldap-groups').inputValue(), groupsShown);
  for (const secret of ['ldap-bind_password', 'oidc-client_secret', 'wecom-secret', 'dingtalk-app_secret']) {
    assert.match(await text(page, `#${secret}-hint`), /已保存（加密存储）/, `${secret} is kept`);
  }

  const expect = {
    cas: /门户可以访问，并按 CAS 协议应答了一张测试票据（INVALID_TICKET）/,
    ldap: new RegExp(`已连接 .*127\\.0\\.0\\.1:${ldapPort}.*服务账号 ${SERVICE_DN}.*绑定成功`),
    oidc: /已读取身份提供方的发现文档和签名密钥/,
    wecom: /已连接企业微信：取得 access_token（有效期 7200 秒），应用「责任制提醒」（AgentId 1000002）可用/,
    dingtalk: /已连接钉钉：取得 access_token（有效期 7200 秒）/,
  };
  for (const [what, words] of Object.entries(expect)) {
    const r = await testConnection(page, what);
    assert.ok(r.ok, `the ${what} test works: ${r.words}`);
    assert.match(r.words, /^连接正常：/);
    assert.match(r.words, words, `${what}: ${r.words}`);
    console.log(`test connection ${what}: ${r.words}`);
  }
  await shot(page, 'directory-2-settings-test-dingtalk');
});

test('login page: every way is offered, the local form folded under 本地账号登录 (desktop and phone)', async (t) => {
  const page = await b.page(t);
  await page.goto(at('/login'));
  const ways = await page.locator('a.login-way').allInnerTexts();
  assert.deepEqual(ways.map((w) => w.trim()), ['统一身份认证登录', 'OIDC 单点登录', '企业微信登录', '钉钉登录']);
  assert.deepEqual(
    await page.locator('a.login-way').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
    ['/login/cas', '/login/oidc', '/login/wecom', '/login/dingtalk'],
  );
  assert.ok(await page.locator('#ldap-form #ldap-username').isVisible(), 'the LDAP form is shown');
  assert.ok(await page.locator('#ldap-form #ldap-password').isVisible());
  const local = page.locator('details.login-local');
  assert.equal(await local.evaluate((d) => d.open), false, 'the local form is folded');
  assert.equal(await local.locator('#local-form').count(), 1, 'the local form is inside 本地账号登录');
  assert.equal(await page.locator('#local-form #username').isVisible(), false);
  await shot(page, 'directory-3-login-ways-desktop');
  await local.locator('summary').click();
  assert.ok(await page.locator('#local-form #username').isVisible());
  await checkA11y(page, { again: true });
  await shot(page, 'directory-4-login-ways-local-open');
  await page.setViewportSize(PHONE_390.viewport);
  await page.reload();
  await shot(page, 'directory-5-login-ways-phone');
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
    'the login page fits a 390-px phone',
  );
});

// ---------------------------------------------------------------------------------------
// CAS.
// ---------------------------------------------------------------------------------------

let casSignedIn = null;

test('CAS: 李明华 signs in through the portal and lands on home as secretary of cqu-mse', async (t) => {
  const page = await b.page(t);
  await startAt(page, '统一身份认证登录', `${cas.base}/cas/login?service=`);
  const service = new URL(page.url()).searchParams.get('service');
  assert.match(service, new RegExp(`^${at('/login/cas/return?state=').replace(/[.?]/g, '\\$&')}[^&]+$`));
  await shot(page, 'directory-6-cas-portal');
  await choose(page, 'limh');
  assert.equal(pathOf(page), '/', 'lands on home');
  assert.equal(await text(page, '.who-am-i'), '李明华');
  assert.ok((await rolesOf(page)).includes('secretary@cqu-mse'));
  casSignedIn = cas.lastTicket;
  assert.equal(casSignedIn.user, 'limh');
  const validated = cas.validations.at(-1);
  assert.equal(validated.ticket, casSignedIn.ticket);
  assert.equal(validated.service, service, 'validated for the very service the portal was given');
  await shot(page, 'directory-7-cas-home');
});

test('CAS: the ticket replayed in another browser is refused, and opens no session', async (t) => {
  assert.ok(casSignedIn, 'the sign-in test ran first');
  const page = await b.page(t);
  const res = await page.goto(casSignedIn.returnTo);
  await assertRefused(page, res, 401, SAYS.replayed);
});

test('CAS: a ticket the portal never issued is refused with INVALID_TICKET', async (t) => {
  const page = await b.page(t);
  await startAt(page, '统一身份认证登录', `${cas.base}/cas/login?service=`);
  const service = new URL(page.url()).searchParams.get('service');
  const state = new URL(service).searchParams.get('state');
  const res = await page.goto(at(`/login/cas/return?state=${encodeURIComponent(state)}&ticket=ST-bogus-1`));
  assert.equal(cas.validations.at(-1).ticket, 'ST-bogus-1', 'the portal was asked');
  const said = await assertRefused(page, res, 401, ['统一身份认证未能确认本次登录', 'INVALID_TICKET'], 'directory-8-cas-invalid-ticket');
  console.log(`refused: ${said}`);
});

test('CAS: a ticket issued for another service is refused with INVALID_SERVICE', async (t) => {
  const page = await b.page(t);
  await startAt(page, '统一身份认证登录', `${cas.base}/cas/login?service=`);
  cas.issueNextFor = (s) => s.replace('/login/cas/return', '/login/cas/elsewhere');
  const res = await choose(page, 'limh');
  await assertRefused(page, res, 401, ['统一身份认证未能确认本次登录', 'INVALID_SERVICE']);
});

test('CAS: someone the roster does not know is refused, naming 工号 and the value', async (t) => {
  const page = await b.page(t);
  await startAt(page, '统一身份认证登录', `${cas.base}/cas/login?service=`);
  const res = await choose(page, 'stranger');
  // Identity confirmed, no person to link it to: 403.
  const said = await assertRefused(page, res, 403, ['工号', `「${STRANGER_NO}」`, '统一身份认证确认了您的身份']);
  console.log(`refused: ${said}`);
});

test('CAS: someone in the roster without an account is refused (accounts are not made on first sign-in)', async (t) => {
  const page = await b.page(t);
  await startAt(page, '统一身份认证登录', `${cas.base}/cas/login?service=`);
  const res = await choose(page, 'wangjg');
  await assertRefused(page, res, 403, [`工号为「${PEOPLE.former.staffNo}」的人员尚未开通本系统账号`]);
});

test("CAS: back where sign-in was asked for (next); the portal's single logout ends that session", async (t) => {
  const page = await b.page(t);
  await page.goto(at('/account'));
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
  const way = page.locator('a.login-way', { hasText: '统一身份认证登录' });
  const href = new URL(await way.getAttribute('href'), at('/'));
  assert.equal(href.pathname, '/login/cas');
  assert.equal(href.searchParams.get('next'), '/account', 'the way carries next along');
  await navigating(page, () => way.click());
  await choose(page, 'limh');
  assert.equal(pathOf(page), '/account', 'lands where sign-in was asked for');
  const ticket = cas.lastTicket.ticket;
  // Another session of the same person (local password) is not the portal's to end.
  const other = await b.page(t);
  await localSignIn(other, 'secretary');
  const slo = await cas.logout(ticket);
  assert.equal(slo.status, 200, `the logout request is taken: ${slo.text}`);
  assert.equal((await me(page)).status, 401, 'the portal session is over');
  await page.goto(at('/account'));
  assert.equal(new URL(page.url()).pathname, '/login', 'the next page is the login page');
  assert.equal((await me(other)).status, 200, 'the local session goes on');
});

// ---------------------------------------------------------------------------------------
// OIDC.
// ---------------------------------------------------------------------------------------

test('OIDC: 刘佳 signs in through the provider and lands on home as staff of cqu-mse', async (t) => {
  const page = await b.page(t);
  await startAt(page, 'OIDC 单点登录', `${oidc.base}/authorize?`);
  const q = new URL(page.url()).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('redirect_uri'), at('/login/oidc/return'));
  await choose(page, 'liujia');
  assert.equal(pathOf(page), '/', 'lands on home');
  assert.equal(await text(page, '.who-am-i'), '刘佳');
  assert.ok((await rolesOf(page)).includes('staff@cqu-mse'));
  assert.equal(oidc.tokens.at(-1).claims.employee_number, PEOPLE.staff.staffNo);
  await shot(page, 'directory-9-oidc-home');
});

test('OIDC: an expired ID token is refused, and opens no session', async (t) => {
  const page = await b.page(t);
  await startAt(page, 'OIDC 单点登录', `${oidc.base}/authorize?`);
  oidc.next = 'expired';
  const res = await choose(page, 'liujia');
  assert.equal(oidc.tokens.at(-1).mode, 'expired');
  await assertRefused(page, res, 401, SAYS.forgedOidc);
});

test('OIDC: an ID token signed with another key is refused, and opens no session', async (t) => {
  const page = await b.page(t);
  await startAt(page, 'OIDC 单点登录', `${oidc.base}/authorize?`);
  oidc.next = 'forged';
  const res = await choose(page, 'liujia');
  assert.equal(oidc.tokens.at(-1).mode, 'forged');
  await assertRefused(page, res, 401, SAYS.forgedOidc, 'directory-10-oidc-forged');
});

// ---------------------------------------------------------------------------------------
// LDAP.
// ---------------------------------------------------------------------------------------

async function ldapSignIn(page, username, password) {
  await page.goto(at('/login'));
  await page.locator('#ldap-username').fill(username);
  await page.locator('#ldap-password').fill(password);
  return navigating(page, () => page.locator('#ldap-form button[type="submit"]').click());
}

test('LDAP: 赵敏 signs in with the directory password, and the mapped group gives supervisor over cqu', async (t) => {
  const page = await b.page(t);
  await ldapSignIn(page, 'zhaomin', LDAP_PASSWORD);
  assert.equal(pathOf(page), '/', 'lands on home');
  assert.equal(await text(page, '.who-am-i'), '赵敏');
  const roles = await rolesOf(page);
  assert.ok(roles.includes('leader@cqu-mse'), `her post's role: ${roles}`);
  assert.ok(roles.includes('supervisor@cqu'), `the group's grant: ${roles}`);
  await shot(page, 'directory-11-ldap-home');
});

test('LDAP: a wrong directory password is refused, and opens no session', async (t) => {
  const page = await b.page(t);
  const res = await ldapSignIn(page, 'zhaomin', 'not-the-password');
  await assertRefused(page, res, 401, SAYS.wrongPassword);
});

test('LDAP down: the form says the directory cannot be reached; sysadmin still signs in locally and the test says why', async (t) => {
  stopSlapd(ldapDir);
  const page = await b.page(t);
  const res = await ldapSignIn(page, 'zhaomin', LDAP_PASSWORD);
  const said = await assertRefused(page, res, 502, [SAYS.ldapDown, '管理员仍可使用本地密码登录'], 'directory-12-ldap-down');
  console.log(`refused: ${said}`);
  // The portal's outage locks no administrator out: the local form still works.
  const admin = await b.page(t);
  await localSignIn(admin, 'sysadmin');
  assert.equal((await me(admin)).body.username, 'sysadmin');
  await admin.goto(at('/admin/directory'));
  const r = await testConnection(admin, 'ldap');
  assert.equal(r.ok, false, `the LDAP test fails: ${r.words}`);
  assert.match(r.words, /^连接失败：/);
  assert.match(r.words, new RegExp(`127\\.0\\.0\\.1:${ldapPort}`), `names the address: ${r.words}`);
  console.log(`test connection ldap (down): ${r.words}`);
  await shot(admin, 'directory-13-ldap-test-failed');
});

// ---------------------------------------------------------------------------------------
// 企业微信 and 钉钉, from the workbench on a phone.
// ---------------------------------------------------------------------------------------

test('企业微信: the keeper records 郑晓东\'s userid; from the workbench on a phone he lands on his home', async (t) => {
  const keeper = await b.page(t);
  await localSignIn(keeper, 'keeper');
  await keeper.goto(at(`/people/${PEOPLE.branch.id}/edit`));
  await keeper.locator('#wecom_id').fill(WECOM_ID);
  await navigating(keeper, () => keeper.locator('form.org-form button[type="submit"]').click());
  assert.match(await text(keeper, 'main'), new RegExp(WECOM_ID), 'the person page shows the userid');

  const page = await b.page(t, { ...PHONE_390, userAgent: WXWORK_UA });
  await page.goto(at('/login/wecom'));
  assert.equal(pathOf(page), '/', 'lands on home');
  assert.equal(await text(page, '.who-am-i'), '郑晓东');
  assert.ok((await rolesOf(page)).includes('branch@cqu-mse-b1'));
  await shot(page, 'directory-14-wecom-phone-home');
});

test('企业微信: a code the API refuses is shown with its code (40029), and opens no session', async (t) => {
  const page = await b.page(t, { ...PHONE_390, userAgent: WXWORK_UA });
  apps.wecom.badCode = true;
  const res = await page.goto(at('/login/wecom'));
  await assertRefused(page, res, 401, ['企业微信未能确认本次登录', '40029'], 'directory-15-wecom-bad-code-phone');
});

test('钉钉: 刘佳\'s userid recorded, from the workbench on a phone she lands on her home', async (t) => {
  const keeper = await apiAs('keeper');
  const person = await keeper.get(`/api/v1/people/${PEOPLE.staff.id}`);
  const saved = await keeper.patch(`/api/v1/people/${PEOPLE.staff.id}`, { version: person.version, dingtalk_id: DINGTALK_ID });
  assert.equal(saved.dingtalk_id ?? (await keeper.get(`/api/v1/people/${PEOPLE.staff.id}`)).dingtalk_id, DINGTALK_ID);

  const page = await b.page(t, { ...PHONE_390, userAgent: DINGTALK_UA });
  await page.goto(at('/login/dingtalk'));
  assert.equal(pathOf(page), '/', 'lands on home');
  assert.equal(await text(page, '.who-am-i'), '刘佳');
  assert.ok((await rolesOf(page)).includes('staff@cqu-mse'));
  await shot(page, 'directory-16-dingtalk-phone-home');
});

test('钉钉: a code the API refuses is shown with its code, and opens no session', async (t) => {
  const page = await b.page(t, { ...PHONE_390, userAgent: DINGTALK_UA });
  apps.dingtalk.badCode = true;
  const res = await page.goto(at('/login/dingtalk'));
  await assertRefused(page, res, 401, ['钉钉未能确认本次登录', 'InvalidAuthCode']);
});
