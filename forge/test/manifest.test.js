// manifest.yml against @forge/manifest's own offline validators (the JSON
// schema out/schema/manifest-schema.json plus the lint checks), and against
// the spec: exact scopes, known event names, remote routes, real handlers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const forge = require('@forge/manifest');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Not in the package's exports map: read from the installed package folder.
const mapping = JSON.parse(readFileSync(join(dirname(require.resolve('@forge/manifest')),
  'mapping/product-event-to-scope-mapping.json'), 'utf8'));
const manifestText = readFileSync(join(root, 'manifest.yml'), 'utf8');

const SEED_SCOPES = ['read:jira-work', 'read:jira-user', 'read:issue:jira', 'read:issue.changelog:jira',
  'read:issue-meta:jira', 'read:jql:jira', 'read:project:jira', 'read:user:jira',
  // Issue #15: boards and their column configuration (docs/platform.md).
  'read:board-scope:jira-software', 'read:board-scope.admin:jira-software'];
const BACKEND_FORGE_ROUTES = ['/forge/lifecycle', '/forge/events', '/forge/uninstall', '/forge/alerts/sweep'];
// Each Custom UI module and the endpoint its calls go through (one resource, `main`).
const UI_MODULES = {
  'jira:projectPage': ['biq-project-page', 'biq-ui'],
  'jira:issuePanel': ['biq-issue-panel', 'biq-ui'],
  'jira:projectSettingsPage': ['biq-project-settings', 'biq-ui-project-settings'],
  'jira:adminPage': ['biq-admin-page', 'biq-ui-admin'],
};
const UI_ENDPOINTS = new Set(Object.values(UI_MODULES).map(([, ep]) => ep));

/** Validates `text` as a manifest in a scratch app folder with a stub UI build. */
async function validate(text, Processor = forge.FullValidationProcessor) {
  const dir = mkdtempSync(join(tmpdir(), 'biq-manifest-'));
  try {
    writeFileSync(join(dir, 'manifest.yml'), text);
    mkdirSync(join(dir, 'ui/dist'), { recursive: true });
    writeFileSync(join(dir, 'ui/dist/index.html'), '<!doctype html><title>stub</title>');
    cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
    cpSync(join(root, 'package.json'), join(dir, 'package.json'));
    return await new Processor({}).process(join(dir, 'manifest.yml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('manifest.yml passes @forge/manifest full validation (schema and lint validators)', async () => {
  const r = await validate(manifestText);
  assert.deepEqual(r.errors, []);
  assert.equal(r.success, true);
});

test('product trigger scopes are satisfied (ProductTriggerValidationProcessor)', async () => {
  const r = await validate(manifestText, forge.ProductTriggerValidationProcessor);
  assert.deepEqual(r.errors, []);
});

test('the validators do catch mistakes (a route as a string, a bad interval)', async () => {
  const bad = manifestText.replace('path: /forge/events', '/forge/events').replace('interval: day', 'interval: daily');
  const r = await validate(bad);
  assert.equal(r.success, false);
  assert.ok(r.errors.some((e) => /route .* must be object/.test(e.message)));
  assert.ok(r.errors.some((e) => /interval 'daily'/.test(e.message)));
});

test('scopes are exactly the seed read scopes; remote, events, routes and handlers line up', async () => {
  const m = (await validate(manifestText)).manifestObject.typedContent;
  assert.deepEqual([...m.permissions.scopes].sort(), [...SEED_SCOPES].sort());
  assert.deepEqual(m.remotes, [{ key: 'biq-backend', baseUrl: m.remotes[0].baseUrl,
    operations: ['storage', 'compute'], storage: { inScopeEUD: true } }]);
  // Every event name is either a lifecycle event or one @forge/manifest maps to scopes.
  const known = new Set(mapping.mapping.map((e) => e.productEvent));
  const events = m.modules.trigger.flatMap((t) => t.events);
  for (const e of events) assert.ok(e.startsWith('avi:forge:') || known.has(e), `unknown event ${e}`);
  for (const e of ['avi:forge:installed:app', 'avi:jira:created:issue', 'avi:jira:updated:issue',
    'avi:jira:deleted:issue', 'avi:jira-software:closed:sprint']) assert.ok(events.includes(e), e);
  for (const ep of m.modules.endpoint) {
    assert.equal(ep.remote, 'biq-backend');
    assert.equal(ep.auth, undefined, 'no Jira tokens for the backend');
    // A UI endpoint has no route (Forge uses the invokeRemote path as given); the others a /forge/ route.
    if (UI_ENDPOINTS.has(ep.key)) assert.equal(ep.route, undefined, ep.key);
    else assert.ok(BACKEND_FORGE_ROUTES.includes(ep.route.path), ep.key);
  }
  const uiModules = [];
  for (const [type, [key, endpoint]] of Object.entries(UI_MODULES)) {
    assert.equal(m.modules[type]?.length, 1, type);
    const [ui] = m.modules[type];
    assert.equal(ui.key, key, type);
    assert.deepEqual(ui.resolver, { endpoint }, type);
    assert.ok(m.modules.endpoint.some((ep) => ep.key === endpoint), `${type}: endpoint ${endpoint} exists`);
    uiModules.push(ui);
  }
  assert.equal(m.app.runtime.name, 'nodejs24.x', 'Node.js 20 is past its end of life');
  // The package declares the same floor the deploy runtime meets (issue #15).
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(pkg.engines.node, '>=22');
  const triggerEndpoints = new Set(m.modules.trigger.map((t) => t.endpoint).filter(Boolean));
  assert.deepEqual([...triggerEndpoints].sort(), ['biq-events', 'biq-lifecycle']);
  assert.equal(m.modules.preUninstall[0].endpoint, 'biq-uninstall');
  assert.equal(m.modules.scheduledTrigger[0].interval, 'day');
  // The hourly alert sweep calls the backend directly, per installation.
  const sweep = m.modules.scheduledTrigger.find((t) => t.endpoint === 'biq-alerts-sweep');
  assert.ok(sweep, 'a scheduled trigger of the alert sweep endpoint');
  assert.equal(sweep.interval, 'hour');
  assert.equal(sweep.function, undefined);
  const sweepEndpoint = m.modules.endpoint.find((ep) => ep.key === sweep.endpoint);
  assert.deepEqual(sweepEndpoint.route, { path: '/forge/alerts/sweep' });
  assert.equal(sweepEndpoint.remote, 'biq-backend');
  for (const ui of uiModules) assert.equal(ui.resource, 'main');
  assert.equal(m.resources[0].path, 'ui/dist');
  // Every function handler "index.<name>" is an export of src/index.js.
  const entry = await import('../src/index.js');
  for (const f of m.modules.function) {
    const [file, name] = f.handler.split('.');
    assert.equal(file, 'index');
    assert.equal(typeof entry[name], 'function', f.handler);
  }
});
