// Discovery of the per-site custom field ids for story points, sprint and
// the Flagged (impediment) field,
// from the list GET /rest/api/3/field returns.
import {
  FLAGGED_FIELD_NAME, FLAGGED_FIELD_SCHEMA, SPRINT_FIELD_SCHEMA, STORY_POINTS_FIELD_NAMES,
  STORY_POINTS_FIELD_SCHEMA,
} from './limits.js';

/** Team-managed projects' "Story point estimate" uses this schema on real sites. */
const JSW_STORY_POINTS_SCHEMA = 'com.pyxis.greenhopper.jira:jsw-story-points';
const CUSTOM_ID = /^customfield_\d+$/;

/**
 * Picks the Sprint and story-points field ids.
 * Sprint: the first custom field whose schema.custom is gh-sprint.
 * Story points: a custom field named "Story Points" (preferred) or
 * "Story point estimate" whose schema.custom is the float type (or, for
 * the latter, jsw-story-points). Flagged: the custom field named "Flagged"
 * whose schema.custom is multicheckboxes. Ids not of the form
 * customfield_<digits> are ignored (the backend refuses them).
 * @param {Array<object>} fieldList the /rest/api/3/field answer
 * @returns {{storyPoints: string|null, sprint: string|null, flagged: string|null}} null when absent
 * @throws {TypeError} when fieldList is not an array
 */
export function discoverFields(fieldList) {
  if (!Array.isArray(fieldList)) throw new TypeError('GET /rest/api/3/field: expected an array');
  const custom = fieldList.filter((f) => f && typeof f.id === 'string' && CUSTOM_ID.test(f.id) && f.schema);
  const sprint = custom.find((f) => f.schema.custom === SPRINT_FIELD_SCHEMA);
  let storyPoints = null;
  for (const name of STORY_POINTS_FIELD_NAMES) {
    const hit = custom.find((f) => f.name === name &&
      (f.schema.custom === STORY_POINTS_FIELD_SCHEMA || f.schema.custom === JSW_STORY_POINTS_SCHEMA));
    if (hit) { storyPoints = hit.id; break; }
  }
  const flagged = custom.find((f) => f.name === FLAGGED_FIELD_NAME && f.schema.custom === FLAGGED_FIELD_SCHEMA);
  return { storyPoints, sprint: sprint ? sprint.id : null, flagged: flagged ? flagged.id : null };
}

/**
 * Fetches GET /rest/api/3/field and discovers the ids.
 * @param {{jira: object, route: Function}} deps
 * @returns {Promise<{storyPoints: string|null, sprint: string|null, flagged: string|null}>}
 * @throws {JiraError} when Jira refuses the call
 */
export async function fetchFieldIds({ jira, route }) {
  return discoverFields(await jira.get(route`/rest/api/3/field`, 'GET /rest/api/3/field'));
}
