// The site's catalogue: statuses, projects and sprints, fetched from Jira
// and posted to POST /forge/catalog. Sprints need Jira Software: a site
// without it (or a refusal of the agile API) gives an empty sprint list.
import { JiraError } from './jira.js';

/** Agile API pages (boards, sprints) are at most 50 long. */
const AGILE_PAGE_SIZE = 50;
/** Projects per page of /rest/api/3/project/search. */
const PROJECT_PAGE_SIZE = 50;
/** Guard against an endless paging loop (a misbehaving server). */
const MAX_PAGES = 1000;

/** Pages an offset-paged Jira list (`values`, `isLast`) into one array. */
async function pagedValues(jira, makeRoute, pageSize, what) {
  const out = [];
  for (let startAt = 0, n = 0; n < MAX_PAGES; n++) {
    const page = await jira.get(makeRoute(new URLSearchParams({ startAt: String(startAt), maxResults: String(pageSize) })), what);
    const values = page && Array.isArray(page.values) ? page.values : [];
    out.push(...values);
    startAt += values.length;
    if (page.isLast !== false || values.length === 0) break;
  }
  return out;
}

/**
 * Every project the app can see (GET /rest/api/3/project/search, paged).
 * @param {{jira: object, route: Function}} deps
 * @returns {Promise<object[]>} projects in Jira's shape
 * @throws {JiraError} when Jira refuses
 */
export function fetchProjects({ jira, route }) {
  return pagedValues(jira, (p) => route`/rest/api/3/project/search?${p}`, PROJECT_PAGE_SIZE,
    'GET /rest/api/3/project/search');
}

/**
 * Every sprint of every scrum board (boards, then each board's sprints),
 * deduplicated by sprint id. A 401/403/404 from the agile API (no Jira
 * Software) yields [] rather than failing the caller.
 * @param {{jira: object, route: Function}} deps
 * @returns {Promise<object[]>}
 * @throws {JiraError} for other refusals
 */
export async function fetchSprints({ jira, route }) {
  try {
    const boards = await pagedValues(jira, (p) => route`/rest/agile/1.0/board?${p}`, AGILE_PAGE_SIZE,
      'GET /rest/agile/1.0/board');
    const byId = new Map();
    for (const board of boards) {
      if (board.type && board.type !== 'scrum') continue;
      const sprints = await pagedValues(jira, (p) => route`/rest/agile/1.0/board/${String(board.id)}/sprint?${p}`,
        AGILE_PAGE_SIZE, `GET /rest/agile/1.0/board/${board.id}/sprint`);
      for (const s of sprints) byId.set(s.id, s);
    }
    return [...byId.values()];
  } catch (err) {
    if (err instanceof JiraError && [400, 401, 403, 404].includes(err.status)) return [];
    throw err;
  }
}

/**
 * Fetches statuses, projects and sprints and posts them to the backend.
 * @param {{jira: object, route: Function, backend: object}} deps
 * @returns {Promise<{projects: object[], answer: any}>} the projects (for the
 *   backfill to iterate) and the backend's answer
 * @throws {JiraError|BackendError}
 */
export async function syncCatalog(deps) {
  const statuses = await deps.jira.get(deps.route`/rest/api/3/status`, 'GET /rest/api/3/status');
  const projects = await fetchProjects(deps);
  const sprints = await fetchSprints(deps);
  const answer = await deps.backend.postCatalog({ statuses, sprints, projects });
  return { projects, answer };
}
