/* adminPage.ts - the jira:adminPage (only Jira administrators can open it):
 * the site-wide settings, every alert rule (site-wide or of one project), the
 * delivery destinations with "Send test", and the backfill of every project.
 * It has no project: statuses and projects come from GET /tenant when the
 * backend lists them, else from what the settings name. */
import { api, type Tenant } from './api';
import { h, stateMsg } from './dom';
import { renderAlerts } from './alerts';
import { allProjectsBackfill, renderSiteSettings, statusesForSite } from './settings';

export async function mountAdminPage(root: HTMLElement): Promise<void> {
  const body = h('div', { class: 'settings', 'data-testid': 'admin-page' }, stateMsg('loading', 'Loading BottleneckIQ\u2019s settings…'));
  const sub = h('p', { class: 'subtle', 'data-testid': 'admin-site' }, 'Settings for every project of this Jira site. Project administrators set their own project\u2019s WIP limits, excluded issue types and alert rules in its project settings.');
  root.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' }, h('h1', {}, 'BottleneckIQ administration'), sub),
    body));
  let tenant: Tenant | null = null;
  try { tenant = await api.tenant(); } catch { /* the settings still load; projects are then entered by key */ }
  const statuses = statusesForSite(tenant, null);
  body.replaceChildren(renderSiteSettings(tenant),
    renderAlerts(statuses, { project: null, manageDestinations: true, projects: (tenant?.projects ?? []).map((p) => p.key) }),
    allProjectsBackfill(tenant));
  root.dataset.loaded = 'true';
}
