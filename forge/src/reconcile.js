// The daily reconcile: re-reads every issue updated since the last successful
// reconcile (timestamp kept by the backend: GET/POST /forge/reconcile) and
// posts the pages like backfill pages; then lists each project's issue ids
// and posts them so the backend can tombstone the ids Jira no longer has.
import { DEFAULT_RECONCILE_CAP, ID_PAGE_SIZE } from './limits.js';
import { projectJql, searchPages } from './search.js';
import { streamPages } from './backfill.js';
import { fetchFieldIds } from './fields.js';
import { syncCatalog } from './catalog.js';
import { syncBoards } from './boards.js';

/** Re-read a little before the last success: clocks and indexing lag. */
export const RECONCILE_OVERLAP_MINUTES = 15;
/** Without a recorded success, look back one day. */
export const FIRST_RUN_LOOKBACK_MINUTES = 24 * 60;

/**
 * Minutes to look back, as a relative JQL duration avoids the time-zone
 * ambiguity of absolute JQL dates (they are read in the app user's zone).
 * @param {string|null} lastSuccessAt ISO instant or null
 * @param {number} nowMs
 * @returns {number} whole minutes, at least the overlap
 */
export function lookbackMinutes(lastSuccessAt, nowMs) {
  const last = lastSuccessAt ? Date.parse(lastSuccessAt) : NaN;
  if (Number.isNaN(last)) return FIRST_RUN_LOOKBACK_MINUTES + RECONCILE_OVERLAP_MINUTES;
  return Math.max(0, Math.ceil((nowMs - last) / 60000)) + RECONCILE_OVERLAP_MINUTES;
}

/**
 * Every issue id of a project Jira still returns (fields=id, large pages).
 * @returns {Promise<string[]>}
 */
export async function projectIssueIds(deps, projectKey) {
  const ids = [];
  const jql = `${projectJql(projectKey)} ORDER BY key ASC`;
  for await (const page of searchPages(deps, { jql, fields: ['id'], pageSize: ID_PAGE_SIZE })) {
    for (const issue of page.issues) ids.push(String(issue.id));
  }
  return ids;
}

/**
 * One reconcile run over every project (or `projectKeys`). Records success
 * with the backend only when every project went through, so a failed run is
 * covered by the next one's look-back.
 * @param {{jira, route, backend, now?: () => number, log?}} deps
 * @param {{cap?: number, projectKeys?: string[], deadline?: number}} [opts] a run that reaches
 *   the cap or the deadline (ms since epoch) is not recorded as a success
 * @returns {Promise<{since, projects: object[], failed: object[], recorded: boolean}>}
 * @throws {JiraError|BackendError} when the state, fields or catalogue calls fail
 */
export async function reconcile(deps, { cap = DEFAULT_RECONCILE_CAP, projectKeys, deadline } = {}) {
  const now = deps.now || Date.now;
  const startedAt = new Date(now()).toISOString();
  const state = (await deps.backend.getReconcileState()) || {};
  const minutes = lookbackMinutes(state.lastSuccessAt || null, Date.parse(startedAt));
  const fieldIds = await fetchFieldIds(deps);
  const { projects } = await syncCatalog(deps);
  const keys = projectKeys || projects.map((p) => p.key);
  const out = { since: `-${minutes}m`, projects: [], failed: [], recorded: false };
  let left = cap;
  for (const projectKey of keys) {
    try {
      await syncBoards(deps, projectKey); // board columns change without issue events
      const jql = `${projectJql(projectKey, `updated >= -${minutes}m`)} ORDER BY updated ASC, key ASC`;
      const run = await streamPages(deps, { projectKey, jql, fieldIds, cap: left, deadline });
      left -= run.issues;
      if (run.nextPageToken) throw new Error('out of time before the last page');
      const ids = await projectIssueIds(deps, projectKey);
      const answer = await deps.backend.postProjectIds(projectKey, ids);
      out.projects.push({ projectKey, ...run, ids: ids.length, answer });
    } catch (err) {
      if (deps.log) deps.log(`reconcile of ${projectKey} failed: ${err.message}`);
      out.failed.push({ projectKey, error: err.message });
    }
  }
  if (out.failed.length === 0 && left > 0) {
    await deps.backend.recordReconcile({
      startedAt, finishedAt: new Date(now()).toISOString(),
      projects: out.projects.map((p) => p.projectKey),
      issues: out.projects.reduce((n, p) => n + p.issues, 0),
    });
    out.recorded = true;
  }
  return out;
}
