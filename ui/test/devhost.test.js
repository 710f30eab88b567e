/* devhost.test.js - the dev host's pieces without a browser: FIT claims
 * shaped as tools/biq_dev.c shapes them, page URL -> module context and the
 * token each module carries, and the paths it refuses to forward. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createVerify } from 'node:crypto';
import { fitClaims, signFit, installationAri, DEV_APP_ID, DEV_KID, FIT_LIFETIME_S, MODULES } from '../../tools/devhost/fit.js';
import { contextFromPage, tokenContext, viewContext } from '../../tools/devhost/context.js';
import { badPath, startDevhost } from '../../tools/devhost/server.js';
import http from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

test('project-page claims match fit_sign.c', () => {
  const c = fitClaims({ installation: installationAri('de00'), projectId: '10001', projectKey: 'PAY', iat: 1000 });
  assert.deepEqual(Object.keys(c), ['iss', 'aud', 'iat', 'nbf', 'exp', 'jti', 'app', 'context', 'principal']);
  assert.equal(c.iss, 'forge/invocation-token');
  assert.equal(c.aud, DEV_APP_ID);
  assert.equal(c.nbf, 1000);
  assert.equal(c.exp, 1000 + FIT_LIFETIME_S);
  assert.match(c.jti, /^[0-9a-f]{32}$/);
  assert.equal(c.app.installationId, 'ari:cloud:ecosystem::installation/00000000-0000-4000-8000-00000000de00');
  assert.deepEqual(c.app.module, { type: 'jira:projectPage', key: 'biq-project-page' });
  assert.equal(c.context.moduleKey, 'biq-project-page');
  assert.deepEqual(c.context.extension, { project: { id: '10001', key: 'PAY', type: 'software' } });
});

test('issue-panel claims carry the issue and its project', () => {
  const c = fitClaims({ installation: installationAri('de01'), projectId: '1', projectKey: 'EE', issueKey: 'EE-7', issueId: '7' });
  assert.equal(c.context.moduleKey, 'biq-issue-panel');
  assert.deepEqual(c.context.extension.issue, { id: '7', key: 'EE-7', type: 'Story' });
  assert.equal(c.context.extension.project.key, 'EE');
});

test('tokens are RS256 with the dev kid and verify', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const tok = signFit(privateKey.export({ type: 'pkcs8', format: 'pem' }), { a: 1 });
  const [h, p, sig] = tok.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(h, 'base64url')), { alg: 'RS256', kid: DEV_KID, typ: 'JWT' });
  assert.deepEqual(JSON.parse(Buffer.from(p, 'base64url')), { a: 1 });
  const v = createVerify('RSA-SHA256');
  v.update(`${h}.${p}`);
  assert.ok(v.verify(publicKey, Buffer.from(sig, 'base64url')));
});

test('page URLs choose the module context', () => {
  const p = contextFromPage('/project/PAY?installation=de01');
  assert.equal(p.moduleType, 'jira:projectPage');
  assert.deepEqual(p.module, MODULES.projectPage);
  assert.equal(p.projectKey, 'PAY');
  assert.equal(p.installation, installationAri('de01'));
  const i = contextFromPage('/issue/MOB-12?token=expired');
  assert.equal(i.issueKey, 'MOB-12');
  assert.equal(i.issueId, '12');
  assert.equal(i.projectKey, 'MOB');
  assert.equal(i.expired, true);
  assert.equal(viewContext(i).extension.issue.key, 'MOB-12');
  assert.equal(contextFromPage('/elsewhere'), null);
  assert.throws(() => contextFromPage('/project/PAY?installation=zz'), /installation/);
});

const claimsOf = (page) => {
  const ctx = contextFromPage(page);
  return fitClaims(tokenContext(ctx, 1000));
};

test('each page signs the token its module carries', () => {
  const pp = claimsOf('/project/PAY');
  assert.deepEqual(pp.app.module, { type: 'jira:projectPage', key: 'biq-project-page' });
  assert.equal(pp.context.extension.project.key, 'PAY');

  const ip = claimsOf('/issue/PAY-12');
  assert.deepEqual(ip.app.module, { type: 'jira:issuePanel', key: 'biq-issue-panel' });
  assert.equal(ip.context.extension.issue.key, 'PAY-12');

  const ps = claimsOf('/project/MOB/settings');
  assert.deepEqual(ps.app.module, { type: 'jira:projectSettingsPage', key: 'biq-project-settings' });
  assert.equal(ps.context.moduleKey, 'biq-project-settings');
  assert.deepEqual(ps.context.extension, { type: 'jira:projectSettingsPage', project: { id: ps.context.extension.project.id, key: 'MOB', type: 'software' } });

  const ad = claimsOf('/admin?installation=de01');
  assert.deepEqual(ad.app.module, { type: 'jira:adminPage', key: 'biq-admin-page' });
  assert.equal(ad.context.moduleKey, 'biq-admin-page');
  assert.deepEqual(ad.context.extension, { type: 'jira:adminPage' }, 'an admin page has no project');
  assert.equal(ad.app.installationId, installationAri('de01'));

  // ?as= signs as another module than the page shows (to see the backend refuse it).
  const as = claimsOf('/admin?as=biq-project-page&project=PAY');
  assert.deepEqual(as.app.module, MODULES.projectPage);
  assert.equal(as.context.extension.project.key, 'PAY');
  assert.throws(() => contextFromPage('/admin?as=biq-nope'), /as:/);
  assert.throws(() => contextFromPage('/admin?as=biq-project-page&project=p/../x'), /project:/);
});

test('platform and function tokens carry no context', () => {
  const c = fitClaims({ installation: installationAri('de00'), module: { type: 'core:endpoint', key: 'biq-lifecycle' } });
  assert.deepEqual(c.app.module, { type: 'core:endpoint', key: 'biq-lifecycle' });
  assert.equal(c.context, undefined);
  assert.equal(c.principal, undefined);
});

test('view contexts of the four modules', () => {
  assert.deepEqual(viewContext(contextFromPage('/admin')).extension, { type: 'jira:adminPage' });
  assert.equal(viewContext(contextFromPage('/admin')).moduleKey, 'biq-admin-page');
  const s = viewContext(contextFromPage('/project/PAY/settings'));
  assert.equal(s.moduleKey, 'biq-project-settings');
  assert.equal(s.extension.type, 'jira:projectSettingsPage');
  assert.equal(s.extension.project.key, 'PAY');
  assert.equal(viewContext(contextFromPage('/project/PAY')).extension.type, 'jira:projectPage');
  assert.equal(contextFromPage('/project/PAY/other'), null);
  assert.equal(contextFromPage('/admin/x'), null);
});

test('paths that could climb out of where they point are refused', () => {
  for (const ok of ['/api/v1/projects/PAY/dashboard?window=30d', '/api/v1/alerts?project=PAY', '/api/v1/projects/PAY/charts/cfd?from=2024-01-01&to=2024-02-01']) {
    assert.equal(badPath(ok), null, ok);
  }
  for (const bad of ['projects/PAY', '', '/api/v1/../forge/events', '/api/v1/%2e%2e/forge/events', '/api/v1/%2E%2E/forge', '//evil.example/x',
    '/api/v1//forge', '/api/v1/projects/PAY/dashboard?x=../../forge', '/api/v1/a?x=%2e%2e', '/api/v1/a?next=/forge/events', '/api\\v1',
    '/api/v1/./x', '/api/v1/a%2fb', '/api/v1/a%5cb', '/api/v1/a#frag', '/api/v1/a b', '/api/v1/a\n']) {
    assert.notEqual(badPath(bad), null, JSON.stringify(bad));
  }
});

test('the bridge refuses a bad path with 400 and forwards a good one with the module\'s token', async () => {
  const seen = [];
  const backend = http.createServer((req, res) => {
    seen.push({ url: req.url, auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  const keysDir = mkdtempSync(path.join(os.tmpdir(), 'biq-devhost-keys-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(keysDir, 'dev-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const host = await startDevhost({ port: 0, backend: `http://127.0.0.1:${backend.address().port}`, keysDir, dist: keysDir });
  const invoke = (body) => fetch(`${host.url}/__bridge/invoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    for (const p of ['/api/v1/../forge/events', '/api/v1/%2E%2E/forge/events', '//x', 'api/v1/tenant', '/api/v1/a?x=../../forge']) {
      const r = await invoke({ path: p, method: 'POST', page: '/project/PAY' });
      assert.equal(r.status, 400, p);
      assert.match((await r.json()).error.message, /^path: /);
    }
    assert.equal(seen.length, 0, 'nothing refused reached the backend');
    const r = await invoke({ path: '/api/v1/tenant/settings', method: 'GET', page: '/admin' });
    assert.equal(r.status, 200);
    assert.deepEqual((await r.json()).body, { ok: true });
    assert.equal(seen[0].url, '/api/v1/tenant/settings');
    const payload = JSON.parse(Buffer.from(seen[0].auth.split('.')[1], 'base64url'));
    assert.deepEqual(payload.app.module, MODULES.adminPage);
  } finally {
    await host.close();
    await new Promise((r) => backend.close(r));
    rmSync(keysDir, { recursive: true, force: true });
  }
});
