// Forge function entry points (manifest `modules.function` handlers): they
// bind the real @forge/api and @forge/events calls to handlers.js. No logic
// here, no module-level state: dependencies are built per invocation.
import { asApp, invokeRemote, route } from '@forge/api';
import { Queue } from '@forge/events';
import { BACKFILL_QUEUE_KEY } from './limits.js';
import { createJira } from './jira.js';
import { createBackend } from './backend.js';
import { handleInstalled, handleQueued, handleReconcile, handleRequests } from './handlers.js';

/**
 * The production dependencies.
 * @returns {{jira, backend, route, enqueue, log}}
 */
export function productionDeps() {
  const queue = new Queue({ key: BACKFILL_QUEUE_KEY });
  return {
    jira: createJira({ requestJira: (r, init) => asApp().requestJira(r, init) }),
    backend: createBackend({ invokeRemote }),
    route,
    enqueue: (body) => queue.push({ body }),
    log: (message) => console.warn(message),
  };
}

/** Trigger avi:forge:installed:app → register, then queue the backfill. */
export const onInstalled = (event) => handleInstalled(productionDeps(), event);
/** Queue consumer (biq-backfill) → continue or start a backfill. */
export const onBackfillQueued = (event) => handleQueued(productionDeps(), event);
/** Scheduled (fiveMinute) → queue the backfills asked for in the UI. */
export const pollBackfillRequests = () => handleRequests(productionDeps());
/** Scheduled (day) → the reconcile. */
export const runReconcile = () => handleReconcile(productionDeps());
