// What the stand-ins share: an HTTP server on a free loopback port, small answers (HTML, JSON,
// XML, a redirect), bodies read whole, and a log of every request (printed when a test fails).
//
// The stand-ins speak just enough of each protocol for Zeren's browser tests, with node's
// standard library only. Their pages are seen by the browser and checked for accessibility like
// Zeren's own (tests/browser/lib.mjs), so they are small, labelled, Chinese documents.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

/** Escapes text for HTML and XML. */
export function esc(s) {
  return String(s)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A whole HTML document. */
export function page(title, body) {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font-family: "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 32rem; padding: 0 1rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.4rem; }
button { display: block; width: 100%; margin: .5rem 0; padding: .75rem; font-size: 1rem; color: #fff; background: #0b5394; border: 0; border-radius: 4px; }
p { line-height: 1.6; }
</style></head>
<body><main>
<h1>${esc(title)}</h1>
${body}
</main></body></html>`;
}

/** Answers with an HTML document. */
export function html(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page(title, body));
}

/** Answers with JSON. */
export function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(value));
}

/** Answers with XML. */
export function xml(res, status, text) {
  res.writeHead(status, { 'content-type': 'application/xml; charset=utf-8' });
  res.end(text);
}

/** Sends the browser to `location` (302). */
export function redirect(res, location) {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}

/** Appends query parameters to an address that may hold a query already. */
export function withQuery(address, params) {
  const q = new URLSearchParams(params).toString();
  return address + (address.includes('?') ? '&' : '?') + q;
}

/** The body of a request, as text. */
export async function bodyOf(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** A form-encoded body, as an object. */
export async function formOf(req) {
  return Object.fromEntries(new URLSearchParams(await bodyOf(req)));
}

/** A JSON body, as a value (null when it is not JSON). */
export async function jsonOf(req) {
  try {
    return JSON.parse(await bodyOf(req));
  } catch {
    return null;
  }
}

/** A random hex string of `bytes` bytes. */
export function random(bytes = 12) {
  return randomBytes(bytes).toString('hex');
}

/**
 * Listens on 127.0.0.1 on a port the kernel picks. `handle(req, res, url)` answers (it may be
 * async; what it throws is answered 500). Returns `{ base, log, close() }`: `base` is
 * `http://127.0.0.1:PORT`, `log` every request as `METHOD path → status`.
 */
export async function listen(name, handle) {
  const log = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    res.on('finish', () => log.push(`${name}: ${req.method} ${url.pathname} → ${res.statusCode}`));
    try {
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204);
        res.end();
        return;
      }
      await handle(req, res, url);
      if (!res.headersSent) json(res, 404, { error: 'not_found', path: url.pathname });
    } catch (e) {
      if (!res.headersSent) json(res, 500, { error: 'stand_in_failed', message: String(e?.message ?? e) });
      else res.end();
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}
