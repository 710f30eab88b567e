// The historical backfill: for each project, the expected total (approximate
// count), POST /forge/backfill/{key}, then every search page oldest first
// (expand=changelog, only the kept fields) posted unchanged, each followed by
// the full changelog pages of its truncated issues. Stops at the cap, and
// pauses at a deadline with a continuation the next invocation resumes from.
import { DEFAULT_ISSUE_CAP, ISSUE_FIELDS } from './limits.js';
import { approximateCount, projectJql, searchPages } from './search.js';
import { changelogPages, isTruncated } from './changelog.js';
import { fetchFieldIds } from './fields.js';
import { syncCatalog } from './catalog.js';
import { syncBoards } from './boards.js';

/** The fields to request: the kept ones plus the site's custom field ids. */
export function searchFields(fieldIds) {
  return [...ISSUE_FIELDS, ...[fieldIds.storyPoints, fieldIds.sprint, fieldIds.flagged].filter(Boolean)];
}

/** Backfill search order: oldest first, ties broken by key. */
export function backfillJql(projectKey) {
  return `${projectJql(projectKey)} ORDER BY created ASC, key ASC`;
}

/**
 * Posts the full changelog of every truncated issue on a page.
 * @returns {Promise<number>} changelog pages posted
 */
async function completeChangelogs(deps, issues) {
  let posted = 0;
  for (const issue of issues) {
    if (!isTruncated(issue)) continue;
    for await (const page of changelogPages(deps, issue.id)) {
      await deps.backend.postChangelog(issue.id, page);
      posted++;
    }
  }
  return posted;
}

/**
 * Streams search pages of `jql` to POST /forge/backfill/{key}/page, completing
 * truncated changelogs after each page, until the pages end, `cap` issues were
 * sent (the last page is cut to the cap; otherwise pages go unchanged), or
 * `deadline` (ms since epoch, read with deps.now) has passed after a page.
 * @param {{jira, route, backend, now?}} deps
 * @param {{projectKey: string, jql: string, fieldIds: object, cap: number,
 *          startToken?: string, deadline?: number}} opts
 * @returns {Promise<{issues: number, pages: number, changelogPages: number, capped: boolean,
 *          nextPageToken: string|null}>} nextPageToken is set when paused at the deadline
 * @throws {JiraError|BackendError} on the first failed call (nothing is skipped silently)
 */
export async function streamPages(deps, { projectKey, jql, fieldIds, cap, startToken, deadline = Infinity }) {
  const now = deps.now || Date.now;
  const result = { issues: 0, pages: 0, changelogPages: 0, capped: false, nextPageToken: null };
  if (cap <= 0) return { ...result, capped: true };
  const query = { jql, fields: searchFields(fieldIds), expand: 'changelog', startToken };
  for await (const page of searchPages(deps, query)) {
    const room = cap - result.issues;
    const out = page.issues.length > room ? { ...page, issues: page.issues.slice(0, room) } : page;
    if (out.issues.length === 0) break;
    await deps.backend.postPage(projectKey, out);
    result.pages++;
    result.issues += out.issues.length;
    result.changelogPages += await completeChangelogs(deps, out.issues);
    if (result.issues >= cap) { result.capped = true; break; }
    if (now() >= deadline && page.nextPageToken && page.isLast !== true) {
      result.nextPageToken = page.nextPageToken;
      break;
    }
  }
  return result;
}

/**
 * Backfills one project: approximate count, start, its boards, pages oldest first; or,
 * given `resumeToken`, continues an earlier run's search without a new start.
 * @param {{jira, route, backend, now?}} deps
 * @param {{projectKey: string, fieldIds: {storyPoints, sprint}, cap?: number,
 *          resumeToken?: string, deadline?: number}} opts
 * @returns {Promise<{projectKey, total, issues, pages, changelogPages, capped, nextPageToken}>}
 *   total is null when resuming
 * @throws {JiraError|BackendError} on the first failed call
 */
export async function backfillProject(deps, { projectKey, fieldIds, cap = DEFAULT_ISSUE_CAP, resumeToken, deadline }) {
  let total = null;
  if (!resumeToken) {
    total = Math.min(await approximateCount(deps, projectJql(projectKey)), cap);
    await deps.backend.startBackfill(projectKey, total, fieldIds);
    await syncBoards(deps, projectKey);
  }
  const run = await streamPages(deps, {
    projectKey, jql: backfillJql(projectKey), fieldIds, cap, startToken: resumeToken, deadline,
  });
  return { projectKey, total, ...run };
}

/**
 * The whole backfill: field discovery, the catalogue, then each project (or
 * only `projectKeys`) in turn, sharing one cap across the run. A project that
 * fails is reported and the next one still runs. At `deadline` the run stops
 * after a page and returns a `continuation`; passing it back resumes there
 * (skipping discovery and the catalogue).
 * @param {{jira, route, backend, now?, log?}} deps
 * @param {{cap?: number, projectKeys?: string[], deadline?: number,
 *          continuation?: {projectKeys: string[], nextPageToken: string|null, left: number, fieldIds: object}}} [opts]
 *   (nextPageToken null: the first project starts afresh)
 * @returns {Promise<{fieldIds, projects: object[], failed: {projectKey, error}[], capped: boolean,
 *          continuation: object|null}>}
 * @throws {JiraError|BackendError} when field discovery or the catalogue fails
 */
export async function backfillAll(deps, { cap = DEFAULT_ISSUE_CAP, projectKeys, deadline, continuation } = {}) {
  let fieldIds; let keys; let left; let resumeToken;
  if (continuation) {
    ({ fieldIds, left } = continuation);
    keys = continuation.projectKeys;
    resumeToken = continuation.nextPageToken || undefined;
  } else {
    fieldIds = await fetchFieldIds(deps);
    const { projects } = await syncCatalog(deps);
    keys = projectKeys || projects.map((p) => p.key);
    left = cap;
  }
  const out = { fieldIds, projects: [], failed: [], capped: false, continuation: null };
  const now = deps.now || Date.now;
  for (let i = 0; i < keys.length; i++) {
    const projectKey = keys[i];
    if (left <= 0) { out.capped = true; break; }
    if (i > 0 && deadline !== undefined && now() >= deadline) {
      out.continuation = { projectKeys: keys.slice(i), nextPageToken: null, left, fieldIds };
      break;
    }
    try {
      const r = await backfillProject(deps, { projectKey, fieldIds, cap: left, resumeToken, deadline });
      out.projects.push(r);
      left -= r.issues;
      if (r.capped) out.capped = true;
      if (r.nextPageToken) {
        out.continuation = { projectKeys: keys.slice(i), nextPageToken: r.nextPageToken, left, fieldIds };
        break;
      }
    } catch (err) {
      if (deps.log) deps.log(`backfill of ${projectKey} failed: ${err.message}`);
      out.failed.push({ projectKey, error: err.message });
    }
    resumeToken = undefined;
  }
  return out;
}
