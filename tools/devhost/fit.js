/* fit.js - signs Forge-shaped invocation tokens (FITs) for local development.
 *
 * The claims mirror tools/biq_dev.c / tests/support/fit_sign.c exactly: iss,
 * aud, iat, nbf, exp = iat + 25, jti, app {id, installationId, apiBaseUrl,
 * environment, module}, context {cloudId, siteUrl, moduleKey, extension}, and
 * principal. RS256 with the dev key of var/keys (never Atlassian's). */
import { createSign, randomBytes } from 'node:crypto';

export const FIT_LIFETIME_S = 25;
export const DEV_KID = 'forge/invocation-token/wf-dev-local';
export const DEV_APP_ID = 'ari:cloud:ecosystem::app/00000000-0000-4000-8000-0000000000de';
const CLOUD_ID = '6c2a6f2e-0000-4000-8000-0000000000c1';

/** The installation ARI for a short suffix such as "de00" or "de01". */
export function installationAri(suffix) {
  if (!/^[0-9a-f]{1,12}$/.test(suffix)) throw new Error(`installation: "${suffix}" is not 1-12 hex digits`);
  return `ari:cloud:ecosystem::installation/00000000-0000-4000-8000-${suffix.padStart(12, '0')}`;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/** The Forge module each UI surface is, as the manifest declares it. */
export const MODULES = {
  projectPage: { type: 'jira:projectPage', key: 'biq-project-page' },
  issuePanel: { type: 'jira:issuePanel', key: 'biq-issue-panel' },
  projectSettingsPage: { type: 'jira:projectSettingsPage', key: 'biq-project-settings' },
  adminPage: { type: 'jira:adminPage', key: 'biq-admin-page' },
};

/**
 * The claims for one call. ctx = {installation, module?: {type, key},
 * projectId?, projectKey?, issueId?, issueKey?, iat?}.
 *
 * Without `module` it is the project page, or the issue panel when an issue
 * is given (the two modules of the first manifest). The context's extension
 * is what Forge gives that module: the project (and issue) for project-scoped
 * modules, only `type` for an admin page. Platform and function calls
 * (`core:endpoint`, `core:function`) carry no `context` claim at all.
 */
export function fitClaims(ctx, appId = DEV_APP_ID) {
  const iat = ctx.iat ?? Math.floor(Date.now() / 1000);
  const isIssue = Boolean(ctx.issueKey || ctx.issueId);
  const module = ctx.module ?? (isIssue ? MODULES.issuePanel : MODULES.projectPage);
  const claims = {
    iss: 'forge/invocation-token',
    aud: appId,
    iat,
    nbf: iat,
    exp: iat + FIT_LIFETIME_S,
    jti: randomBytes(16).toString('hex'),
    app: {
      id: appId,
      apiBaseUrl: `https://api.atlassian.com/ex/jira/${CLOUD_ID}`,
      environment: {
        type: 'DEVELOPMENT',
        id: 'ari:cloud:ecosystem::environment/00000000-0000-4000-8000-0000000000a1/00000000-0000-4000-8000-0000000000e1',
      },
      module: { type: module.type, key: module.key },
      installationId: ctx.installation,
    },
  };
  if (!module.type.startsWith('core:')) {
    const extension = {};
    if (module.type !== MODULES.projectPage.type && module.type !== MODULES.issuePanel.type) extension.type = module.type;
    if (isIssue) {
      extension.issue = { ...(ctx.issueId ? { id: ctx.issueId } : {}), ...(ctx.issueKey ? { key: ctx.issueKey } : {}), type: 'Story' };
    }
    if (ctx.projectKey && module.type !== MODULES.adminPage.type) extension.project = { id: ctx.projectId, key: ctx.projectKey, type: 'software' };
    claims.context = { cloudId: CLOUD_ID, siteUrl: 'https://example-flow.atlassian.net', moduleKey: module.key, extension };
    claims.principal = '557058:dev-user';
  }
  return claims;
}

/** A compact RS256 JWT of claims, signed with the PEM private key. */
export function signFit(privateKeyPem, claims, kid = DEV_KID) {
  const header = b64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' }));
  const payload = b64url(JSON.stringify(claims));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(privateKeyPem).toString('base64url')}`;
}
