/* context.js - maps a dev-host page URL to the Forge module context it stands for.
 *
 *   /project/PAY                  jira:projectPage of project PAY (biq-project-page)
 *   /project/PAY/settings         jira:projectSettingsPage of PAY (biq-project-settings)
 *   /issue/PAY-12                 jira:issuePanel of issue PAY-12 (project PAY)
 *   /admin                        jira:adminPage (biq-admin-page): no project
 *   ?installation=de01            the installation (default de00; de01 = real DevLake data)
 *   ?projectId=10001              the project id in the token (default derived from the key)
 *   ?token=expired                sign tokens that expired an hour ago (to see the UI's message)
 *   ?as=biq-project-page          sign the calls as another module than the page shows (to see
 *                                 what the backend answers a token of the wrong class);
 *                                 with ?project=KEY for a project-scoped module on /admin
 */
import { installationAri, MODULES } from './fit.js';

const KEY = '([A-Z][A-Z0-9_]{0,29})';
const PROJECT_RE = new RegExp(`^/project/${KEY}/?$`);
const SETTINGS_RE = new RegExp(`^/project/${KEY}/settings/?$`);
const ISSUE_RE = new RegExp(`^/issue/(${KEY}-([0-9]{1,12}))/?$`);
const ADMIN_RE = /^\/admin\/?$/;
const KEY_ONLY = new RegExp(`^${KEY}$`);

/** A stable numeric project id for a key (the backend scopes by key). */
function projectIdFor(key) {
  let h = 0;
  for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) % 90000;
  return String(10000 + h);
}

const byKey = (key) => Object.values(MODULES).find((m) => m.key === key);

/**
 * Parses a page URL (path + query, or an absolute URL). Returns null for
 * URLs that name no module; throws on a bad installation or ?as=.
 * The result: {module: {type, key}, installation, expired, projectKey?,
 * projectId?, issueKey?, issueId?, tokenModule?}.
 */
export function contextFromPage(pageUrl) {
  const url = new URL(pageUrl, 'http://devhost.invalid');
  const q = url.searchParams;
  const installation = installationAri(q.get('installation') || 'de00');
  const expired = q.get('token') === 'expired';
  const project = (projectKey) => ({ projectKey, projectId: q.get('projectId') || projectIdFor(projectKey) });
  let ctx = null;
  let m;
  if ((m = PROJECT_RE.exec(url.pathname))) ctx = { module: MODULES.projectPage, ...project(m[1]) };
  else if ((m = SETTINGS_RE.exec(url.pathname))) ctx = { module: MODULES.projectSettingsPage, ...project(m[1]) };
  else if ((m = ISSUE_RE.exec(url.pathname))) ctx = { module: MODULES.issuePanel, ...project(m[2]), issueKey: m[1], issueId: q.get('issueId') || m[3] };
  else if (ADMIN_RE.test(url.pathname)) ctx = { module: MODULES.adminPage };
  if (!ctx) return null;
  ctx.moduleType = ctx.module.type; // kept for older callers
  ctx.installation = installation;
  ctx.expired = expired;
  const as = q.get('as');
  if (as) {
    const tm = byKey(as);
    if (!tm) throw new Error(`as: "${as}" is not one of ${Object.values(MODULES).map((x) => x.key).join(', ')}`);
    ctx.tokenModule = tm;
    const pk = q.get('project');
    if (pk !== null && !KEY_ONLY.test(pk)) throw new Error(`project: "${pk}" is not a project key`);
    if (pk) Object.assign(ctx, project(pk));
  }
  return ctx;
}

/** The claims context for the token of a call from this page (fitClaims' ctx). */
export function tokenContext(ctx, iat) {
  const module = ctx.tokenModule ?? ctx.module;
  const out = { installation: ctx.installation, module, iat };
  if (module.type !== MODULES.adminPage.type && ctx.projectKey) Object.assign(out, { projectKey: ctx.projectKey, projectId: ctx.projectId });
  if (module.type === MODULES.issuePanel.type && ctx.issueKey) Object.assign(out, { issueKey: ctx.issueKey, issueId: ctx.issueId });
  return out;
}

/** What @forge/bridge's view.getContext() would give the UI (the parts it uses). */
export function viewContext(ctx) {
  const extension = { type: ctx.module.type };
  if (ctx.module.type !== MODULES.adminPage.type) extension.project = { id: ctx.projectId, key: ctx.projectKey, type: 'software' };
  if (ctx.issueKey) extension.issue = { id: ctx.issueId, key: ctx.issueKey, type: 'Story' };
  return {
    moduleKey: ctx.module.key,
    extension,
    siteUrl: 'https://example-flow.atlassian.net',
    environmentType: 'DEVELOPMENT',
  };
}
