// Test doubles: a fake Jira that replays the real devlake-merico payloads
// (search page served in chunks with nextPageToken, changelog pages served by
// startAt, one 429 with Retry-After on demand) and a fake backend that records
// every post. Both are injected through parameters; no module mocking.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { route } from '@forge/api';
import { createJira } from '../src/jira.js';
import { createBackend } from '../src/backend.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Where the real payloads live (BIQ_SHARED_DIR overrides, as in scripts/test.sh). */
export const REALDATA = join(process.env.BIQ_SHARED_DIR || join(here, '../../../shared'), 'realdata/devlake-merico');

/** Parsed JSON of one real payload file. */
export function real(name) {
  return JSON.parse(readFileSync(join(REALDATA, name), 'utf8'));
}

/** tests/fixtures/board-configuration.json: GET /rest/agile/1.0/board/{id}/configuration's
 * documented shape (see tests/fixtures/README.md). */
export const BOARD_CONFIGURATION = JSON.parse(readFileSync(join(here, '../../tests/fixtures/board-configuration.json'), 'utf8'));

/** Ids of the real per-issue changelog files. */
export const CHANGELOG_ISSUES = ['13383', '13491', '13954'];

/** A realistic GET /rest/api/3/field answer (Jira's documented shape). */
export const FIELD_LIST = [
  { id: 'summary', key: 'summary', name: 'Summary', custom: false, orderable: true, navigable: true, searchable: true,
    clauseNames: ['summary'], schema: { type: 'string', system: 'summary' } },
  { id: 'status', key: 'status', name: 'Status', custom: false, orderable: false, navigable: true, searchable: true,
    clauseNames: ['status'], schema: { type: 'status', system: 'status' } },
  { id: 'customfield_10020', key: 'customfield_10020', name: 'Sprint', untranslatedName: 'Sprint', custom: true,
    orderable: true, navigable: true, searchable: true, clauseNames: ['cf[10020]', 'Sprint'],
    schema: { type: 'array', items: 'json', custom: 'com.pyxis.greenhopper.jira:gh-sprint', customId: 10020 } },
  { id: 'customfield_10014', key: 'customfield_10014', name: 'Epic Link', custom: true, orderable: true,
    navigable: true, searchable: true, clauseNames: ['cf[10014]', 'Epic Link'],
    schema: { type: 'any', custom: 'com.pyxis.greenhopper.jira:gh-epic-link', customId: 10014 } },
  { id: 'customfield_10030', key: 'customfield_10030', name: 'Estimate (days)', custom: true, orderable: true,
    navigable: true, searchable: true, clauseNames: ['cf[10030]'],
    schema: { type: 'number', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float', customId: 10030 } },
  { id: 'customfield_10016', key: 'customfield_10016', name: 'Story point estimate', custom: true, orderable: true,
    navigable: true, searchable: true, clauseNames: ['cf[10016]', 'Story point estimate'],
    schema: { type: 'number', custom: 'com.pyxis.greenhopper.jira:jsw-story-points', customId: 10016 } },
  { id: 'customfield_10021', key: 'customfield_10021', name: 'Flagged', untranslatedName: 'Flagged', custom: true,
    orderable: true, navigable: true, searchable: true, clauseNames: ['cf[10021]', 'Flagged'],
    schema: { type: 'array', items: 'option',
      custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes', customId: 10021 } },
  { id: 'customfield_10040', key: 'customfield_10040', name: 'Checklist', custom: true, orderable: true,
    navigable: true, searchable: true, clauseNames: ['cf[10040]'],
    schema: { type: 'array', items: 'option',
      custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes', customId: 10040 } },
  { id: 'customfield_10026', key: 'customfield_10026', name: 'Story Points', untranslatedName: 'Story Points',
    custom: true, orderable: true, navigable: true, searchable: true, clauseNames: ['cf[10026]', 'Story Points'],
    schema: { type: 'number', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:float', customId: 10026 } },
];

/**
 * The issues the fake Jira serves: the real search page, plus one issue per
 * real changelog file whose embedded changelog is truncated to its newest
 * `embedded` histories (total = the file's total), as Jira does.
 */
export function siteIssues({ embedded = 20 } = {}) {
  const page = real('issues-with-changelog.json');
  const issues = page.issues.slice();
  const template = issues[0];
  CHANGELOG_ISSUES.forEach((id, n) => {
    const full = real(`changelog-issue-${id}.json`);
    const histories = full.values.slice(-embedded).reverse();
    issues.push({
      ...template, id, key: `EE-${900 + n}`,
      fields: { ...template.fields, created: `2020-07-0${n + 1}T10:00:00.000+0800` },
      changelog: { startAt: 0, maxResults: histories.length, total: full.total, histories },
    });
  });
  return issues;
}

function response(status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    status, ok: status >= 200 && status < 300,
    headers: new Headers(headers),
    json: async () => JSON.parse(text),
    text: async () => text,
  };
}

/**
 * A fake requestJira over the real payloads.
 * @param {{issues?: object[], chunk?: number, changelogChunk?: number, throttleOnce?: string|null,
 *          count?: number|null, agile?: boolean}} [opts]
 *   chunk: issues per search page the fake serves; throttleOnce: a path
 *   prefix answered once with 429 + Retry-After: 7.
 * @returns {{requestJira: Function, calls: {path: string, query: URLSearchParams, method: string}[]}}
 */
export function fakeJira({ issues = siteIssues(), chunk = 10, changelogChunk = 40, throttleOnce = null,
  count = null, agile = true } = {}) {
  const calls = [];
  let throttled = false;
  async function requestJira(r, init = {}) {
    if (!r || typeof r.value !== 'string') throw new Error('requestJira: not a route');
    const url = new URL(r.value, 'https://example.atlassian.net');
    const path = url.pathname;
    const q = url.searchParams;
    const method = init.method || 'GET';
    calls.push({ path, query: q, method, body: init.body });
    if (throttleOnce && !throttled && path.startsWith(throttleOnce)) {
      throttled = true;
      return response(429, { errorMessages: ['Rate limit exceeded'] }, { 'Retry-After': '7' });
    }
    if (path === '/rest/api/3/field') return response(200, FIELD_LIST);
    if (path === '/rest/api/3/status') return response(200, real('statuses.json'));
    if (path === '/rest/api/3/project/search') {
      const values = real('projects.json');
      return response(200, { startAt: 0, maxResults: 50, total: values.length, isLast: true, values });
    }
    if (path === '/rest/agile/1.0/board') {
      if (!agile) return response(404, { errorMessages: ['Jira Software is not installed'] });
      const all = [{ id: 8, name: 'EE board', type: 'scrum' }, { id: 9, name: 'Kanban', type: 'kanban' }];
      const project = q.get('projectKeyOrId');
      return response(200, { startAt: 0, maxResults: 50, isLast: true,
        values: project === null || project === 'EE' ? all : [] });
    }
    // Board 8's configuration in the documented shape; board 9 is private.
    if (path === '/rest/agile/1.0/board/8/configuration') return response(200, { ...BOARD_CONFIGURATION, id: 8 });
    if (path === '/rest/agile/1.0/board/9/configuration') {
      return response(403, { errorMessages: ['You do not have permission to view this board'] });
    }
    if (path === '/rest/agile/1.0/board/8/sprint') return response(200, real('sprints.json'));
    const jqlProject = (jql) => (/project = "([A-Z0-9_]+)"/.exec(jql || '') || [])[1];
    const ofProject = (key) => issues.filter((i) => i.fields.project.key === key);
    if (path === '/rest/api/3/search/approximate-count' && method === 'POST') {
      const jql = JSON.parse(init.body).jql;
      return response(200, { count: count ?? ofProject(jqlProject(jql)).length });
    }
    if (path === '/rest/api/3/search/jql') {
      const all = ofProject(jqlProject(q.get('jql')));
      const start = Number(q.get('nextPageToken') ? q.get('nextPageToken').slice(1) : 0);
      const size = Math.min(chunk, Number(q.get('maxResults')));
      const slice = all.slice(start, start + size);
      const idOnly = q.get('fields') === 'id';
      const body = { issues: idOnly ? slice.map((i) => ({ id: i.id })) : slice };
      if (start + size < all.length) body.nextPageToken = `t${start + size}`;
      body.isLast = start + size >= all.length;
      return response(200, body);
    }
    const m = /^\/rest\/api\/3\/issue\/(\d+)\/changelog$/.exec(path);
    if (m && CHANGELOG_ISSUES.includes(m[1])) {
      const full = real(`changelog-issue-${m[1]}.json`);
      const startAt = Number(q.get('startAt') || 0);
      const size = Math.min(changelogChunk, Number(q.get('maxResults') || 100));
      const values = full.values.slice(startAt, startAt + size);
      return response(200, { self: full.self, maxResults: size, startAt, total: full.total,
        isLast: startAt + values.length >= full.total, values });
    }
    return response(404, { errorMessages: [`fake Jira: no ${method} ${path}`] });
  }
  return { requestJira, calls };
}

/**
 * A fake invokeRemote recording every call as {path, method, body}.
 * @param {{lastSuccessAt?: string|null, noReconcileRoute?: boolean, fail?: (call) => number|null}} [opts]
 *   noReconcileRoute: GET /forge/reconcile answers 404 (a backend without the route)
 */
export function fakeBackend({ lastSuccessAt = null, noReconcileRoute = false, fail = () => null } = {}) {
  const posts = [];
  async function invokeRemote(key, { path, method, body }) {
    const call = { key, path, method, body: body === undefined ? undefined : JSON.parse(body) };
    posts.push(call);
    const status = fail(call);
    if (status) return response(status, { error: { code: 'fake', message: 'fake failure' } });
    if (path === '/forge/reconcile' && method === 'GET') {
      return noReconcileRoute ? response(404, { error: { code: 'not_found', message: 'no route' } })
        : response(200, { lastSuccessAt });
    }
    return response(200, { ok: true });
  }
  return { invokeRemote, posts };
}

/** Everything the modules need, wired to the fakes; `sleeps` records waits. */
export function makeDeps(jiraOpts, backendOpts) {
  const jiraFake = fakeJira(jiraOpts);
  const backendFake = fakeBackend(backendOpts);
  const sleeps = [];
  const sleep = async (ms) => { sleeps.push(ms); };
  return {
    deps: {
      route,
      jira: createJira({ requestJira: jiraFake.requestJira, sleep }),
      backend: createBackend({ invokeRemote: backendFake.invokeRemote, sleep }),
      now: () => Date.parse('2026-11-29T04:00:00.000Z'),
      log: () => {},
    },
    jiraCalls: jiraFake.calls,
    posts: backendFake.posts,
    sleeps,
  };
}
