// Paging of GET /rest/api/3/search/jql by nextPageToken, and the expected
// total from POST /rest/api/3/search/approximate-count.
import { SEARCH_PAGE_SIZE } from './limits.js';

/**
 * Yields the search pages, unchanged, until Jira says isLast or gives no token.
 * @param {{jira: object, route: Function}} deps
 * @param {{jql: string, fields: string[], expand?: string, pageSize?: number, startToken?: string}} query
 *   startToken resumes a search where an earlier run stopped
 * @returns {AsyncGenerator<object>} each page as Jira returned it
 * @throws {JiraError|Error} from the Jira client; a page without `issues[]` is an Error
 */
export async function* searchPages({ jira, route }, { jql, fields, expand, pageSize = SEARCH_PAGE_SIZE, startToken }) {
  let token = startToken;
  for (;;) {
    const params = new URLSearchParams({ jql, maxResults: String(pageSize), fields: fields.join(',') });
    if (expand) params.set('expand', expand);
    if (token) params.set('nextPageToken', token);
    const page = await jira.get(route`/rest/api/3/search/jql?${params}`, 'GET /rest/api/3/search/jql');
    if (!page || !Array.isArray(page.issues)) throw new Error('GET /rest/api/3/search/jql: answer has no issues[]');
    yield page;
    token = page.nextPageToken;
    if (page.isLast === true || !token || page.issues.length === 0) return;
  }
}

/**
 * The approximate number of issues a JQL matches.
 * @param {{jira: object, route: Function}} deps
 * @param {string} jql without ORDER BY (Jira refuses ordering here)
 * @returns {Promise<number>} the count (0 when Jira gives none)
 * @throws {JiraError} when Jira refuses the call
 */
export async function approximateCount({ jira, route }, jql) {
  const answer = await jira.post(route`/rest/api/3/search/approximate-count`, { jql },
    'POST /rest/api/3/search/approximate-count');
  return Number.isInteger(answer && answer.count) ? answer.count : 0;
}

/** JQL for one project, optionally with an extra clause (no ordering). */
export function projectJql(projectKey, extra) {
  const base = `project = "${String(projectKey).replace(/["\\]/g, '')}"`;
  return extra ? `${base} AND ${extra}` : base;
}
