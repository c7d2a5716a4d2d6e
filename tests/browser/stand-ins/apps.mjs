// Stand-ins for the office apps' APIs and OAuth2 pages, 企业微信 and 钉钉, on one port:
//
//   企业微信  oauth_base = `${base}/wecom/oauth`, api_base = `${base}/wecom/api`
//     GET  /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope=snsapi_base
//          &state&agentid          → redirect_uri?code=…&state=… (as `apps.wecom.signedIn`)
//     GET  /cgi-bin/gettoken?corpid&corpsecret
//     GET  /cgi-bin/auth/getuserinfo?access_token&code      (40029 for a bad or used code)
//     GET  /cgi-bin/agent/get?access_token&agentid            (the app; 40056 for another one)
//     POST /cgi-bin/message/send?access_token                (recorded in apps.wecom.messages)
//
//   钉钉  oauth_base = `${base}/ding/login`, new_api_base = `${base}/ding/api`,
//        api_base = `${base}/ding/oapi`
//     GET  /oauth2/auth?redirect_uri&response_type=code&client_id&scope=openid&state
//          &prompt=consent         → redirect_uri?authCode=…&state=… (as `apps.dingtalk.signedIn`)
//     POST /v1.0/oauth2/userAccessToken  {clientId, clientSecret, code, grantType}
//     GET  /v1.0/contact/users/me        (x-acs-dingtalk-access-token)
//     GET  /gettoken?appkey&appsecret
//     POST /topapi/user/getbyunionid?access_token  {unionid}
//     POST /topapi/message/corpconversation/asyncsend_v2?access_token (recorded)
//
// `apps.wecom.badCode = true` (one-shot) makes the next authorization hand back a code the API
// then refuses; likewise `apps.dingtalk.badCode`.

import { html, json, jsonOf, listen, redirect, withQuery, random, esc } from './serve.mjs';

/** A stand-in's refusal page for a bad authorization request. */
function refuse(res, title, wrong) {
  return html(res, 400, title, `<p role="alert">请求有误：${esc(wrong.join('; '))}</p>`);
}

export async function startApps({ wecom, dingtalk }) {
  const w = {
    corpId: wecom.corpId,
    secret: wecom.secret,
    agentId: wecom.agentId,
    /** The userid of whoever is signed in to the 企业微信 client. */
    signedIn: wecom.signedIn ?? null,
    badCode: false,
    codes: new Map(),
    tokens: new Set(),
    messages: [],
  };
  const d = {
    appKey: dingtalk.appKey,
    appSecret: dingtalk.appSecret,
    agentId: dingtalk.agentId,
    /** unionId → { userid, nick } of the organisation's people. */
    people: dingtalk.people ?? {},
    /** The unionId of whoever is signed in to the 钉钉 client. */
    signedIn: dingtalk.signedIn ?? null,
    badCode: false,
    codes: new Map(),
    userTokens: new Map(),
    tokens: new Set(),
    messages: [],
  };

  const server = await listen('apps', async (req, res, url) => {
    const p = url.pathname;
    const q = Object.fromEntries(url.searchParams);

    // ---------------------------------------------------------------- 企业微信
    if (p === '/wecom/oauth/connect/oauth2/authorize') {
      const wrong = [];
      if (q.appid !== w.corpId) wrong.push(`appid=${q.appid}`);
      if (q.response_type !== 'code') wrong.push(`response_type=${q.response_type}`);
      if (q.scope !== 'snsapi_base') wrong.push(`scope=${q.scope}`);
      if (q.agentid !== w.agentId) wrong.push(`agentid=${q.agentid}`);
      if (!q.redirect_uri || !q.state) wrong.push('redirect_uri and state are required');
      if (!w.signedIn) wrong.push('nobody is signed in to the client');
      if (wrong.length) return refuse(res, '企业微信授权（测试）', wrong);
      let code = `wc-${random(12)}`;
      if (w.badCode) {
        w.badCode = false;
        code = `wc-bogus-${random(4)}`;
      } else {
        w.codes.set(code, { userid: w.signedIn, used: false });
      }
      return redirect(res, withQuery(q.redirect_uri, { code, state: q.state }));
    }
    if (p === '/wecom/api/cgi-bin/gettoken') {
      if (q.corpid !== w.corpId || q.corpsecret !== w.secret) {
        return json(res, 200, { errcode: 40001, errmsg: 'invalid credential' });
      }
      const token = `wt-${random(12)}`;
      w.tokens.add(token);
      return json(res, 200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (p === '/wecom/api/cgi-bin/auth/getuserinfo') {
      if (!w.tokens.has(q.access_token)) return json(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
      const c = w.codes.get(q.code);
      if (!c || c.used) return json(res, 200, { errcode: 40029, errmsg: 'invalid code' });
      c.used = true;
      return json(res, 200, { errcode: 0, errmsg: 'ok', userid: c.userid, user_ticket: `ut-${random(8)}`, expires_in: 1800 });
    }
    if (p === '/wecom/api/cgi-bin/agent/get') {
      if (!w.tokens.has(q.access_token)) return json(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
      if (q.agentid !== w.agentId) return json(res, 200, { errcode: 40056, errmsg: 'invalid agentid' });
      return json(res, 200, {
        errcode: 0,
        errmsg: 'ok',
        agentid: Number(w.agentId),
        name: '责任制提醒',
        square_logo_url: '',
        description: '',
        allow_userinfos: { user: [{ userid: w.signedIn }] },
        close: 0,
        redirect_domain: '127.0.0.1',
        report_location_flag: 0,
        isreportenter: 0,
        home_url: '',
      });
    }
    if (p === '/wecom/api/cgi-bin/message/send' && req.method === 'POST') {
      if (!w.tokens.has(q.access_token)) return json(res, 200, { errcode: 40014, errmsg: 'invalid access_token' });
      w.messages.push(await jsonOf(req));
      return json(res, 200, { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: random(8) });
    }

    // ---------------------------------------------------------------- 钉钉
    if (p === '/ding/login/oauth2/auth') {
      const wrong = [];
      if (q.client_id !== d.appKey) wrong.push(`client_id=${q.client_id}`);
      if (q.response_type !== 'code') wrong.push(`response_type=${q.response_type}`);
      if (q.scope !== 'openid') wrong.push(`scope=${q.scope}`);
      if (q.prompt !== 'consent') wrong.push(`prompt=${q.prompt}`);
      if (!q.redirect_uri || !q.state) wrong.push('redirect_uri and state are required');
      if (!d.signedIn) wrong.push('nobody is signed in to the client');
      if (wrong.length) return refuse(res, '钉钉授权（测试）', wrong);
      let code = `dc-${random(12)}`;
      if (d.badCode) {
        d.badCode = false;
        code = `dc-bogus-${random(4)}`;
      } else {
        d.codes.set(code, { unionId: d.signedIn, used: false });
      }
      return redirect(res, withQuery(q.redirect_uri, { authCode: code, state: q.state }));
    }
    if (p === '/ding/api/v1.0/oauth2/userAccessToken' && req.method === 'POST') {
      const body = await jsonOf(req);
      if (!body || body.clientId !== d.appKey || body.clientSecret !== d.appSecret) {
        return json(res, 400, { code: 'InvalidClient', message: 'clientId or clientSecret is wrong', requestid: random(6) });
      }
      const c = d.codes.get(body.code);
      if (body.grantType !== 'authorization_code' || !c || c.used) {
        return json(res, 400, { code: 'InvalidAuthCode', message: '授权码无效', requestid: random(6) });
      }
      c.used = true;
      const token = `ut-${random(12)}`;
      d.userTokens.set(token, c.unionId);
      return json(res, 200, { accessToken: token, refreshToken: `rt-${random(8)}`, expireIn: 7200, corpId: 'ding-corp' });
    }
    if (p === '/ding/api/v1.0/contact/users/me') {
      const unionId = d.userTokens.get(req.headers['x-acs-dingtalk-access-token'] ?? '');
      if (!unionId) return json(res, 401, { code: 'InvalidAuthentication', message: '不合法的access_token', requestid: random(6) });
      return json(res, 200, { unionId, nick: d.people[unionId]?.nick ?? '', openId: `oid-${unionId}`, stateCode: '86' });
    }
    if (p === '/ding/oapi/gettoken') {
      if (q.appkey !== d.appKey || q.appsecret !== d.appSecret) {
        return json(res, 200, { errcode: 40089, errmsg: '不合法的corpid或corpsecret' });
      }
      const token = `dt-${random(12)}`;
      d.tokens.add(token);
      return json(res, 200, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 });
    }
    if (p === '/ding/oapi/topapi/user/getbyunionid' && req.method === 'POST') {
      if (!d.tokens.has(q.access_token)) return json(res, 200, { errcode: 88, errmsg: '不合法的access_token' });
      const body = await jsonOf(req);
      const person = d.people[body?.unionid];
      if (!person) return json(res, 200, { errcode: 60121, errmsg: '找不到该用户' });
      return json(res, 200, { errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid: person.userid }, request_id: random(6) });
    }
    if (p === '/ding/oapi/topapi/message/corpconversation/asyncsend_v2' && req.method === 'POST') {
      if (!d.tokens.has(q.access_token)) return json(res, 200, { errcode: 88, errmsg: '不合法的access_token' });
      d.messages.push(await jsonOf(req));
      return json(res, 200, { errcode: 0, errmsg: 'ok', task_id: d.messages.length, request_id: random(6) });
    }
  });

  return { base: server.base, log: server.log, close: server.close, wecom: w, dingtalk: d };
}
