/* devhost.test.js - the dev host's pieces without a browser: FIT claims
 * shaped as tools/biq_dev.c shapes them, and page URL -> module context. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createVerify } from 'node:crypto';
import { fitClaims, signFit, installationAri, DEV_APP_ID, DEV_KID, FIT_LIFETIME_S } from '../../tools/devhost/fit.js';
import { contextFromPage, viewContext } from '../../tools/devhost/context.js';

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
