// What each Forge function does, with every dependency passed in (Jira,
// backend, clock, queue) so tests drive them with fakes. index.js binds them
// to @forge/api and @forge/events.
import { FUNCTION_BUDGET_MS } from './limits.js';
import { backfillAll } from './backfill.js';
import { reconcile } from './reconcile.js';

/** Summary of a backfill run, small enough to log. */
function summary(r) {
  return {
    projects: r.projects.map((p) => ({ key: p.projectKey, total: p.total, issues: p.issues, capped: p.capped })),
    failed: r.failed, capped: r.capped, continued: r.continuation !== null,
  };
}

/**
 * Runs backfill work for at most FUNCTION_BUDGET_MS; unfinished work is
 * pushed to the queue as a continuation (deps.enqueue) for the consumer.
 * @param {{jira, route, backend, now?, enqueue: (body: object) => Promise<any>}} deps
 * @param {{projectKeys?: string[], continuation?: object, cap?: number}} [opts]
 * @returns {Promise<object>} a summary
 * @throws {JiraError|BackendError} when discovery/catalogue or the enqueue fails
 */
export async function runBackfillSlice(deps, opts = {}) {
  const now = deps.now || Date.now;
  const r = await backfillAll(deps, { ...opts, deadline: now() + FUNCTION_BUDGET_MS });
  if (r.continuation) await deps.enqueue({ continuation: r.continuation });
  return summary(r);
}

/**
 * avi:forge:installed:app: registers the installation with the backend (so
 * the backfill finds its tenant even if the endpoint trigger is late), then
 * queues the backfill of every project. A trigger function may run only 25 s
 * (Forge invocation limits: 900 s only for consumer/scheduled functions), so
 * the work itself happens in the queue consumer.
 * @param {object} deps as for runBackfillSlice
 * @param {object} event the lifecycle event, forwarded unchanged
 * @returns {Promise<{queued: object}>}
 * @throws when registration or the enqueue fails (the platform retries the trigger)
 */
export async function handleInstalled(deps, event) {
  await deps.backend.register(event);
  const body = { allProjects: true };
  await deps.enqueue(body);
  return { queued: body };
}

/**
 * Queue consumer: `event.body` is {continuation}, {projectKeys} or {allProjects: true}.
 * @param {object} deps as for runBackfillSlice
 * @param {{body?: object}} event the async event
 * @returns {Promise<object>} a summary
 * @throws {Error} for a body of none of these shapes
 */
export async function handleQueued(deps, event) {
  const body = (event && event.body) || {};
  if (body.continuation) return runBackfillSlice(deps, { continuation: body.continuation });
  if (Array.isArray(body.projectKeys)) return runBackfillSlice(deps, { projectKeys: body.projectKeys });
  if (body.allProjects === true) return runBackfillSlice(deps);
  throw new Error('backfill queue: body has no continuation, projectKeys or allProjects');
}

/**
 * Scheduled poll for backfills asked for in the UI (POST
 * /api/v1/projects/{key}/backfill on the backend): queues them, if any.
 * @param {object} deps as for runBackfillSlice
 * @returns {Promise<{requested: string[]}>}
 * @throws {BackendError} when the backend fails (other than 404), or the enqueue fails
 */
export async function handleRequests(deps) {
  const projectKeys = await deps.backend.pendingBackfills();
  if (projectKeys.length > 0) await deps.enqueue({ projectKeys });
  return { requested: projectKeys };
}

/**
 * Daily scheduled reconcile, bounded by the function budget.
 * @param {object} deps
 * @returns {Promise<object>} the reconcile summary
 */
export async function handleReconcile(deps) {
  const now = deps.now || Date.now;
  const r = await reconcile(deps, { deadline: now() + FUNCTION_BUDGET_MS });
  return { since: r.since, failed: r.failed, recorded: r.recorded };
}
