// A stand-in OpenID Connect provider: the authorization code flow with PKCE (S256), client
// authentication by HTTP Basic (client_secret_basic, the openidconnect crate's default), and
// RS256 ID tokens signed with node's crypto.
//
//   GET  /.well-known/openid-configuration   the discovery document (issuer = base, exactly)
//   GET  /jwks                               the RSA public key as a JWK, kid "k1"
//   GET  /authorize                          checks the request, shows a page to choose who
//   POST /authorize                          issues a single-use code, back to redirect_uri
//   POST /token                              the code (once), redirect_uri and code_verifier
//                                            checked; {access_token, token_type, expires_in,
//                                            id_token}
//
// The ID token's times are the server's under test, whose clock may be shifted:
// `now = Date.now() + clockShift()`. `provider.next = 'expired'` makes the next token expire an
// hour before that now; `'forged'` signs it with another key under the same kid.
//
//   const oidc = await startOidc({ clientId, clientSecret, redirectUri, users, clockShift });
//   oidc.base   // settings: oidc.issuer

import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { esc, html, json, listen, redirect, withQuery, formOf, random } from './serve.mjs';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function jwt(header, claims, privateKey) {
  const head = b64url(JSON.stringify(header));
  const body = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), privateKey);
  return `${head}.${body}.${b64url(signature)}`;
}

/** Reads `Authorization: Basic …` (each half form-encoded, RFC 6749 §2.3.1). */
function basic(req) {
  const h = req.headers.authorization ?? '';
  const m = /^Basic\s+(.+)$/i.exec(h);
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  const un = (s) => decodeURIComponent(s.replaceAll('+', ' '));
  return { id: un(decoded.slice(0, i)), secret: un(decoded.slice(i + 1)) };
}

/**
 * Starts the provider. `users`: login → `{ name, employeeNumber }`; `redirectUri`: the one
 * address registered for the client; `clockShift()`: ms the server under test runs ahead.
 */
export async function startOidc({ clientId, clientSecret, redirectUri, users = {}, clockShift = () => 0 }) {
  const kid = 'k1';
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  /** code → { user, redirectUri, challenge, nonce, used } */
  const codes = new Map();
  const state = {
    users,
    codes,
    /** One-shot: 'expired' | 'forged' for the next ID token. */
    next: null,
    tokens: [],
  };
  let base = '';

  const server = await listen('oidc', async (req, res, url) => {
    const p = url.pathname;
    if (p === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
        scopes_supported: ['openid', 'profile', 'email'],
        claims_supported: ['sub', 'name', 'employee_number'],
      });
    }
    if (p === '/jwks') {
      return json(res, 200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] });
    }
    if (p === '/authorize' && req.method === 'GET') {
      const q = Object.fromEntries(url.searchParams);
      const wrong = [];
      if (q.response_type !== 'code') wrong.push(`response_type=${q.response_type}`);
      if (q.client_id !== clientId) wrong.push(`client_id=${q.client_id}`);
      if (q.redirect_uri !== redirectUri) wrong.push(`redirect_uri=${q.redirect_uri}`);
      if (!q.code_challenge || q.code_challenge_method !== 'S256') wrong.push('PKCE (S256) is required');
      if (!(q.scope ?? '').split(' ').includes('openid')) wrong.push(`scope=${q.scope}`);
      if (!q.state) wrong.push('state is required');
      if (!q.nonce) wrong.push('nonce is required');
      if (wrong.length) {
        return html(res, 400, 'OIDC 身份提供方（测试）', `<p role="alert">请求有误：${esc(wrong.join('; '))}</p>`);
      }
      const hidden = ['redirect_uri', 'state', 'nonce', 'code_challenge']
        .map((k) => `<input type="hidden" name="${k}" value="${esc(q[k])}">`)
        .join('\n');
      const buttons = Object.entries(state.users)
        .map(([login, u]) => `<button type="submit" name="user" value="${esc(login)}">${esc(u.name)}（${esc(login)}）</button>`)
        .join('\n');
      return html(
        res,
        200,
        'OIDC 身份提供方（测试）',
        `<form method="post" action="/authorize">
${hidden}
<fieldset><legend>选择登录的人员</legend>
${buttons}
</fieldset>
</form>`,
      );
    }
    if (p === '/authorize' && req.method === 'POST') {
      const f = await formOf(req);
      if (!state.users[f.user] || f.redirect_uri !== redirectUri) {
        return html(res, 400, 'OIDC 身份提供方（测试）', '<p role="alert">无此用户。</p>');
      }
      const code = `code-${random(16)}`;
      codes.set(code, { user: f.user, redirectUri: f.redirect_uri, challenge: f.code_challenge, nonce: f.nonce, used: false });
      return redirect(res, withQuery(f.redirect_uri, { code, state: f.state }));
    }
    if (p === '/token' && req.method === 'POST') {
      const client = basic(req);
      if (!client || client.id !== clientId || client.secret !== clientSecret) {
        res.setHeader('www-authenticate', 'Basic realm="oidc"');
        return json(res, 401, { error: 'invalid_client' });
      }
      const f = await formOf(req);
      if (f.grant_type !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' });
      const c = codes.get(f.code);
      if (!c || c.used) return json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
      c.used = true;
      if (f.redirect_uri !== c.redirectUri) return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri' });
      const challenge = b64url(createHash('sha256').update(f.code_verifier ?? '').digest());
      if (challenge !== c.challenge) return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE' });
      const u = state.users[c.user];
      const now = Math.floor((Date.now() + clockShift()) / 1000);
      const mode = state.next;
      state.next = null;
      const claims = {
        iss: base,
        sub: `sub-${c.user}`,
        aud: clientId,
        iat: mode === 'expired' ? now - 7200 : now,
        exp: mode === 'expired' ? now - 3600 : now + 300,
        nonce: c.nonce,
        name: u.name,
        employee_number: u.employeeNumber,
      };
      const key = mode === 'forged' ? forger.privateKey : privateKey;
      const idToken = jwt({ alg: 'RS256', typ: 'JWT', kid }, claims, key);
      state.tokens.push({ mode, claims });
      return json(res, 200, { access_token: `at-${random(16)}`, token_type: 'Bearer', expires_in: 3600, id_token: idToken });
    }
  });
  base = server.base;
  return Object.assign(state, { base, log: server.log, close: server.close });
}
