// Board configurations (issue #15) against the fake Jira replaying the
// documented GET /rest/agile/1.0/board/{id}/configuration shape
// (tests/fixtures/board-configuration.json): the project's boards are
// listed by projectKeyOrId, each configuration read and minimised to what
// the backend reads, private boards left out, a refused list never posts,
// and the backfill and the reconcile both post them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchProjectBoards, minimalBoard, syncBoards } from '../src/boards.js';
import { backfillProject } from '../src/backfill.js';
import { reconcile } from '../src/reconcile.js';
import { BOARD_CONFIGURATION, makeDeps } from '../testing/fakes.js';

const FIELDS = { storyPoints: 'customfield_10026', sprint: 'customfield_10020', flagged: 'customfield_10021' };

test('a configuration keeps id, name, type and columns with status ids and limits only', () => {
  const b = minimalBoard(BOARD_CONFIGURATION);
  assert.deepEqual(b, {
    id: 84, name: 'EE board', type: 'kanban',
    columnConfig: {
      columns: [
        { name: 'Backlog', statuses: [{ id: '10000' }] },
        { name: 'To Do', statuses: [{ id: '1' }, { id: '4' }] },
        { name: 'In Progress', statuses: [{ id: '3' }], min: 2, max: 4 },
        { name: 'Review', statuses: [{ id: '10002' }], max: 3 },
        { name: 'Done', statuses: [{ id: '5' }, { id: '10001' }] },
      ],
    },
  });
  // Filters, sub-queries, ranking, links and locations never leave Jira's answer.
  const text = JSON.stringify(b);
  for (const gone of ['filter', 'subQuery', 'ranking', 'self', 'location', 'https://']) {
    assert.ok(!text.includes(gone), gone);
  }
});

test("the project's boards are listed by key and each configuration read; a private board is left out", async () => {
  const { deps, jiraCalls } = makeDeps();
  const boards = await fetchProjectBoards(deps, 'EE');
  assert.deepEqual(boards.map((b) => b.id), [8]);
  assert.equal(boards[0].columnConfig.columns.length, 5);
  const list = jiraCalls.find((c) => c.path === '/rest/agile/1.0/board');
  assert.equal(list.query.get('projectKeyOrId'), 'EE');
  assert.deepEqual(jiraCalls.filter((c) => c.path.endsWith('/configuration')).map((c) => c.path),
    ['/rest/agile/1.0/board/8/configuration', '/rest/agile/1.0/board/9/configuration']);
  assert.deepEqual(await fetchProjectBoards(deps, 'K5'), []);
});

test('a refused board list (no Jira Software, scope not granted) posts nothing', async () => {
  const { deps, posts } = makeDeps({ agile: false });
  assert.equal(await fetchProjectBoards(deps, 'EE'), null);
  assert.equal(await syncBoards(deps, 'EE'), null);
  assert.ok(!posts.some((p) => p.path.startsWith('/forge/boards/')));
});

test('a backend refusal of the boards is logged and does not stop the backfill', async () => {
  const logs = [];
  const { deps, posts } = makeDeps({}, { fail: (c) => (c.path === '/forge/boards/EE' ? 422 : null) });
  deps.log = (m) => logs.push(m);
  const r = await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  assert.equal(r.issues, 33);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /boards of EE not synced: POST \/forge\/boards\/EE: backend answered 422/);
  assert.ok(posts.some((p) => p.path === '/forge/backfill/EE/page'));
});

test('the backfill posts the boards right after its start; the reconcile before its pages', async () => {
  const { deps, posts } = makeDeps();
  await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  assert.deepEqual(posts.slice(0, 2).map((p) => p.path), ['/forge/backfill/EE', '/forge/boards/EE']);
  assert.deepEqual(posts[1].body.boards.map((b) => b.id), [8]);
  assert.deepEqual(posts[0].body.fields, FIELDS);
  const again = makeDeps();
  await reconcile(again.deps, { projectKeys: ['EE'] });
  const paths = again.posts.map((p) => p.path);
  const boards = paths.indexOf('/forge/boards/EE');
  assert.ok(boards >= 0);
  assert.ok(paths.indexOf('/forge/backfill/EE/page') > boards);
});

test('the search asks for the issue #15 fields and the Flagged field id', async () => {
  const { deps, jiraCalls } = makeDeps();
  await backfillProject(deps, { projectKey: 'EE', fieldIds: FIELDS });
  const fields = jiraCalls.find((c) => c.path === '/rest/api/3/search/jql').query.get('fields').split(',');
  for (const f of ['resolution', 'labels', 'parent', 'issuelinks', 'customfield_10021']) {
    assert.ok(fields.includes(f), f);
  }
});
