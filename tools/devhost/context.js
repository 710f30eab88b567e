/* context.js - maps a dev-host page URL to the Forge module context it stands for.
 *
 *   /project/PAY                  jira:projectPage of project PAY
 *   /issue/PAY-12                 jira:issuePanel of issue PAY-12 (project PAY)
 *   ?installation=de01            the installation (default de00; de01 = real DevLake data)
 *   ?projectId=10001              the project id in the token (default derived from the key)
 *   ?token=expired                sign tokens that expired an hour ago (to see the UI's message)
 */
import { installationAri } from './fit.js';

const PROJECT_RE = /^\/project\/([A-Z][A-Z0-9_]{0,29})\/?$/;
const ISSUE_RE = /^\/issue\/(([A-Z][A-Z0-9_]{0,29})-([0-9]{1,12}))\/?$/;

/** A stable numeric project id for a key (the backend scopes by key). */
function projectIdFor(key) {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) % 90000;
  return String(10000 + h);
}

/**
 * Parses a page URL (path + query, or an absolute URL). Returns null for
 * URLs that name no module; throws on a bad installation.
 */
export function contextFromPage(pageUrl) {
  const url = new URL(pageUrl, 'http://devhost.invalid');
  const q = url.searchParams;
  const installation = installationAri(q.get('installation') || 'de00');
  const expired = q.get('token') === 'expired';
  let m = PROJECT_RE.exec(url.pathname);
  if (m) {
    const projectKey = m[1];
    return { moduleType: 'jira:projectPage', installation, expired, projectKey, projectId: q.get('projectId') || projectIdFor(projectKey) };
  }
  m = ISSUE_RE.exec(url.pathname);
  if (m) {
    const projectKey = m[2];
    return {
      moduleType: 'jira:issuePanel', installation, expired, projectKey,
      projectId: q.get('projectId') || projectIdFor(projectKey),
      issueKey: m[1], issueId: q.get('issueId') || m[3],
    };
  }
  return null;
}

/** What @forge/bridge's view.getContext() would give the UI (the parts it uses). */
export function viewContext(ctx) {
  const extension = { project: { id: ctx.projectId, key: ctx.projectKey, type: 'software' } };
  if (ctx.issueKey) extension.issue = { id: ctx.issueId, key: ctx.issueKey, type: 'Story' };
  return {
    moduleKey: ctx.issueKey ? 'biq-issue-panel' : 'biq-project-page',
    extension: { type: ctx.moduleType, ...extension },
    siteUrl: 'https://example-flow.atlassian.net',
    environmentType: 'DEVELOPMENT',
  };
}
