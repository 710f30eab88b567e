// Field discovery, backoff arithmetic, retry limits, catalogue tolerance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverFields } from '../src/fields.js';
import { backoffMs, withRetry } from '../src/retry.js';
import { BACKOFF_CAP_MS, MAX_RETRIES } from '../src/limits.js';
import { syncCatalog } from '../src/catalog.js';
import { FIELD_LIST, makeDeps, real } from '../testing/fakes.js';

test('field discovery picks the Sprint, "Story Points" and Flagged ids from a realistic /field answer', () => {
  assert.deepEqual(discoverFields(FIELD_LIST),
    { storyPoints: 'customfield_10026', sprint: 'customfield_10020', flagged: 'customfield_10021' });
  // Flagged needs both the name and the multi-checkbox schema.
  const renamed = FIELD_LIST.map((f) => (f.id === 'customfield_10021' ? { ...f, name: 'Blocked?' } : f));
  assert.equal(discoverFields(renamed).flagged, null);
  const retyped = FIELD_LIST.map((f) => (f.id === 'customfield_10021'
    ? { ...f, schema: { ...f.schema, custom: 'com.atlassian.jira.plugin.system.customfieldtypes:select' } } : f));
  assert.equal(discoverFields(retyped).flagged, null);
});

test('"Story point estimate" is used when there is no "Story Points"; float fields of other names are not', () => {
  const list = FIELD_LIST.filter((f) => f.name !== 'Story Points');
  assert.deepEqual(discoverFields(list),
    { storyPoints: 'customfield_10016', sprint: 'customfield_10020', flagged: 'customfield_10021' });
  const none = FIELD_LIST.filter((f) => !/Story|Sprint|Flagged/.test(f.name));
  assert.deepEqual(discoverFields(none), { storyPoints: null, sprint: null, flagged: null });
  assert.throws(() => discoverFields({}), /expected an array/);
});

test('backoff: Retry-After seconds or date, else doubling from 1 s, always capped', () => {
  assert.equal(backoffMs('7', 0), 7000);
  assert.equal(backoffMs('3600', 0), BACKOFF_CAP_MS);
  const now = Date.parse('2026-11-29T04:00:00Z');
  assert.equal(backoffMs('Sun, 29 Nov 2026 04:00:05 GMT', 0, now), 5000);
  assert.equal(backoffMs(null, 0), 1000);
  assert.equal(backoffMs(undefined, 3), 8000);
  assert.equal(backoffMs('soon', 2), 4000);
  assert.equal(backoffMs(null, 20), BACKOFF_CAP_MS);
});

test('withRetry gives up after MAX_RETRIES with a clear error, and does not retry other statuses', async () => {
  const sleeps = [];
  let calls = 0;
  await assert.rejects(
    withRetry(async () => { calls++; return { status: 503, headers: {} }; },
      { sleep: async (ms) => sleeps.push(ms), what: 'GET /x' }),
    /GET \/x: still 503 after 6 retries/);
  assert.equal(calls, MAX_RETRIES + 1);
  assert.deepEqual(sleeps, [1000, 2000, 4000, 8000, 16000, 32000]);
  calls = 0;
  const r = await withRetry(async () => { calls++; return { status: 500, headers: {} }; }, { sleep: async () => {} });
  assert.equal(r.status, 500);
  assert.equal(calls, 1);
});

test('the catalogue posts statuses, sprints and projects as Jira gave them', async () => {
  const { deps, posts } = makeDeps();
  await syncCatalog(deps);
  assert.equal(posts.length, 1);
  assert.equal(posts[0].path, '/forge/catalog');
  assert.deepEqual(posts[0].body, {
    statuses: real('statuses.json'), sprints: real('sprints.json').values, projects: real('projects.json'),
  });
});

test('a site without Jira Software gets an empty sprint list, not a failure', async () => {
  const { deps, posts } = makeDeps({ agile: false });
  await syncCatalog(deps);
  assert.deepEqual(posts[0].body.sprints, []);
});

test('a Jira refusal is an error naming the call', async () => {
  const { deps } = makeDeps();
  await assert.rejects(deps.jira.get(deps.route`/rest/api/3/nowhere`, 'GET /rest/api/3/nowhere'),
    /GET \/rest\/api\/3\/nowhere: Jira answered 404/);
});

test('the backend client retries a 503 on a page post and gives up on a 500 at once', async () => {
  const { deps, posts, sleeps } = makeDeps({}, { fail: (() => { let n = 0; return (c) => (c.path.endsWith('/page') && n++ === 0 ? 503 : null); })() });
  await deps.backend.postPage('EE', { issues: [] });
  assert.equal(posts.length, 2);
  assert.deepEqual(sleeps, [1000]);
  const failing = makeDeps({}, { fail: () => 500 });
  await assert.rejects(failing.deps.backend.postCatalog({}), /POST \/forge\/catalog: backend answered 500/);
  assert.equal(failing.posts.length, 1);
});
