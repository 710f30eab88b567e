// The BottleneckIQ backend as seen from a Forge function: JSON posts to the
// remote's /forge/* routes through an injected `invokeRemote` (production:
// `invokeRemote` from @forge/api, remote key biq-backend). 429/502/503/504
// are retried with backoff; any other non-2xx is a BackendError.
import { BACKEND_RETRYABLE_STATUSES, REMOTE_KEY } from './limits.js';
import { withRetry } from './retry.js';

/** A backend answer that was not 2xx (after retries). */
export class BackendError extends Error {
  constructor(what, status, body) {
    super(`${what}: backend answered ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
    this.name = 'BackendError';
    this.status = status;
  }
}

/**
 * Builds the backend client.
 * @param {{invokeRemote: Function, sleep?: Function, remoteKey?: string}} deps
 * @returns {object} one method per /forge route; each resolves to the parsed
 *   JSON answer (or null for an empty body) and throws BackendError on a
 *   non-2xx answer.
 */
export function createBackend({ invokeRemote, sleep, remoteKey = REMOTE_KEY }) {
  async function send(method, path, body) {
    const what = `${method} ${path}`;
    const init = { path, method, headers: { 'Content-Type': 'application/json', Accept: 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await withRetry(() => invokeRemote(remoteKey, init),
      { sleep, what, statuses: BACKEND_RETRYABLE_STATUSES });
    const text = typeof response.text === 'function' ? await response.text() : '';
    if (response.status < 200 || response.status > 299) throw new BackendError(what, response.status, text);
    return text ? JSON.parse(text) : null;
  }
  const enc = encodeURIComponent;
  return {
    /** POST /forge/backfill/{key}: {"total", "fields": {"storyPoints","sprint","flagged"}}. */
    startBackfill: (projectKey, total, fields) =>
      send('POST', `/forge/backfill/${enc(projectKey)}`, { total, fields }),
    /** POST /forge/backfill/{key}/page: one search page as Jira returned it. */
    postPage: (projectKey, page) => send('POST', `/forge/backfill/${enc(projectKey)}/page`, page),
    /** POST /forge/issues/{id}/changelog: one changelog page as Jira returned it. */
    postChangelog: (issueId, page) => send('POST', `/forge/issues/${enc(issueId)}/changelog`, page),
    /**
     * POST /forge/register: the installed event, forwarded unchanged. A
     * function's token may only register an installation; the lifecycle
     * and uninstall routes answer the platform's own endpoints alone.
     */
    register: (event) => send('POST', '/forge/register', event),
    /** POST /forge/boards/{key}: {"boards": [configuration]} replaces the project's boards. */
    postBoards: (projectKey, boards) => send('POST', `/forge/boards/${enc(projectKey)}`, { boards }),
    /** POST /forge/catalog: {"statuses","sprints","projects"}. */
    postCatalog: (catalog) => send('POST', '/forge/catalog', catalog),
    /**
     * GET /forge/backfill/requests: {"projects": ["KEY", ...]} asked for from
     * the UI (route proposed, see README). A 404 (a backend without the
     * route) means none; other failures throw.
     */
    pendingBackfills: async () => {
      try {
        const answer = await send('GET', '/forge/backfill/requests');
        return answer && Array.isArray(answer.projects) ? answer.projects.filter((k) => typeof k === 'string') : [];
      } catch (err) {
        if (err instanceof BackendError && err.status === 404) return [];
        throw err;
      }
    },
    /**
     * GET /forge/reconcile: {"lastSuccessAt": ISO|null} (route proposed, see
     * README). A 404 (a backend without the route) reads as no success yet.
     */
    getReconcileState: async () => {
      try {
        return (await send('GET', '/forge/reconcile')) || { lastSuccessAt: null };
      } catch (err) {
        if (err instanceof BackendError && err.status === 404) return { lastSuccessAt: null };
        throw err;
      }
    },
    /** POST /forge/reconcile: records a finished run (route proposed, see README). */
    recordReconcile: (run) => send('POST', '/forge/reconcile', run),
    /** POST /forge/reconcile/{key}/ids: every id Jira still has (route proposed). */
    postProjectIds: (projectKey, ids) => send('POST', `/forge/reconcile/${enc(projectKey)}/ids`, { ids }),
  };
}
