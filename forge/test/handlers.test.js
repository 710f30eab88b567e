// The function handlers with fake Jira, backend, clock and queue: install
// order, pausing at the time budget and resuming from the queued
// continuation, the UI request poll, the reconcile budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleInstalled, handleQueued, handleReconcile, handleRequests } from '../src/handlers.js';
import { FUNCTION_BUDGET_MS } from '../src/limits.js';
import { makeDeps } from '../testing/fakes.js';

const PAGE_COST_MS = 5 * 60 * 1000;

/** Deps whose clock advances PAGE_COST_MS per posted page, plus a recording queue. */
function slowDeps(jiraOpts, backendOpts) {
  const made = makeDeps(jiraOpts, backendOpts);
  let t = Date.parse('2026-11-29T04:00:00Z');
  const queued = [];
  const { postPage } = made.deps.backend;
  made.deps.now = () => t;
  made.deps.backend = { ...made.deps.backend, postPage: (k, p) => { t += PAGE_COST_MS; return postPage(k, p); } };
  made.deps.enqueue = async (body) => { queued.push(JSON.parse(JSON.stringify(body))); return { jobId: 'j1' }; };
  return { ...made, queued, resetClock: () => { t = Date.parse('2026-11-29T05:00:00Z'); } };
}

const keyOf = (p) => `${p.method} ${p.path}${p.body && p.body.issues ? ` ${p.body.issues.map((i) => i.id).join(',')}` : ''}`;

test('install registers the installation first, then queues the backfill of every project', async () => {
  const { deps, posts, queued } = slowDeps();
  const event = { eventType: 'avi:forge:installed:app', id: '4a1b2c3d-0000-4000-8000-000000000001' };
  await handleInstalled(deps, event);
  assert.deepEqual(posts.map((p) => p.path), ['/forge/register']);
  assert.deepEqual(posts[0].body, event);
  assert.deepEqual(queued, [{ allProjects: true }]);
  // The consumer then runs discovery, the catalogue and every project.
  await handleQueued(deps, { body: queued[0] });
  assert.equal(posts[1].path, '/forge/catalog');
  assert.ok(posts.some((p) => p.path === '/forge/backfill/EE/page'));
});

test('a run pauses at the time budget and the queued continuation finishes exactly the rest', async () => {
  const whole = slowDeps();
  whole.deps.now = () => 0; // no budget pressure: the uninterrupted reference run
  await handleQueued(whole.deps, { body: { projectKeys: ['EE', 'K5'] } });

  const { deps, posts, queued, resetClock } = slowDeps();
  const first = await handleQueued(deps, { body: { projectKeys: ['EE', 'K5'] } });
  assert.equal(first.continued, true);
  assert.equal(queued.length, 1);
  const c = queued[0].continuation;
  assert.deepEqual(c.projectKeys, ['EE', 'K5']);
  assert.equal(c.nextPageToken, 't30');
  assert.deepEqual(c.fieldIds,
    { storyPoints: 'customfield_10026', sprint: 'customfield_10020', flagged: 'customfield_10021' });
  assert.equal(posts.filter((p) => p.path.endsWith('/page')).length, Math.ceil(FUNCTION_BUDGET_MS / PAGE_COST_MS));
  resetClock();
  const second = await handleQueued(deps, { body: queued[0] });
  assert.equal(second.continued, false);
  assert.deepEqual(posts.map(keyOf), whole.posts.map(keyOf));
  // The resumed run did not announce a new start for EE.
  assert.equal(posts.filter((p) => p.path === '/forge/backfill/EE').length, 1);
});

test('the budget also stops between projects, and the next project starts afresh', async () => {
  const { deps, posts, queued } = slowDeps();
  let t = 0;
  const { postPage } = deps.backend;
  deps.now = () => t;
  deps.backend = { ...deps.backend, postPage: (k, p) => { t = FUNCTION_BUDGET_MS * 2; return postPage(k, p); } };
  await handleQueued(deps, { body: { projectKeys: ['K5', 'EE'] } });
  assert.deepEqual(queued[0].continuation.projectKeys, ['EE']);
  assert.equal(queued[0].continuation.nextPageToken, null);
  assert.ok(!posts.some((p) => p.path === '/forge/backfill/EE'));
});

test('a queued body of neither shape is refused', async () => {
  const { deps } = slowDeps();
  await assert.rejects(handleQueued(deps, { body: { hello: 1 } }), /no continuation, projectKeys or allProjects/);
});

test('the request poll queues the projects the backend lists, and treats a 404 as none', async () => {
  const { deps, queued } = slowDeps();
  deps.backend = { ...deps.backend, pendingBackfills: async () => ['K5'] };
  assert.deepEqual(await handleRequests(deps), { requested: ['K5'] });
  assert.deepEqual(queued, [{ projectKeys: ['K5'] }]);

  const none = slowDeps();
  assert.deepEqual(await handleRequests(none.deps), { requested: [] });
  assert.deepEqual(none.queued, []);
  assert.deepEqual(none.posts.map((p) => `${p.method} ${p.path}`), ['GET /forge/backfill/requests']);
});

test('a reconcile that runs out of time is not recorded', async () => {
  const { deps, posts } = slowDeps();
  const r = await handleReconcile(deps);
  assert.equal(r.recorded, false);
  assert.ok(r.failed.some((f) => /out of time/.test(f.error)));
  assert.ok(!posts.some((p) => p.method === 'POST' && p.path === '/forge/reconcile'));
});
