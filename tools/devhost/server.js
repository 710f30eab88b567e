/* server.js - the dev host: serves the built UI and stands in for Forge's bridge.
 *
 *   GET  /project/KEY, /issue/KEY-N   the UI (ui/dist/index.html)
 *   GET  /assets/...                  the UI's static files
 *   GET  /__bridge/context            what view.getContext() returns, for the page in Referer
 *   POST /__bridge/invoke             {path, method, body} -> the backend, with a fresh FIT
 *                                     for the page in Referer (or {page}); answers
 *                                     {status, headers, body} like invokeRemote
 * A development tool only: never part of the production binary or the Forge app. */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contextFromPage, viewContext } from './context.js';
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

/**
 * Forwards one UI call. Returns what invokeRemote would resolve to, or
 * throws an Error whose message says why the remote could not be reached.
 */
async function forward(opts, ctx, call) {
  if (typeof call.path !== 'string' || !call.path.startsWith('/')) throw Object.assign(new Error('path: must start with /'), { status: 400 });
  const method = (call.method || 'GET').toUpperCase();
  const iat = Math.floor(Date.now() / 1000) - (ctx.expired ? 3600 : 0);
  const token = signFit(opts.privateKey, fitClaims({ ...ctx, iat }, opts.appId), opts.kid);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
  let body;
  if (call.body !== undefined && call.body !== null && method !== 'GET') {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    headers['content-type'] = 'application/json';
  }
  const r = await fetch(opts.backend + call.path, { method, headers, body, signal: AbortSignal.timeout(UI_TIMEOUT_MS) });
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
    const ctx = contextFromPage(pageOf(req, url.searchParams.get('page')) || '');
    if (!ctx) return sendJson(res, 400, { error: { code: 'no_module', message: 'open /project/KEY or /issue/KEY-N' } });
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
    if (!ctx) return sendJson(res, 400, { error: { code: 'no_module', message: 'the calling page is not /project/KEY or /issue/KEY-N' } });
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
