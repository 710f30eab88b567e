/* stack.js - the back end the browser tests run against.
 *
 * With BIQ_TEST_BACKEND_URL and BIQ_TEST_KEYS_DIR set (scripts/test.sh, or a
 * running `make run`: http://127.0.0.1:8080 and var/keys) it uses that server,
 * whose demo data must be loaded. Otherwise it starts its own: a throwaway
 * PostgreSQL (scripts/pg.sh), `biq migrate`, a dev key (`biq-dev keygen`),
 * `biq serve` on a free port, the demo installation and scripts/demo-data.sh,
 * and a local fake webhook receiver (stack.hook) that the server may deliver
 * to (BIQ_ALERT_HOSTS_EXTRA admits plain http to a loopback host:port; the
 * attached-backend case has none: stack.hook is null).
 * Also: FIT signing for direct API calls, each signed as the module that
 * route admits (callerFor: the platform's endpoints for /forge/lifecycle,
 * /forge/events ..., a Forge function for the other /forge/ routes, the admin
 * page for site settings, destinations and rules, the project settings page
 * for project settings, the project page or issue panel for reads), and a
 * dev host over the UI build. */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync, rmSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fitClaims, signFit, installationAri, DEV_APP_ID, DEV_KID, MODULES } from '../../tools/devhost/fit.js';
import { startDevhost } from '../../tools/devhost/server.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UI = path.join(ROOT, 'ui');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitReady(url, child, log) {
  for (let i = 0; i < 200; i++) {
    if (child && child.exitCode !== null) throw new Error(`biq serve exited (${child.exitCode}); see ${log}`);
    try { if ((await fetch(`${url}/readyz`)).ok) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`backend at ${url} not ready after 20 s`);
}

/**
 * A webhook receiver standing in for Slack / Teams: records every request
 * ({path, body}) in hook.received and answers hook.status (200 "ok").
 */
async function startHook() {
  const hook = { received: [], status: 200 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hook.received.push({ path: req.url, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(hook.status, { 'content-type': 'text/plain' }).end(hook.status === 200 ? 'ok' : 'invalid_token');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  hook.hostPort = `127.0.0.1:${server.address().port}`;
  hook.url = (p) => `http://${hook.hostPort}${p}`;
  hook.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); });
  return hook;
}

/** Starts (or attaches to) the backend; resolves to a stack object. */
export async function startStack() {
  const stack = withApi({ appId: process.env.BIQ_APP_ID || DEV_APP_ID, kid: DEV_KID, stops: [], hook: null });
  try {
    await setUp(stack);
  } catch (e) {
    await stack.stop(); // leave no cluster or server behind
    throw e;
  }
  return stack;
}

/** Runs a command; a failure names it and carries its stderr. */
function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  } catch (e) {
    throw new Error(`${path.basename(cmd)} ${args[0] ?? ''} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

async function setUp(stack) {
  if (process.env.BIQ_TEST_BACKEND_URL) {
    stack.backend = process.env.BIQ_TEST_BACKEND_URL.replace(/\/+$/, '');
    stack.keysDir = process.env.BIQ_TEST_KEYS_DIR || path.join(ROOT, 'var/keys');
    await waitReady(stack.backend);
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'biq-ui-test-'));
    // postgres (when run as root) must reach the cluster directory.
    run('chmod', ['755', dir]);
    const envLines = run('bash', [path.join(ROOT, 'scripts/pg.sh'), 'start', path.join(dir, 'pg')]);
    const env = { ...process.env };
    for (const m of envLines.matchAll(/^export (\w+)='([^']*)'$/gm)) env[m[1]] = m[2];
    stack.stops.push(() => { execFileSync('bash', [path.join(ROOT, 'scripts/pg.sh'), 'stop', path.join(dir, 'pg')], { stdio: 'ignore' }); rmSync(dir, { recursive: true, force: true }); });
    run(path.join(ROOT, 'build/biq'), ['migrate'], { env });
    stack.keysDir = path.join(dir, 'keys');
    mkdirSync(stack.keysDir, { recursive: true });
    run(path.join(ROOT, 'build/biq-dev'), ['keygen', stack.keysDir, stack.kid]);
    stack.hook = await startHook();
    stack.stops.push(() => stack.hook.close());
    const port = await freePort();
    stack.backend = `http://127.0.0.1:${port}`;
    const log = path.join(dir, 'server.log');
    const out = openSync(log, 'a');
    const child = spawn(path.join(ROOT, 'build/biq'), ['serve'], {
      env: { ...env, BIQ_APP_ID: stack.appId, BIQ_JWKS_FILE: path.join(stack.keysDir, 'jwks.json'), BIQ_LISTEN: `127.0.0.1:${port}`, BIQ_METRICS_LISTEN: '127.0.0.1:0',
        BIQ_ALERT_HOSTS_EXTRA: stack.hook.hostPort },
      stdio: ['ignore', out, out],
    });
    stack.server = child;
    stack.stops.unshift(() => new Promise((r) => { if (child.exitCode !== null) return r(); child.once('exit', r); child.kill('SIGTERM'); }));
    await waitReady(stack.backend, child, log);
    await stack.post('de00', '/forge/lifecycle', { eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/demo' });
    run('bash', [path.join(ROOT, 'scripts/demo-data.sh'), stack.backend, stack.keysDir, stack.kid, stack.appId,
      installationAri('de00'), installationAri('de01')], { cwd: ROOT, env: { ...process.env, BIQ_DEMO_ISSUES: process.env.BIQ_DEMO_ISSUES || '3000' } });
  }
  if (!existsSync(path.join(UI, 'dist/index.html'))) run('npx', ['vite', 'build'], { cwd: UI });
  stack.host = await startDevhost({ port: 0, backend: stack.backend, keysDir: stack.keysDir, dist: path.join(UI, 'dist'), appId: stack.appId });
  stack.stops.unshift(() => stack.host.close());
}

/** The platform and function modules of forge/manifest.yml (src/auth/modules.def). */
export const PLATFORM = {
  lifecycle: { type: 'core:endpoint', key: 'biq-lifecycle' },
  uninstall: { type: 'core:endpoint', key: 'biq-uninstall' },
  events: { type: 'core:endpoint', key: 'biq-events' },
  sweep: { type: 'core:endpoint', key: 'biq-alerts-sweep' },
  backfill: { type: 'core:function', key: 'backfill-consumer' },
  requests: { type: 'core:function', key: 'backfill-requests' },
  reconcile: { type: 'core:function', key: 'reconcile' },
};

/** The module a test signs a direct call to (method, path) as: the one that route admits. */
export function callerFor(method, p, issueKey) {
  const path = p.split('?')[0];
  if (path === '/forge/lifecycle') return PLATFORM.lifecycle;
  if (path === '/forge/uninstall') return PLATFORM.uninstall;
  if (path === '/forge/events') return PLATFORM.events;
  if (path === '/forge/alerts/sweep') return PLATFORM.sweep;
  if (path === '/forge/backfill/requests') return PLATFORM.requests;
  if (path.startsWith('/forge/reconcile')) return PLATFORM.reconcile;
  if (path.startsWith('/forge/')) return PLATFORM.backfill;
  if (path === '/api/v1/tenant/settings' || path.startsWith('/api/v1/alerts/destinations') || path.startsWith('/api/v1/alerts/rules')) return MODULES.adminPage;
  if (/^\/api\/v1\/projects\/[^/]+\/settings$/.test(path)) return MODULES.projectSettingsPage;
  return issueKey ? MODULES.issuePanel : MODULES.projectPage;
}

/**
 * Signs a token for installation (e.g. 'de00') and project / issue, as
 * `module` ({type, key}; the project page, or issue panel with an issue, by default).
 */
export function token(stack, inst, projectKey = 'PAY', issueKey, module) {
  const ctx = { installation: installationAri(inst), projectId: '10000', projectKey, module, ...(issueKey ? { issueKey, issueId: issueKey.split('-')[1] } : {}) };
  const pem = readFileSync(path.join(stack.keysDir, 'dev-key.pem'), 'utf8');
  return signFit(pem, fitClaims(ctx, stack.appId), stack.kid);
}

async function request(stack, inst, method, p, body, projectKey, issueKey, as) {
  const module = as ?? callerFor(method, p, issueKey);
  const r = await fetch(stack.backend + p, {
    method, headers: { authorization: `Bearer ${token(stack, inst, projectKey, issueKey, module)}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Extends a stack object with API helpers; `as` overrides the module callerFor picks. */
export function withApi(stack) {
  stack.get = (inst, p, projectKey, issueKey, as) => request(stack, inst, 'GET', p, undefined, projectKey, issueKey, as);
  stack.post = (inst, p, body, projectKey, as) => request(stack, inst, 'POST', p, body, projectKey, undefined, as);
  stack.put = (inst, p, body, projectKey, as) => request(stack, inst, 'PUT', p, body, projectKey, undefined, as);
  stack.del = (inst, p, projectKey, as) => request(stack, inst, 'DELETE', p, undefined, projectKey, undefined, as);
  stack.stop = async () => { for (const s of stack.stops) { try { await s(); } catch { /* best effort */ } } };
  return stack;
}
