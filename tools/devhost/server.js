/* server.js - the dev host: serves the built UI and stands in for Forge's bridge.
 *
 *   GET  /project/KEY, /project/KEY/settings, /issue/KEY-N, /admin
 *                                     the UI (ui/dist/index.html), one page per module
 *   GET  /assets/...                  the UI's static files
 *   GET  /__bridge/context            what view.getContext() returns, for the page in Referer
 *   POST /__bridge/invoke             {path, method, body} -> the backend, with a fresh FIT
 *                                     of the page's module (Referer, or {page}); answers
 *                                     {status, headers, body} like invokeRemote
 * The path goes to the backend as Forge sends an invokeRemote path: appended to
 * the remote's base URL (the UI's bridge.ts puts /api/v1 in front). A path that
 * does not start with "/" or that could climb out of where it points ("..",
 * "%2e", "//", backslashes, encoded slashes, a query holding any of them) is
 * refused with 400 before anything is signed.
 * A development tool only: never part of the production binary or the Forge app. */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contextFromPage, tokenContext, viewContext } from './context.js';
import { fitClaims, signFit, DEV_APP_ID, DEV_KID } from './fit.js';

const UI_TIMEOUT_MS = 25_000; // Forge's UI call limit
const MAX_BODY = 1 << 20;
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.json': 'application/json', '.ico': 'image/x-icon', '.map': 'application/json',
};

function sendJson(res, status, obj) {
  const data = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) { reject(new Error('request body over 1 MiB')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The page a bridge call comes from: an explicit {page} or the Referer. */
function pageOf(req, explicit) {
  if (typeof explicit === 'string' && explicit) return explicit;
  const ref = req.headers.referer;
  if (!ref) return null;
  const u = new URL(ref);
  return u.pathname + u.search;
}

const MAX_PATH = 2048;
const PATH_CHARS = /^[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const QUERY_CHARS = /^[A-Za-z0-9._~!$&'()*+,;=:@%?-]*$/;

/**
 * Why a UI call's path is refused, or null when it may be forwarded: it must
 * start with "/", and neither its path nor its query may hold "..", "%2e",
 * "//", a backslash, an encoded slash or backslash, a fragment, a space or a
 * control character.
 */
export function badPath(p) {
  if (typeof p !== 'string' || !p.startsWith('/')) return 'must start with /';
  if (p.length > MAX_PATH) return `longer than ${MAX_PATH} characters`;
  const q = p.indexOf('?');
  const pathPart = q < 0 ? p : p.slice(0, q);
  const query = q < 0 ? '' : p.slice(q + 1);
  if (!PATH_CHARS.test(pathPart)) return 'holds a character a path may not (a space, backslash, "#", a control character ...)';
  if (!QUERY_CHARS.test(query)) return 'its query holds a character it may not ("/", a backslash, "#", a space ...)';
  if (p.includes('..')) return 'holds ".."';
  if (/%2e/i.test(p)) return 'holds an encoded "." (%2e)';
  if (/%2f|%5c/i.test(p)) return 'holds an encoded slash or backslash';
  if (pathPart.includes('//')) return 'holds "//"';
  if (/(^|\/)\.(\/|$)/.test(pathPart)) return 'holds a "." segment';
  return null;
}

/**
 * Forwards one UI call. Returns what invokeRemote would resolve to, or
 * throws an Error whose message says why the remote could not be reached.
 */
async function forward(opts, ctx, call) {
  const bad = badPath(call.path);
  if (bad) throw Object.assign(new Error(`path: ${bad}`), { status: 400 });
  const method = (call.method || 'GET').toUpperCase();
  if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(method)) throw Object.assign(new Error(`method: "${method}" is not GET, POST, PUT, DELETE or PATCH`), { status: 400 });
  const target = new URL(opts.backend + call.path);
  // Belt and braces: the URL parser must not have moved it anywhere else.
  if (target.origin !== opts.backendUrl.origin || target.pathname !== opts.backendUrl.pathname.replace(/\/$/, '') + call.path.split('?')[0]) {
    throw Object.assign(new Error('path: does not stay under the backend URL'), { status: 400 });
  }
  const iat = Math.floor(Date.now() / 1000) - (ctx.expired ? 3600 : 0);
  const token = signFit(opts.privateKey, fitClaims(tokenContext(ctx, iat), opts.appId), opts.kid);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  let body;
  if (call.body !== undefined && call.body !== null && method !== 'GET') {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(target, { method, headers, body, signal: AbortSignal.timeout(UI_TIMEOUT_MS) });
  const text = await r.text();
  const outHeaders = Object.fromEntries(r.headers.entries());
  let parsed = text;
  if ((outHeaders['content-type'] || '').includes('json')) {
    try { parsed = JSON.parse(text); } catch { /* keep the text */ }
  }
  return { status: r.status, headers: outHeaders, body: parsed };
}

async function serveStatic(opts, urlPath, res) {
  // The build uses relative asset paths (Forge serves it under its own prefix),
  // so /project/assets/x.js and /issue/assets/x.js are both dist/assets/x.js.
  const at = urlPath.indexOf('/assets/');
  const rel = at >= 0 ? urlPath.slice(at) : /^\/[\w.-]+\.(svg|png|ico)$/.test(urlPath) ? urlPath : '/index.html';
  const file = path.join(opts.dist, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
  if (!file.startsWith(opts.dist)) { res.writeHead(403).end(); return; }
  try {
    const data = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(data);
  } catch {
    if (rel === '/index.html') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`dev host: ${file} is missing: build the UI first (cd ui && npm run build)\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}

async function handle(opts, req, res) {
  const url = new URL(req.url, 'http://devhost.invalid');
  if (url.pathname === '/' ) {
    res.writeHead(302, { location: `/project/${opts.defaultProject}` }).end();
    return;
  }
  if (url.pathname === '/__bridge/context' && req.method === 'GET') {
    let ctx;
    try { ctx = contextFromPage(pageOf(req, url.searchParams.get('page')) || ''); } catch (e) {
      return sendJson(res, 400, { error: { code: 'bad_context', message: e.message } });
    }
    if (!ctx) return sendJson(res, 400, { error: { code: 'no_module', message: 'open /project/KEY, /project/KEY/settings, /issue/KEY-N or /admin' } });
    return sendJson(res, 200, viewContext(ctx));
  }
  if (url.pathname === '/__bridge/invoke') {
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'POST only' } });
    let call;
    try { call = JSON.parse(await readBody(req)); } catch (e) {
      return sendJson(res, 400, { error: { code: 'bad_request', message: `body: ${e.message}` } });
    }
    let ctx;
    try { ctx = contextFromPage(pageOf(req, call.page) || ''); } catch (e) {
      return sendJson(res, 400, { error: { code: 'bad_context', message: e.message } });
    }
    if (!ctx) return sendJson(res, 400, { error: { code: 'no_module', message: 'the calling page is not /project/KEY, /project/KEY/settings, /issue/KEY-N or /admin' } });
    try {
      return sendJson(res, 200, await forward(opts, ctx, call));
    } catch (e) {
      if (e.status) return sendJson(res, e.status, { error: { code: 'bad_request', message: e.message } });
      const why = e.name === 'TimeoutError' ? 'timed out after 25 s' : (e.cause?.code || e.message);
      return sendJson(res, 502, { error: { code: 'remote_unreachable', message: `the backend at ${opts.backend} cannot be reached (${why})` } });
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: { code: 'method_not_allowed', message: 'GET only' } });
  return serveStatic(opts, url.pathname, res);
}

/**
 * Starts a dev host. opts: {port (0 = any), host, backend, keysDir, dist,
 * appId, kid, defaultProject}. Resolves to {url, close()}.
 */
export async function startDevhost(o) {
  const opts = {
    host: '127.0.0.1', port: 0, appId: DEV_APP_ID, kid: DEV_KID, defaultProject: 'PAY', ...o,
  };
  opts.backend = opts.backend.replace(/\/+$/, '');
  opts.backendUrl = new URL(opts.backend);
  opts.dist = path.resolve(opts.dist);
  opts.privateKey = await readFile(path.join(opts.keysDir, 'dev-key.pem'), 'utf8');
  const server = http.createServer((req, res) => {
    handle(opts, req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'devhost_error', message: e.message } });
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(opts.port, opts.host, resolve); });
  const { port } = server.address();
  return {
    url: `http://${opts.host}:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}
