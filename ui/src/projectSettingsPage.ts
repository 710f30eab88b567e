/* projectSettingsPage.ts - the jira:projectSettingsPage (only the project's
 * administrators can open it): the project's WIP limits and excluded issue
 * types, its alert rules bound to the destinations a Jira administrator made,
 * and its backfill panel. The statuses come from the project's dashboard. */
import { api, type Dashboard } from './api';
import { h, stateMsg } from './dom';
import { renderAlerts } from './alerts';
import { backfillPanel, renderProjectSettings } from './settings';

export async function mountProjectSettingsPage(root: HTMLElement, key: string): Promise<void> {
  const backfill = backfillPanel(key);
  const body = h('div', { class: 'settings', 'data-testid': 'project-settings-page' }, stateMsg('loading', 'Loading the project…'));
  root.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' }, h('h1', {}, `BottleneckIQ settings · ${key}`),
      h('p', { class: 'subtle' }, `For ${key} only. Site-wide settings and alert destinations are on BottleneckIQ's page in Jira settings → Apps.`)),
    body));
  let d: Dashboard | null = null;
  try {
    d = await api.dashboard(key, '30d');
    backfill.update(d);
  } catch { /* the forms work without statuses: limits are then listed by status id */ }
  const reload = () => { api.dashboard(key, '30d').then((x) => backfill.update(x), () => undefined); };
  const statuses = d?.statuses ?? [];
  body.replaceChildren(renderProjectSettings(key, statuses, reload),
    renderAlerts(statuses, { project: key, manageDestinations: false }),
    backfill.el);
  root.dataset.loaded = 'true';
}
