// The manifest's modules against the backend's caller table
// (../src/auth/modules.def, security.md §2a): the backend admits a call by
// the verified token's app.module.type / app.module.key, so every module
// that can call it must be in the table with the class it is, and the table
// must name nothing the manifest lacks. Fails on any drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

// The YAML parser @forge/manifest itself reads manifests with.
const require = createRequire(import.meta.url);
const YAML = createRequire(require.resolve('@forge/manifest'))('yaml');

const forgeDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifestText = readFileSync(join(forgeDir, 'manifest.yml'), 'utf8');
const modulesDefText = readFileSync(join(forgeDir, '../src/auth/modules.def'), 'utf8');

/** The caller class of each Custom UI module type. */
const UI_CLASS = {
  'jira:projectPage': 'VIEWER',
  'jira:issuePanel': 'VIEWER',
  'jira:projectSettingsPage': 'PROJECT_ADMIN',
  'jira:adminPage': 'SITE_ADMIN',
};

/**
 * Every BIQ_MODULE("type", "key", BIQ_CALLER_X) line of modules.def (comments
 * removed first), as {type, key, cls}. A line that mentions BIQ_MODULE but
 * does not parse is an error, so a typo cannot hide an entry.
 */
export function parseModulesDef(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const out = [];
  for (const line of code.split('\n')) {
    if (!line.includes('BIQ_MODULE')) continue;
    const m = /^\s*BIQ_MODULE\(\s*"([^"]+)"\s*,\s*"([^"]+)"\s*,\s*BIQ_CALLER_([A-Z_]+)\s*\)\s*$/.exec(line);
    if (!m) throw new Error(`modules.def: cannot read "${line.trim()}"`);
    out.push({ type: m[1], key: m[2], cls: m[3] });
  }
  return out;
}

/**
 * What modules.def must hold for a manifest (parsed YAML), as
 * {entries: [{type, key, cls, why}], problems: [...]}: problems are
 * manifest modules no class rule covers (a new UI module type, an endpoint
 * used both for lifecycle and product events ...).
 */
export function expectedModules(manifest) {
  const mods = manifest.modules ?? {};
  const entries = [];
  const problems = [];
  const add = (type, key, cls, why) => {
    const same = entries.find((e) => e.type === type && e.key === key);
    if (same && same.cls !== cls) problems.push(`${type} ${key}: ${same.why} makes it ${same.cls}, ${why} makes it ${cls}`);
    else if (!same) entries.push({ type, key, cls, why });
  };
  for (const [type, list] of Object.entries(mods)) {
    if (!Array.isArray(list)) continue;
    for (const m of list) {
      const isUi = m.resource !== undefined || m.resolver !== undefined || m.render !== undefined;
      if (!isUi) continue;
      if (UI_CLASS[type]) add(type, m.key, UI_CLASS[type], `UI module ${type}`);
      else problems.push(`${type} ${m.key}: a UI module with no caller class rule (add it to UI_CLASS and modules.def)`);
    }
  }
  for (const t of mods.trigger ?? []) {
    if (!t.endpoint) continue;
    const lifecycle = t.events.every((e) => e.startsWith('avi:forge:'));
    const product = t.events.every((e) => !e.startsWith('avi:forge:'));
    if (lifecycle) add('core:endpoint', t.endpoint, 'LIFECYCLE', `lifecycle trigger ${t.key}`);
    else if (product) add('core:endpoint', t.endpoint, 'EVENTS', `product-event trigger ${t.key}`);
    else problems.push(`trigger ${t.key}: mixes lifecycle and product events on endpoint ${t.endpoint}`);
  }
  for (const p of mods.preUninstall ?? []) if (p.endpoint) add('core:endpoint', p.endpoint, 'LIFECYCLE', `preUninstall ${p.key}`);
  for (const s of mods.scheduledTrigger ?? []) if (s.endpoint) add('core:endpoint', s.endpoint, 'SCHEDULE', `scheduled trigger ${s.key}`);
  for (const f of mods.function ?? []) add('core:function', f.key, 'FUNCTION', `function ${f.key}`);
  return { entries, problems };
}

/** The differences between a manifest's expected entries and modules.def's, one line each. */
export function drift(manifest, defEntries) {
  const { entries, problems } = expectedModules(manifest);
  const out = [...problems];
  const seen = new Map();
  for (const d of defEntries) {
    const id = `${d.type} ${d.key}`;
    if (seen.has(id)) out.push(`modules.def names ${id} twice`);
    seen.set(id, d);
  }
  for (const e of entries) {
    const d = seen.get(`${e.type} ${e.key}`);
    if (!d) {
      const other = defEntries.find((x) => x.key === e.key);
      out.push(other ? `${e.why}: modules.def has ${e.key} as ${other.type}, the manifest makes it ${e.type}`
        : `${e.why}: ${e.type} ${e.key} is missing from modules.def (BIQ_CALLER_${e.cls})`);
    } else if (d.cls !== e.cls) {
      out.push(`${e.why}: modules.def gives ${e.type} ${e.key} BIQ_CALLER_${d.cls}, it must be BIQ_CALLER_${e.cls}`);
    }
  }
  for (const d of defEntries) {
    if (!entries.some((e) => e.type === d.type && e.key === d.key)) out.push(`modules.def names ${d.type} ${d.key}, which no manifest module is`);
  }
  return out;
}

const manifest = YAML.parse(manifestText);
const defEntries = parseModulesDef(modulesDefText);

test('forge/manifest.yml and src/auth/modules.def name the same callers with the same classes', () => {
  assert.deepEqual(drift(manifest, defEntries), []);
  // The table is not empty by accident: all four UI modules, the platform endpoints, the functions.
  const classes = new Set(defEntries.map((d) => d.cls));
  for (const c of ['VIEWER', 'PROJECT_ADMIN', 'SITE_ADMIN', 'LIFECYCLE', 'EVENTS', 'SCHEDULE', 'FUNCTION']) assert.ok(classes.has(c), c);
  assert.equal(defEntries.length, expectedModules(manifest).entries.length);
});

test('UI resolver endpoints are not callers of their own (their calls carry the UI module)', () => {
  const uiEndpoints = Object.values(manifest.modules).flat().filter((m) => m?.resolver?.endpoint).map((m) => m.resolver.endpoint);
  assert.ok(uiEndpoints.length >= 4);
  for (const ep of uiEndpoints) assert.ok(!defEntries.some((d) => d.key === ep), `${ep} must not be in modules.def`);
});

// The comparison must fail on every kind of drift: each case edits a copy.
const clone = () => structuredClone(manifest);
const without = (pred) => defEntries.filter((d) => !pred(d));

test('drift: a UI module missing from modules.def, or with the wrong class or type, fails', () => {
  const m = clone();
  m.modules['jira:adminPage'][0].key = 'biq-admin-page-2';
  assert.match(drift(m, defEntries).join('\n'), /jira:adminPage biq-admin-page-2 is missing from modules.def \(BIQ_CALLER_SITE_ADMIN\)/);
  assert.match(drift(m, defEntries).join('\n'), /modules.def names jira:adminPage biq-admin-page, which no manifest module is/);
  const wrongClass = defEntries.map((d) => (d.key === 'biq-project-settings' ? { ...d, cls: 'VIEWER' } : d));
  assert.match(drift(manifest, wrongClass).join('\n'), /gives jira:projectSettingsPage biq-project-settings BIQ_CALLER_VIEWER, it must be BIQ_CALLER_PROJECT_ADMIN/);
  const wrongType = defEntries.map((d) => (d.key === 'biq-issue-panel' ? { ...d, type: 'jira:projectPage' } : d));
  assert.match(drift(manifest, wrongType).join('\n'), /modules.def has biq-issue-panel as jira:projectPage, the manifest makes it jira:issuePanel/);
});

test('drift: a new UI module type with no class rule fails', () => {
  const m = clone();
  m.modules['jira:globalPage'] = [{ key: 'biq-global', resource: 'main', resolver: { endpoint: 'biq-ui' }, title: 'x' }];
  assert.match(drift(m, defEntries).join('\n'), /jira:globalPage biq-global: a UI module with no caller class rule/);
});

test('drift: platform endpoints and functions missing or misclassified fail', () => {
  assert.match(drift(manifest, without((d) => d.key === 'biq-uninstall')).join('\n'), /preUninstall biq-pre-uninstall: core:endpoint biq-uninstall is missing .*LIFECYCLE/);
  assert.match(drift(manifest, without((d) => d.key === 'biq-alerts-sweep')).join('\n'), /scheduled trigger biq-hourly-alerts: core:endpoint biq-alerts-sweep is missing .*SCHEDULE/);
  assert.match(drift(manifest, without((d) => d.key === 'reconcile')).join('\n'), /function reconcile: core:function reconcile is missing .*FUNCTION/);
  const eventsAsLifecycle = defEntries.map((d) => (d.key === 'biq-events' ? { ...d, cls: 'LIFECYCLE' } : d));
  assert.match(drift(manifest, eventsAsLifecycle).join('\n'), /product-event trigger biq-issue-events: modules.def gives core:endpoint biq-events BIQ_CALLER_LIFECYCLE, it must be BIQ_CALLER_EVENTS/);
  // A new trigger endpoint in the manifest only.
  const m = clone();
  m.modules.trigger.push({ key: 'biq-project-events', endpoint: 'biq-project-hook', events: ['avi:jira:created:project'] });
  assert.match(drift(m, defEntries).join('\n'), /core:endpoint biq-project-hook is missing from modules.def \(BIQ_CALLER_EVENTS\)/);
  // One endpoint used for lifecycle and for product events is a conflict, not a guess.
  const both = clone();
  both.modules.trigger.push({ key: 'biq-x', endpoint: 'biq-lifecycle', events: ['avi:jira:created:issue'] });
  assert.match(drift(both, defEntries).join('\n'), /core:endpoint biq-lifecycle: lifecycle trigger .* makes it LIFECYCLE, product-event trigger biq-x makes it EVENTS/);
});

test('drift: modules.def naming what the manifest lacks, twice, or unreadably fails', () => {
  const extra = [...defEntries, { type: 'core:function', key: 'old-function', cls: 'FUNCTION' }];
  assert.match(drift(manifest, extra).join('\n'), /modules.def names core:function old-function, which no manifest module is/);
  assert.match(drift(manifest, [...defEntries, defEntries[0]]).join('\n'), /names core:endpoint biq-lifecycle twice/);
  assert.throws(() => parseModulesDef('BIQ_MODULE("jira:adminPage", biq-admin-page, BIQ_CALLER_SITE_ADMIN)'), /cannot read/);
  // Comments do not count as entries.
  assert.deepEqual(parseModulesDef('/* BIQ_MODULE("a", "b", BIQ_CALLER_VIEWER) */\n// BIQ_MODULE("c", "d", BIQ_CALLER_VIEWER)'), []);
  // The real file, edited: deleting a line is caught.
  const edited = modulesDefText.replace(/^BIQ_MODULE\("jira:adminPage".*$/m, '');
  assert.match(drift(manifest, parseModulesDef(edited)).join('\n'), /UI module jira:adminPage: jira:adminPage biq-admin-page is missing/);
});
