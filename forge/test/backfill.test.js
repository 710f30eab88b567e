// Backfill against the fake Jira replaying the real devlake-merico payloads:
// order of posts, pages forwarded unchanged, truncated histories completed,
// 429 + Retry-After honoured, cap respected, failures reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backfillAll, backfillProject } from '../src/backfill.js';
import { CHANGELOG_ISSUES, makeDeps, real, siteIssues } from '../testing/fakes.js';

const FIELDS = { storyPoints: 'customfield_10026', sprint: 'customfield_10020', flagged: 'customfield_10021' };
const eeIssues = () => siteIssues().filter((i) => i.fields.project.key === 'EE');

/** Compact description of the posts: "start EE", "page EE 10", "changelog 13383 40". */
function shape(posts) {
  return posts.map((p) => {
    if (p.path === '/forge/catalog') return 'catalog';
    if (/^\/forge\/backfill\/[^/]+$/.test(p.path)) return `start ${p.path.split('/')[3]}`;
    if (p.path.endsWith('/page')) return `page ${p.path.split('/')[3]} ${p.body.issues.length}`;
    if (p.path.endsWith('/changelog')) return `changelog ${p.path.split('/')[3]} ${p.body.values.length}`;
    if (p.path.startsWith('/forge/boards/')) return `boards ${p.path.split('/')[3]} ${p.body.boards.length}`;
    return `${p.method} ${p.path}`;
  });
}

test('backfill posts start, then pages oldest first, each followed by its truncated changelogs', async () => {
  const { deps, posts } = makeDeps({ chunk: 16 });
  const result = await backfillAll(deps, { projectKeys: ['EE', 'K5'] });
  assert.deepEqual(shape(posts), [
    'catalog',
    'start EE', 'boards EE 1', 'page EE 16',
    'page EE 16', 'changelog 13383 40', 'changelog 13383 40', 'changelog 13383 20',
    'changelog 13491 40', 'changelog 13491 39',
    'page EE 1', 'changelog 13954 40', 'changelog 13954 40', 'changelog 13954 20',
    'start K5', 'boards K5 0', 'page K5 3',
  ]);
  assert.deepEqual(posts[1].body, { total: 33, fields: FIELDS });
  assert.deepEqual(posts.at(-3).body, { total: 3, fields: FIELDS });
  assert.equal(result.failed.length, 0);
  assert.equal(result.capped, false);
  assert.deepEqual(result.projects.map((p) => [p.projectKey, p.issues, p.pages]), [['EE', 33, 3], ['K5', 3, 1]]);
  assert.ok(posts.every((p) => p.key === 'biq-backend' && p.method === 'POST'));
});

test('search pages are forwarded unchanged, with nextPageToken and isLast as Jira sent them', async () => {
  const { deps, posts } = makeDeps();
  await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  const pages = posts.filter((p) => p.path === '/forge/backfill/EE/page').map((p) => p.body);
  const all = eeIssues();
  assert.deepEqual(pages, [
    { issues: all.slice(0, 10), nextPageToken: 't10', isLast: false },
    { issues: all.slice(10, 20), nextPageToken: 't20', isLast: false },
    { issues: all.slice(20, 30), nextPageToken: 't30', isLast: false },
    { issues: all.slice(30, 33), isLast: true },
  ]);
  // The real payload's first issue arrives byte-for-byte as recorded.
  assert.deepEqual(pages[0].issues[0], real('issues-with-changelog.json').issues[0]);
});

test('truncated histories are paged in full from the changelog endpoint', async () => {
  const { deps, posts, jiraCalls } = makeDeps();
  await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  for (const id of CHANGELOG_ISSUES) {
    const sent = posts.filter((p) => p.path === `/forge/issues/${id}/changelog`).map((p) => p.body);
    assert.deepEqual(sent.flatMap((p) => p.values), real(`changelog-issue-${id}.json`).values, id);
    assert.deepEqual(sent.map((p) => p.startAt), sent.map((_, n) => n * 40), id);
    assert.equal(sent.at(-1).isLast, true);
  }
  // Complete embedded changelogs are not fetched again.
  const fetched = jiraCalls.filter((c) => c.path.endsWith('/changelog')).map((c) => c.path.split('/')[5]);
  assert.deepEqual([...new Set(fetched)], CHANGELOG_ISSUES);
});

test('the search asks for the kept fields only, with changelogs, 100 per page, oldest first', async () => {
  const { deps, jiraCalls } = makeDeps();
  await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  const searches = jiraCalls.filter((c) => c.path === '/rest/api/3/search/jql');
  assert.equal(searches.length, 4);
  const q = searches[0].query;
  assert.equal(q.get('jql'), 'project = "EE" ORDER BY created ASC, key ASC');
  assert.equal(q.get('expand'), 'changelog');
  assert.equal(q.get('maxResults'), '100');
  const fields = q.get('fields').split(',');
  assert.ok(fields.includes('status') && fields.includes('customfield_10026') && fields.includes('customfield_10020'));
  assert.ok(!fields.includes('description') && !fields.includes('comment') && !fields.includes('*all'));
  assert.equal(q.get('nextPageToken'), null);
  assert.deepEqual(searches.slice(1).map((c) => c.query.get('nextPageToken')), ['t10', 't20', 't30']);
  const count = jiraCalls.find((c) => c.path === '/rest/api/3/search/approximate-count');
  assert.deepEqual(JSON.parse(count.body), { jql: 'project = "EE"' });
});

test('a 429 with Retry-After is waited out once, then the page goes through', async () => {
  const { deps, posts, sleeps, jiraCalls } = makeDeps({ throttleOnce: '/rest/api/3/search/jql' });
  const r = await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  assert.deepEqual(sleeps, [7000]);
  assert.equal(jiraCalls.filter((c) => c.path === '/rest/api/3/search/jql').length, 5);
  assert.equal(r.issues, 33);
  assert.equal(posts.filter((p) => p.path.endsWith('/page')).length, 4);
});

test('a 429 on a changelog page is retried too', async () => {
  const { deps, posts, sleeps } = makeDeps({ throttleOnce: '/rest/api/3/issue/13491/changelog' });
  await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  assert.deepEqual(sleeps, [7000]);
  assert.equal(posts.filter((p) => p.path === '/forge/issues/13491/changelog').length, 2);
});

test('the cap stops the run, cuts the last page and bounds the announced total', async () => {
  const { deps, posts, jiraCalls } = makeDeps();
  const r = await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS, cap: 25 });
  assert.equal(r.capped, true);
  assert.equal(r.issues, 25);
  assert.deepEqual(posts[0].body.total, 25);
  assert.deepEqual(shape(posts), ['start EE', 'boards EE 1', 'page EE 10', 'page EE 10', 'page EE 5']);
  assert.deepEqual(posts[4].body.issues, eeIssues().slice(20, 25));
  assert.equal(jiraCalls.filter((c) => c.path === '/rest/api/3/search/jql').length, 3);
});

test('the cap is shared by the projects of one run', async () => {
  const { deps, posts } = makeDeps();
  const r = await backfillAll(deps, { projectKeys: ['EE', 'K5'], cap: 33 });
  assert.equal(r.capped, true);
  assert.deepEqual(shape(posts).filter((s) => s.startsWith('start') || s.startsWith('page')),
    ['start EE', 'page EE 10', 'page EE 10', 'page EE 10', 'page EE 3']);
});

test('a backend failure on one project is reported and the next project still runs', async () => {
  const { deps, posts } = makeDeps({}, { fail: (c) => (c.path === '/forge/backfill/EE/page' ? 500 : null) });
  const r = await backfillAll(deps, { projectKeys: ['EE', 'K5'] });
  assert.equal(r.failed.length, 1);
  assert.equal(r.failed[0].projectKey, 'EE');
  assert.match(r.failed[0].error, /POST \/forge\/backfill\/EE\/page: backend answered 500/);
  assert.deepEqual(shape(posts).slice(-3), ['start K5', 'boards K5 0', 'page K5 3']);
});

test('without a project list the catalogue projects are backfilled', async () => {
  const { deps, posts } = makeDeps();
  const r = await backfillAll(deps);
  const keys = real('projects.json').map((p) => p.key);
  assert.deepEqual(r.projects.map((p) => p.projectKey), keys);
  // Projects without issues get a start with total 0 and no page.
  assert.deepEqual(posts.find((p) => p.path === '/forge/backfill/CC').body, { total: 0, fields: FIELDS });
  assert.ok(!posts.some((p) => p.path === '/forge/backfill/CC/page'));
});
