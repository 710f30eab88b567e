// Named limits and identifiers shared by the BottleneckIQ Forge functions.
// One place to read (and tune) every bound the functions respect.

/** Key of the remote declared in manifest.yml (`remotes[].key`). */
export const REMOTE_KEY = 'biq-backend';

/** Issues per search page (product.md: "in pages of 100"). */
export const SEARCH_PAGE_SIZE = 100;

/** Histories per page of GET /rest/api/3/issue/{id}/changelog (Jira's maximum). */
export const CHANGELOG_PAGE_SIZE = 100;

/** Issues per backfill run unless the caller sets another cap (product.md). */
export const DEFAULT_ISSUE_CAP = 50000;

/** Issues per daily reconcile run. */
export const DEFAULT_RECONCILE_CAP = 50000;

/** Ids per page when listing a project's issue ids for deletion detection
 * (search/jql allows up to 5000 when only `id` is requested). */
export const ID_PAGE_SIZE = 5000;

/** Retries after a 429/503 before a request is given up. */
export const MAX_RETRIES = 6;

/** First backoff when no Retry-After is given; doubled on each retry. */
export const BACKOFF_BASE_MS = 1000;

/** Upper bound of any single wait, Retry-After included. */
export const BACKOFF_CAP_MS = 60000;

/** HTTP statuses worth retrying (rate limit, temporarily unavailable). */
export const RETRYABLE_STATUSES = Object.freeze([429, 503]);

/** The backend's retryable answers: also gateway errors in front of it
 * (a 500 is a bug or a refused write, not retried). */
export const BACKEND_RETRYABLE_STATUSES = Object.freeze([429, 502, 503, 504]);

/** Issue fields the backend keeps (api.md "What is kept"); custom field ids
 * for story points and sprint are added per site. */
export const ISSUE_FIELDS = Object.freeze([
  'summary', 'status', 'issuetype', 'priority', 'project', 'assignee',
  'created', 'updated', 'resolutiondate', 'security',
  // Issue #15: filters (resolution, labels, sub-tasks) and blocked time.
  'resolution', 'labels', 'parent', 'issuelinks',
]);

/** Schema markers used to find the per-site custom field ids. */
export const SPRINT_FIELD_SCHEMA = 'com.pyxis.greenhopper.jira:gh-sprint';
export const STORY_POINTS_FIELD_SCHEMA = 'com.atlassian.jira.plugin.system.customfieldtypes:float';
export const STORY_POINTS_FIELD_NAMES = Object.freeze(['Story Points', 'Story point estimate']);
/** The Flagged (impediment) field: a multi-checkbox custom field by this name. */
export const FLAGGED_FIELD_SCHEMA = 'com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes';
export const FLAGGED_FIELD_NAME = 'Flagged';

/** Agile API pages (boards) are at most 50 long. */
export const AGILE_PAGE_SIZE = 50;
/** Boards read per project: the backend's BIQ_INGEST_BOARDS_MAX. */
export const MAX_BOARDS_PER_PROJECT = 50;

/** Wall-clock budget of one function run; Forge stops functions at
 * timeoutSeconds (900 at most): leave room to enqueue the continuation. */
export const FUNCTION_BUDGET_MS = 12 * 60 * 1000;

/** Key of the async-events queue that carries backfill continuations. */
export const BACKFILL_QUEUE_KEY = 'biq-backfill';
