// A project's boards (issue #15): GET /rest/agile/1.0/board?projectKeyOrId=KEY,
// then each board's GET /rest/agile/1.0/board/{id}/configuration, posted to
// POST /forge/boards/{key}. Only what frames the flow leaves Jira's answer:
// id, name, type and the columns (name, status ids, min/max); filters,
// sub-queries, ranking and estimation stay behind.
import { JiraError } from './jira.js';
import { AGILE_PAGE_SIZE, MAX_BOARDS_PER_PROJECT } from './limits.js';

/** Guard against an endless paging loop (a misbehaving server). */
const MAX_PAGES = 100;

/**
 * The configuration as the backend reads it (src/ingest/board.c).
 * @param {object} config Jira's configuration answer
 * @returns {object}
 */
export function minimalBoard(config) {
  const columns = (config.columnConfig && Array.isArray(config.columnConfig.columns))
    ? config.columnConfig.columns : [];
  return {
    id: config.id,
    name: config.name,
    type: config.type,
    columnConfig: {
      columns: columns.map((c) => {
        const col = { name: c.name, statuses: (c.statuses || []).map((s) => ({ id: s.id })) };
        if (c.min !== undefined && c.min !== null) col.min = c.min;
        if (c.max !== undefined && c.max !== null) col.max = c.max;
        return col;
      }),
    },
  };
}

async function boardList({ jira, route }, projectKey) {
  const out = [];
  for (let startAt = 0, n = 0; n < MAX_PAGES && out.length < MAX_BOARDS_PER_PROJECT; n++) {
    const q = new URLSearchParams({ projectKeyOrId: projectKey, startAt: String(startAt),
      maxResults: String(AGILE_PAGE_SIZE) });
    const page = await jira.get(route`/rest/agile/1.0/board?${q}`, 'GET /rest/agile/1.0/board');
    const values = page && Array.isArray(page.values) ? page.values : [];
    out.push(...values);
    startAt += values.length;
    if (page.isLast !== false || values.length === 0) break;
  }
  return out.slice(0, MAX_BOARDS_PER_PROJECT);
}

/**
 * The configurations of a project's boards, minimised.
 * @param {{jira: object, route: Function}} deps
 * @param {string} projectKey
 * @returns {Promise<object[]|null>} null when the agile API refuses the
 *   list (401/403/404: no Jira Software, or the scope is not granted yet),
 *   so that a refusal never empties the stored boards; a board whose
 *   configuration is refused (a private board) is left out
 * @throws {JiraError} for other refusals
 */
export async function fetchProjectBoards(deps, projectKey) {
  let boards;
  try {
    boards = await boardList(deps, projectKey);
  } catch (err) {
    if (err instanceof JiraError && [400, 401, 403, 404].includes(err.status)) return null;
    throw err;
  }
  const out = [];
  for (const b of boards) {
    try {
      const config = await deps.jira.get(deps.route`/rest/agile/1.0/board/${String(b.id)}/configuration`,
        `GET /rest/agile/1.0/board/${b.id}/configuration`);
      out.push(minimalBoard({ ...config, type: config.type || b.type }));
    } catch (err) {
      if (!(err instanceof JiraError && [401, 403, 404].includes(err.status))) throw err;
    }
  }
  return out;
}

/**
 * Reads the project's boards and posts them. Never fails its caller: the
 * backfill and the reconcile go on without boards (the flow then orders
 * statuses by transitions); the problem is logged.
 * @param {{jira, route, backend, log?}} deps
 * @param {string} projectKey
 * @returns {Promise<number|null>} boards posted, null when none were posted
 */
export async function syncBoards(deps, projectKey) {
  try {
    const boards = await fetchProjectBoards(deps, projectKey);
    if (boards === null) return null;
    await deps.backend.postBoards(projectKey, boards);
    return boards.length;
  } catch (err) {
    if (deps.log) deps.log(`boards of ${projectKey} not synced: ${err.message}`);
    return null;
  }
}
