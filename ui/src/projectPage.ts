/* projectPage.ts - the jira:projectPage shell, read-only for anyone who may
 * browse the project: header (window picker, last sync, Export CSV), the
 * Overview / Flow / Forecast / Sync tabs, the partial-history banner and the polling that
 * keeps sync and backfill progress fresh. Its one action is "Request backfill"
 * of its own project (Sync tab); settings and alerts live on the project
 * settings page (project admins) and the admin page (Jira admins).
 * State lives in one object per page: the window, the tab, the last dashboard. */
import { api, ApiError, type Dashboard } from './api';
import { ago, h, stateMsg } from './dom';
import { neverSynced, renderOverview } from './overview';
import { renderFlow } from './flow';
import { renderForecast } from './forecast';
import { backfillPanel } from './settings';
import { renderSprints } from './sprints';

const WINDOWS: Array<[string, string]> = [['7d', '7 days'], ['30d', '30 days'], ['90d', '90 days'], ['mtd', 'Month to date'], ['qtd', 'Quarter to date']];
const SPRINT_WINDOWS: Array<[string, string]> = [['sprint-current', 'Current sprint'], ['sprint-last', 'Last sprint'], ['sprint-last3', 'Last 3 sprints']];
const POLL_MS = 2000;
type Tab = 'overview' | 'flow' | 'forecast' | 'sync' | 'sprints';
const TABS: Tab[] = ['overview', 'flow', 'forecast', 'sync', 'sprints'];

export function mountProjectPage(root: HTMLElement, key: string): void {
  const params = new URLSearchParams(location.search);
  const asked = params.get('tab') as Tab | null;
  const askedAsOf = params.get('asOf');
  const state = { window: params.get('window') ?? '30d', tab: asked && TABS.includes(asked) ? asked : 'overview' as Tab, dash: null as Dashboard | null, seq: 0, hasSprints: false,
    /** The "as of" day (YYYY-MM-DD), null for today. */
    asOf: askedAsOf && /^\d{4}-\d{2}-\d{2}$/.test(askedAsOf) ? askedAsOf : null as string | null };
  const picker = h('select', { 'aria-label': 'Window', 'data-testid': 'window-picker' }) as HTMLSelectElement;
  const fillPicker = () => picker.replaceChildren(...[...WINDOWS, ...(state.hasSprints ? SPRINT_WINDOWS : [])].map(([v, l]) => h('option', { value: v, selected: v === state.window }, l)));
  fillPicker();
  // "As of: today | <date>": every project view is computed at the end of that day.
  const today = new Date().toISOString().slice(0, 10);
  const asOfInput = h('input', { type: 'date', 'data-testid': 'as-of', 'aria-label': 'As of date', max: today, value: state.asOf ?? '' }) as HTMLInputElement;
  const asOfToday = h('button', { type: 'button', class: 'btn-link', 'data-testid': 'as-of-today', onclick: () => setAsOf(null) }, 'today');
  const asOfLabel = h('span', { class: 'subtle', 'data-testid': 'as-of-label' });
  const asOfBox = h('span', { class: 'as-of', 'data-testid': 'as-of-picker' }, h('label', {}, 'As of ', asOfLabel, ' ', asOfInput), asOfToday);
  const paintAsOf = () => {
    asOfInput.value = state.asOf ?? '';
    asOfLabel.textContent = state.asOf ? '' : 'today ·';
    asOfToday.hidden = state.asOf === null;
    asOfBox.dataset.asOf = state.asOf ?? '';
  };
  paintAsOf();
  const sync = h('span', { class: 'subtle', 'data-testid': 'last-sync' }, '');
  const exportMsg = h('span', { class: 'form-msg' });
  const exportBtn = h('button', { class: 'btn', 'data-testid': 'export-csv', onclick: () => exportCsv() }, 'Export CSV');
  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const banner = h('div', { 'data-testid': 'banner' });
  const body = h('div', { class: 'tab-body', 'data-testid': 'tab-body' });
  const backfill = backfillPanel(key);
  root.replaceChildren(h('div', { class: 'page' },
    h('header', { class: 'page-head' }, h('h1', {}, `Flow · ${key}`), h('div', { class: 'toolbar' }, h('label', {}, 'Window ', picker), asOfBox, sync, exportBtn, exportMsg)),
    tabs, banner, body));

  // The Sprints tab only for a project with sprints (probeSprints).
  const setTabs = () => tabs.replaceChildren(...TABS.filter((t) => t !== 'sprints' || state.hasSprints || state.tab === 'sprints').map((t) =>
    h('button', { role: 'tab', 'aria-selected': String(t === state.tab), 'data-tab': t, onclick: () => { state.tab = t; setTabs(); show(); } }, t[0].toUpperCase() + t.slice(1))));

  const showBanner = (d: Dashboard) => {
    const b = d.sync.backfill;
    const truncated = d.dataQuality?.truncated_history ?? 0;
    const parts: string[] = [];
    if (b.state === 'running' || b.state === 'queued') parts.push(`History is still loading: ${b.received} of ~${b.total} issues.`);
    if (b.state === 'capped') parts.push(`History stopped at the backfill cap (${b.received} issues): older work is not counted.`);
    if (b.state === 'failed') parts.push('The history backfill failed: numbers may be incomplete. Request it again from the Sync tab.');
    if (truncated > 0) parts.push(`${truncated} issue histories are incomplete.`);
    // A backend without ?asOf answers for today: say so rather than show today's numbers under a past date.
    const noAsOf = state.asOf !== null && d.asOf === undefined;
    banner.replaceChildren(...(parts.length ? [h('div', { class: 'banner banner-warning', role: 'status', 'data-testid': 'partial-banner' }, 'Partial data. ', parts.join(' '))] : []),
      ...(noAsOf ? [h('div', { class: 'banner banner-warning', role: 'status', 'data-testid': 'as-of-unsupported' }, `This BottleneckIQ service cannot show the project as of ${state.asOf} yet: these are today's numbers.`)] : []));
  };

  const show = () => {
    const d = state.dash;
    if (!d) return;
    sync.textContent = `Last sync ${ago(d.sync.lastSyncAt)}`;
    sync.title = d.sync.lastSyncAt ?? '';
    showBanner(d);
    backfill.update(d);
    if (neverSynced(d) && state.tab !== 'sync') body.replaceChildren(h('section', { class: 'card no-history', 'data-testid': 'no-history' },
      h('h2', {}, 'No history loaded yet'),
      h('p', {}, `BottleneckIQ has not read ${key}'s history from Jira yet, so there is nothing to measure. Request a backfill: it reads the project's issues and their status changes.`),
      backfill.el));
    else if (state.tab === 'overview') body.replaceChildren(renderOverview(d, { picked: state.window, onAsOf: (day) => setAsOf(day) }));
    else if (state.tab === 'flow') body.replaceChildren(renderFlow(key, { window: state.window, asOf: state.asOf, dash: d }));
    else if (state.tab === 'sprints') body.replaceChildren(renderSprints(key, state.asOf));
    else if (state.tab === 'forecast') body.replaceChildren(renderForecast(key, { asOf: state.asOf, dash: d }));
    else body.replaceChildren(h('div', { class: 'settings', 'data-testid': 'sync' }, backfill.el,
      h('p', { class: 'subtle', 'data-testid': 'settings-hint' },
        `Project administrators change ${key}'s WIP limits, excluded issue types and alert rules in Project settings → BottleneckIQ; `,
        'Jira administrators change site-wide settings and alert destinations in Jira settings → Apps → BottleneckIQ.')));
  };

  /** Loads the dashboard; a silent load (poll, after save) keeps the screen until the answer. */
  async function load(silent = false): Promise<void> {
    const seq = ++state.seq;
    if (!silent) body.replaceChildren(stateMsg('loading', 'Loading the dashboard…'));
    try {
      const d = await api.dashboard(key, state.window, state.asOf);
      if (seq !== state.seq) return;
      const changed = !state.dash || state.dash.dataVersion !== d.dataVersion || state.dash.generatedAt !== d.generatedAt;
      const first = !state.dash;
      state.dash = d;
      root.dataset.loaded = 'true';
      if (!silent || (changed && state.tab === 'overview')) show();
      else { backfill.update(d); showBanner(d); sync.textContent = `Last sync ${ago(d.sync.lastSyncAt)}`; }
      if (first) probeSprints();
    } catch (e) {
      if (seq !== state.seq) return;
      if (silent && state.dash) return; // keep what is shown; the next poll retries
      const msg = e instanceof ApiError && e.status === 404 && (e.detail ?? '').startsWith('window:') ? 'This project has no sprint for that window.' : e instanceof ApiError ? e.message : String(e);
      body.replaceChildren(stateMsg('error', msg, e instanceof ApiError && e.detail && e.detail !== msg ? e.detail : ''));
    }
  }

  /** Sprint windows are offered only when the project has a sprint. */
  function probeSprints(): void {
    api.dashboard(key, 'sprint-last', state.asOf).then(() => { state.hasSprints = true; fillPicker(); setTabs(); }, () => {
      api.dashboard(key, 'sprint-current', state.asOf).then(() => { state.hasSprints = true; fillPicker(); setTabs(); }, () => undefined);
    });
  }

  async function exportCsv(): Promise<void> {
    exportMsg.textContent = 'Preparing…';
    try {
      const csv = await api.exportCsv(key, state.window, state.asOf);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = h('a', { href: url, download: `${key}-${state.window}${state.asOf ? `-asof-${state.asOf}` : ''}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      exportMsg.textContent = '';
    } catch (e) {
      exportMsg.textContent = e instanceof ApiError ? e.message : String(e);
    }
  }

  function setAsOf(day: string | null): void {
    state.asOf = day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null;
    paintAsOf();
    state.dash = null;
    void load();
  }
  asOfInput.addEventListener('change', () => setAsOf(asOfInput.value || null));
  picker.addEventListener('change', () => { state.window = picker.value; state.dash = null; void load(); });
  setTabs();
  void load();
  // Keep sync time and backfill progress fresh; only poll while visible.
  setInterval(() => { if (document.visibilityState === 'visible' && state.dash) void load(true); }, POLL_MS);
}
