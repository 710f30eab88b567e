// Completion of truncated embedded changelogs: an issue whose
// changelog.total exceeds the histories present gets its full history paged
// from GET /rest/api/3/issue/{id}/changelog.
import { CHANGELOG_PAGE_SIZE } from './limits.js';

/**
 * True when the issue's embedded changelog is truncated.
 * @param {object} issue an issue of a search page (expand=changelog)
 * @returns {boolean}
 */
export function isTruncated(issue) {
  const c = issue && issue.changelog;
  if (!c || !Array.isArray(c.histories)) return false;
  return Number.isInteger(c.total) && c.total > c.histories.length;
}

/**
 * Yields every page of an issue's changelog, unchanged, oldest first.
 * Stops on isLast, on an empty page, or once startAt reaches total.
 * @param {{jira: object, route: Function}} deps
 * @param {string} issueId
 * @returns {AsyncGenerator<object>}
 * @throws {JiraError|Error} from the client; a page without values[] is an Error
 */
export async function* changelogPages({ jira, route }, issueId) {
  let startAt = 0;
  for (;;) {
    const params = new URLSearchParams({ startAt: String(startAt), maxResults: String(CHANGELOG_PAGE_SIZE) });
    const page = await jira.get(route`/rest/api/3/issue/${issueId}/changelog?${params}`,
      `GET /rest/api/3/issue/${issueId}/changelog`);
    if (!page || !Array.isArray(page.values)) throw new Error(`changelog of ${issueId}: answer has no values[]`);
    yield page;
    startAt += page.values.length;
    const total = Number.isInteger(page.total) ? page.total : Infinity;
    if (page.isLast === true || page.values.length === 0 || startAt >= total) return;
  }
}
