// The daily reconcile: look-back from the backend's last success, pages of
// updated issues, id lists for deletions, success recorded only when whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookbackMinutes, reconcile } from '../src/reconcile.js';
import { makeDeps, siteIssues } from '../testing/fakes.js';

test('look-back: minutes since the last success plus overlap, or a day on the first run', () => {
  const now = Date.parse('2026-11-29T04:00:00Z');
  assert.equal(lookbackMinutes('2026-11-28T04:00:00Z', now), 1440 + 15);
  assert.equal(lookbackMinutes(null, now), 1440 + 15);
  assert.equal(lookbackMinutes('2026-11-29T03:59:30Z', now), 1 + 15);
});

test('reconcile re-reads updated issues, posts the id lists, then records its success', async () => {
  const { deps, posts, jiraCalls } = makeDeps({}, { lastSuccessAt: '2026-11-28T03:00:00.000Z' });
  const r = await reconcile(deps, { projectKeys: ['EE', 'K5'] });
  assert.equal(r.since, '-1515m');
  const searches = jiraCalls.filter((c) => c.path === '/rest/api/3/search/jql' && c.query.get('fields') !== 'id');
  assert.equal(searches[0].query.get('jql'), 'project = "EE" AND updated >= -1515m ORDER BY updated ASC, key ASC');
  assert.equal(searches[0].query.get('expand'), 'changelog');
  const paths = posts.map((p) => `${p.method} ${p.path}`);
  assert.equal(paths[0], 'GET /forge/reconcile');
  assert.equal(paths.at(-1), 'POST /forge/reconcile');
  const ids = posts.find((p) => p.path === '/forge/reconcile/EE/ids').body.ids;
  assert.deepEqual(ids, siteIssues().filter((i) => i.fields.project.key === 'EE').map((i) => i.id));
  assert.ok(posts.some((p) => p.path === '/forge/issues/13383/changelog'));
  assert.deepEqual(posts.at(-1).body, {
    startedAt: '2026-11-29T04:00:00.000Z', finishedAt: '2026-11-29T04:00:00.000Z', projects: ['EE', 'K5'], issues: 36,
  });
  assert.equal(r.recorded, true);
});

test('a failed project leaves the last success unrecorded so the next run looks back further', async () => {
  const { deps, posts } = makeDeps({}, { fail: (c) => (c.path === '/forge/reconcile/K5/ids' ? 503 : null) });
  const r = await reconcile(deps, { projectKeys: ['EE', 'K5'] });
  assert.equal(r.recorded, false);
  assert.equal(r.failed[0].projectKey, 'K5');
  assert.ok(!posts.some((p) => p.method === 'POST' && p.path === '/forge/reconcile'));
});

test('a backend without the reconcile routes still gets the last day re-read, and nothing is recorded', async () => {
  const { deps, posts } = makeDeps({}, { noReconcileRoute: true,
    fail: (c) => (c.path.startsWith('/forge/reconcile/') ? 404 : null) });
  const r = await reconcile(deps, { projectKeys: ['K5'] });
  assert.equal(r.since, '-1455m');
  assert.equal(posts[0].path, '/forge/reconcile');
  assert.ok(posts.some((p) => p.path === '/forge/backfill/K5/page'));
  assert.equal(r.recorded, false);
  assert.match(r.failed[0].error, /POST \/forge\/reconcile\/K5\/ids: backend answered 404/);
});
