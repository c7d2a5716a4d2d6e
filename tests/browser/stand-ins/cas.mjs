// A stand-in 统一身份认证 portal speaking CAS 2.0 and 3.0 (apereo.github.io/cas, "CAS Protocol
// Specification"), under the prefix /cas:
//
//   GET  /cas/login?service=S          a page to choose who signs in
//   POST /cas/login                     issues a single-use ticket ST-… for S, and sends the
//                                       browser to S with &ticket=… appended
//   GET  /cas/p3/serviceValidate        3.0: the user and attributes (employeeNumber, cn)
//   GET  /cas/serviceValidate           2.0: the user only
//   GET  /cas/logout?service=…          ends nothing, shows a page
//
// A ticket is validated once: a second try, or a ticket never issued, is INVALID_TICKET; a
// service that differs from the one the ticket was issued for (compared character for
// character) is INVALID_SERVICE. `logout(ticket)` posts the single-logout request (a SAML
// LogoutRequest naming the ticket) to the service the ticket was issued for.
//
//   const cas = await startCas({ users: { li: { name: '李明华', employeeNumber: 'D00008' } } });
//   cas.base                      // settings: cas.base_url = `${cas.base}/cas`
//   cas.issueNextFor = (s) => s + '&other=1';   // the next ticket is issued for another service
//   cas.lastTicket                // { ticket, service, returnTo, user }
//   await cas.logout(ticket)      // { status, text }

import { esc, html, listen, redirect, withQuery, formOf, xml, random } from './serve.mjs';

const NS = 'http://www.yale.edu/tp/cas';

function failure(code, words) {
  return `<cas:serviceResponse xmlns:cas="${NS}">
  <cas:authenticationFailure code="${esc(code)}">${esc(words)}</cas:authenticationFailure>
</cas:serviceResponse>
`;
}

function success(user, attributes) {
  const attrs = attributes
    ? `
    <cas:attributes>
${Object.entries(attributes)
  .filter(([, v]) => v !== undefined && v !== null)
  .map(([k, v]) => `      <cas:${k}>${esc(v)}</cas:${k}>`)
  .join('\n')}
    </cas:attributes>`
    : '';
  return `<cas:serviceResponse xmlns:cas="${NS}">
  <cas:authenticationSuccess>
    <cas:user>${esc(user)}</cas:user>${attrs}
  </cas:authenticationSuccess>
</cas:serviceResponse>
`;
}

/**
 * Starts the portal. `users`: login name → `{ name, employeeNumber }` (a mutable map: tests
 * may add users later).
 */
export async function startCas({ users = {} } = {}) {
  /** ticket → { service, user, used } */
  const tickets = new Map();
  let serial = 0;
  const state = {
    users,
    tickets,
    /** One-shot: the next ticket is recorded as issued for `issueNextFor(service)`. */
    issueNextFor: null,
    lastTicket: null,
    validations: [],
  };

  const server = await listen('cas', async (req, res, url) => {
    const p = url.pathname;
    if (p === '/cas/login' && req.method === 'GET') {
      const service = url.searchParams.get('service') ?? '';
      if (!service) return html(res, 400, '统一身份认证（测试门户）', '<p role="alert">缺少 service 参数。</p>');
      const buttons = Object.entries(state.users)
        .map(
          ([login, u]) =>
            `<button type="submit" name="user" value="${esc(login)}">${esc(u.name)}（${esc(login)}）</button>`,
        )
        .join('\n');
      return html(
        res,
        200,
        '统一身份认证（测试门户）',
        `<p>登录到：<code>${esc(service)}</code></p>
<form method="post" action="/cas/login">
<input type="hidden" name="service" value="${esc(service)}">
<fieldset><legend>选择登录的人员</legend>
${buttons}
</fieldset>
</form>`,
      );
    }
    if (p === '/cas/login' && req.method === 'POST') {
      const form = await formOf(req);
      const user = state.users[form.user];
      if (!user || !form.service) return html(res, 400, '统一身份认证（测试门户）', '<p role="alert">无此用户。</p>');
      serial += 1;
      const ticket = `ST-${serial}-${random(16)}`;
      const issuedFor = state.issueNextFor ? state.issueNextFor(form.service) : form.service;
      state.issueNextFor = null;
      tickets.set(ticket, { service: issuedFor, user: form.user, used: false });
      const returnTo = withQuery(form.service, { ticket });
      state.lastTicket = { ticket, service: issuedFor, returnTo, user: form.user };
      return redirect(res, returnTo);
    }
    const v3 = p === '/cas/p3/serviceValidate';
    if ((v3 || p === '/cas/serviceValidate') && req.method === 'GET') {
      const service = url.searchParams.get('service');
      const ticket = url.searchParams.get('ticket');
      state.validations.push({ service, ticket });
      if (!service || !ticket) return xml(res, 200, failure('INVALID_REQUEST', 'service and ticket are required'));
      const t = tickets.get(ticket);
      if (!t || t.used) return xml(res, 200, failure('INVALID_TICKET', `Ticket ${ticket} not recognized`));
      // A ticket is spent by any attempt to validate it (the specification's rule).
      t.used = true;
      if (t.service !== service) {
        return xml(res, 200, failure('INVALID_SERVICE', `Ticket ${ticket} does not match supplied service`));
      }
      const u = state.users[t.user];
      const attributes = v3 ? { employeeNumber: u.employeeNumber, cn: u.name } : null;
      return xml(res, 200, success(t.user, attributes));
    }
    if (p === '/cas/logout') {
      return html(res, 200, '统一身份认证（测试门户）', '<p>您已退出统一身份认证。</p>');
    }
  });

  /** Posts the single-logout request for `ticket` to the service it was issued for. */
  async function logout(ticket) {
    const t = tickets.get(ticket);
    if (!t) throw new Error(`cas stand-in: no ticket ${ticket}`);
    const request = `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-${random(8)}" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:NameID>@NOT_USED@</saml:NameID><samlp:SessionIndex>${esc(ticket)}</samlp:SessionIndex></samlp:LogoutRequest>`;
    const res = await fetch(t.service, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logoutRequest: request }).toString(),
      redirect: 'manual',
    });
    return { status: res.status, text: await res.text() };
  }

  return Object.assign(state, { base: server.base, log: server.log, close: server.close, logout });
}
