/* settings.ts - the Settings tab: status roles, thresholds, Jira field ids,
 * work schedule, AI switch, notification e-mail and tenant-wide WIP limits
 * (tenant); WIP limits and excluded issue types (project; a project's limit
 * for a status wins over the tenant's); alert rules and destinations
 * (alerts.ts); the backfill panel with its progress bar. Every field shows
 * default or override, the default when overridden, and can be reset (PUT
 * null). A save re-renders the form from the PUT's answer; onSaved reloads
 * the dashboard. */
import { api, ApiError, errText, type Dashboard, type Settings } from './api';
import { h, stateMsg, status } from './dom';
import { renderAlerts } from './alerts';

type Saved = () => void;
type Note = { kind: 'ok' | 'error'; text: string } | null;
type WipLimit = { statusId: string; limit: number; breachMinutes: number | null };
/** What a form needs to save: its PUT, its message box, and what to do with the answer. */
interface Ctx { put: (b: unknown) => Promise<Settings>; msg: HTMLElement; done: (s: Settings) => void }

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FIELD_ID_HINT = 'customfield_10016';

/** A default shown to the reader: "none" for empty, on/off for booleans. */
function fmtDefault(path: string, v: unknown): string {
  if (v === null || v === undefined) return path.startsWith('fields.') ? 'as discovered' : path === 'workSchedule' ? 'calendar time, UTC' : 'none';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.map(String).join(', ');
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function badge(s: Settings, path: string): HTMLElement {
  const f = s.fields[path];
  return h('span', { class: `lozenge ${f?.overridden ? 'lozenge-moved' : 'lozenge-default'} small`, 'data-testid': `badge-${path}` }, f?.overridden ? 'override' : 'default');
}

async function save(ctx: Ctx, body: unknown): Promise<void> {
  ctx.msg.replaceChildren(h('span', { class: 'subtle' }, 'Saving…'));
  try {
    ctx.done(await ctx.put(body));
  } catch (e) {
    status(ctx.msg, 'error', errText(e));
  }
}

/** Badge, and for an override its default and a Reset button. */
function meta(s: Settings, path: string, ctx: Ctx): HTMLElement {
  const f = s.fields[path];
  return h('span', { class: 'meta' }, badge(s, path),
    f?.overridden ? h('span', { class: 'default-hint', 'data-testid': `default-${path}` }, `default: ${fmtDefault(path, f.default)}`) : null,
    f?.overridden ? h('button', { type: 'button', class: 'btn-link', 'data-testid': `reset-${path}`, onclick: () => save(ctx, { [path]: null }) }, 'Reset') : null);
}

const limitsOf = (s: Settings | null): WipLimit[] => ((s?.fields.wipLimits?.value as WipLimit[] | undefined) ?? []).map((l) => ({ ...l, statusId: String(l.statusId) }));
const limitText = (l: WipLimit | undefined) => (l ? `${l.limit}${l.breachMinutes ? ` · alert after ${l.breachMinutes} min` : ''}` : '—');

/**
 * A WIP-limit table: one row per open status of the project, plus rows for
 * limits of statuses this project does not have (kept on save). `other` is
 * the other level's limits, shown beside for reference.
 */
function wipTable(prefix: string, statuses: Dashboard['statuses'], limits: WipLimit[], otherTitle: string, other: WipLimit[]): HTMLElement {
  const rows = statuses.filter((st) => !st.terminal && st.role !== 'done').map((st) => ({ id: st.id, name: st.name }));
  for (const l of limits) if (!rows.some((r) => r.id === l.statusId)) rows.push({ id: l.statusId, name: `Status ${l.statusId} (not in this project)` });
  const lim = (id: string) => limits.find((l) => l.statusId === id);
  const tid = (what: string, id: string) => `${prefix ? `${prefix}-` : ''}${what}-${id}`;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'roles wip-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Limit'), h('th', {}, 'Breach alert after (minutes)'), h('th', {}, otherTitle))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, r.name),
      h('td', {}, h('input', { type: 'number', min: 1, max: 100000, class: 'num-input', 'data-limit': r.id, 'data-testid': tid('wip-limit', r.id), 'aria-label': `${r.name} limit`, value: lim(r.id)?.limit ?? '' })),
      h('td', {}, h('input', { type: 'number', min: 1, max: 525600, class: 'num-input', 'data-breach': r.id, 'data-testid': tid('wip-breach', r.id), 'aria-label': `${r.name} breach minutes`, value: lim(r.id)?.breachMinutes ?? '' })),
      h('td', { class: 'subtle', 'data-testid': tid('wip-other', r.id) }, limitText(other.find((l) => l.statusId === r.id))))))));
}

function readLimits(form: HTMLElement): WipLimit[] {
  return [...form.querySelectorAll<HTMLInputElement>('input[data-limit]')].filter((i) => i.value !== '').map((i) => {
    const breach = form.querySelector<HTMLInputElement>(`input[data-breach="${i.dataset.limit}"]`)!.value;
    return { statusId: i.dataset.limit!, limit: Number(i.value), breachMinutes: breach === '' ? null : Number(breach) };
  });
}
const normLimits = (l: WipLimit[]) => JSON.stringify(l.map((x) => [String(x.statusId), x.limit, x.breachMinutes ?? null]).sort());

function msgBox(testid: string, note: Note): HTMLElement {
  const msg = h('div', { class: 'form-msg', 'data-testid': testid });
  if (note) status(msg, note.kind, note.text);
  return msg;
}

function tenantForm(s: Settings, project: Settings | null, statuses: Dashboard['statuses'], ctx: Ctx): HTMLElement {
  const v = (p: string) => s.fields[p]?.value;
  const m = (p: string) => meta(s, p, ctx);
  const roles = ['active', 'done', 'terminal', 'external'];
  const shown = new Set(statuses.map((st) => st.id));
  const roleTable = h('table', { class: 'roles' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Status'), ...roles.map((r) => h('th', {}, r, ' ', m(`statusRoles.${r}`))))),
    h('tbody', {}, ...statuses.map((st) => h('tr', {}, h('td', {}, st.name, h('span', { class: 'subtle' }, ` (${st.id}, ${st.role})`)),
      ...roles.map((r) => h('td', {}, h('input', { type: 'checkbox', 'data-role': r, 'data-status': st.id, 'aria-label': `${st.name} ${r}`,
        checked: ((v(`statusRoles.${r}`) as unknown[]) ?? []).map(String).includes(st.id) })))))));
  const thr = (key: string, label: string, min: number, max: number) => h('label', { class: 'field' },
    h('span', {}, label, ' ', m(`thresholds.${key}`)),
    h('input', { type: 'number', step: '0.05', min, max, name: `thresholds.${key}`, 'data-testid': `input-thresholds.${key}`, value: Number(Number(v(`thresholds.${key}`)).toFixed(3)) }));
  const fieldId = (key: string, label: string) => h('label', { class: 'field' },
    h('span', {}, label, ' ', m(`fields.${key}`)),
    h('input', { name: `fields.${key}`, 'data-testid': `input-fields.${key}`, placeholder: `as discovered (e.g. ${FIELD_ID_HINT})`, spellcheck: 'false', value: (v(`fields.${key}`) as string | null) ?? '' }));
  const ws = (v('workSchedule') as { timeZone?: string; working?: boolean; workingDays?: string[]; hours?: { start: string; end: string }; holidays?: string[] } | null) ?? null;
  const tenantLimits = limitsOf(s);
  const form = h('form', { class: 'settings-form', 'data-testid': 'tenant-settings', novalidate: true },
    h('h2', { class: 'section-title' }, 'Site-wide settings'),
    h('p', { class: 'subtle' }, 'These apply to every project of this Jira site.'),
    h('h3', {}, 'Status roles'), h('p', { class: 'subtle' }, 'Unchecked statuses keep the role of their category.'),
    h('div', { class: 'table-wrap' }, roleTable),
    h('h3', {}, 'Bottleneck thresholds'),
    h('div', { class: 'row' }, thr('time', 'Time ratio T (1.0–10.0)', 1, 10), thr('wip', 'WIP ratio W (1.0–10.0)', 1, 10), thr('throughput', 'Throughput change D (−1.0–1.0)', -1, 1)),
    h('h3', {}, 'Jira fields'),
    h('p', { class: 'subtle' }, 'The custom fields story points and sprints are read from. Leave empty to use the ones BottleneckIQ discovered.'),
    h('div', { class: 'row' }, fieldId('storyPoints', 'Story points field id'), fieldId('sprint', 'Sprint field id')),
    h('h3', {}, 'Work schedule ', m('workSchedule')),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'ws.on', checked: ws !== null }), 'Use a schedule'),
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'ws.working', checked: ws?.working ?? true }), 'Count working time only'),
      h('label', { class: 'field' }, h('span', {}, 'Time zone (IANA)'), h('input', { name: 'ws.tz', value: ws?.timeZone ?? 'UTC' })),
      h('label', { class: 'field' }, h('span', {}, 'Hours'), h('span', { class: 'pair' },
        h('input', { type: 'time', name: 'ws.start', value: ws?.hours?.start ?? '09:00' }), '–', h('input', { type: 'time', name: 'ws.end', value: ws?.hours?.end ?? '17:00' })))),
    h('div', { class: 'row days' }, ...DAYS.map((d) => h('label', { class: 'field check' },
      h('input', { type: 'checkbox', name: `ws.day.${d}`, checked: (ws?.workingDays ?? DAYS.slice(0, 5)).includes(d) }), d))),
    h('label', { class: 'field wide' }, h('span', {}, 'Holidays (YYYY-MM-DD, one per line)'), h('textarea', { name: 'ws.holidays', rows: 2 }, (ws?.holidays ?? []).join('\n'))),
    h('h3', {}, 'Tenant-wide WIP limits ', m('wipLimits')),
    h('p', { class: 'subtle', 'data-testid': 'wip-precedence' }, 'Apply to every project. A project\'s own limit for a status wins over the tenant-wide one (limit and breach minutes together).'),
    wipTable('tenant', statuses, tenantLimits, 'This project\'s own limit (wins)', limitsOf(project)),
    h('h3', {}, 'Explanations and notifications'),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'aiExplanations', 'data-testid': 'input-aiExplanations', checked: v('aiExplanations') === true }),
        'AI-worded explanations ', m('aiExplanations')),
      h('label', { class: 'field' }, h('span', {}, 'Notification e-mail ', m('notificationEmail')),
        h('input', { type: 'email', name: 'notificationEmail', value: (v('notificationEmail') as string | null) ?? '' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'save-tenant' }, 'Save settings'), ctx.msg));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = form as HTMLFormElement;
    const val = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value;
    const chk = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).checked;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    // Send only what differs from the stored state, so untouched defaults stay defaults.
    const changed: Record<string, unknown> = {};
    for (const r of roles) {
      const old = ((v(`statusRoles.${r}`) as unknown[]) ?? []).map(String);
      // Statuses of other projects are not in this table: keep their roles.
      const next = [...old.filter((id) => !shown.has(id)), ...[...f.querySelectorAll<HTMLInputElement>(`input[data-role="${r}"]:checked`)].map((i) => i.dataset.status!)];
      if (!same([...old].sort(), [...next].sort())) changed[`statusRoles.${r}`] = next;
    }
    for (const k of ['time', 'wip', 'throughput'] as const) {
      const nv = Number(val(`thresholds.${k}`));
      if (Math.abs(nv - Number(v(`thresholds.${k}`))) > 1e-9) changed[`thresholds.${k}`] = nv;
    }
    for (const k of ['storyPoints', 'sprint']) {
      const nv = val(`fields.${k}`).trim() || null;
      if (nv !== ((v(`fields.${k}`) as string | null) ?? null)) changed[`fields.${k}`] = nv;
    }
    const workSchedule = chk('ws.on') ? {
      timeZone: val('ws.tz').trim(), working: chk('ws.working'), workingDays: DAYS.filter((d) => chk(`ws.day.${d}`)),
      hours: { start: val('ws.start'), end: val('ws.end') },
      holidays: val('ws.holidays').split(/\s+/).filter(Boolean),
    } : null;
    if (!same(workSchedule, ws)) changed.workSchedule = workSchedule;
    const limits = readLimits(form);
    if (normLimits(limits) !== normLimits(tenantLimits)) changed.wipLimits = limits;
    if (chk('aiExplanations') !== v('aiExplanations')) changed.aiExplanations = chk('aiExplanations');
    const email = val('notificationEmail').trim() || null;
    if (email !== (v('notificationEmail') ?? null)) changed.notificationEmail = email;
    if (Object.keys(changed).length === 0) { status(ctx.msg, 'ok', 'Nothing changed.'); return; }
    void save(ctx, changed);
  });
  return form;
}

function projectForm(key: string, s: Settings, tenant: Settings | null, statuses: Dashboard['statuses'], ctx: Ctx): HTMLElement {
  const limits = limitsOf(s);
  const form = h('form', { class: 'settings-form', 'data-testid': 'project-settings', novalidate: true },
    h('h2', { class: 'section-title' }, `Project ${key}`),
    h('h3', {}, `WIP limits for ${key} `, meta(s, 'wipLimits', ctx)),
    h('p', { class: 'subtle' }, 'A limit set here wins over the tenant-wide limit for the same status; leave a row empty to use the tenant-wide one.'),
    wipTable('', statuses, limits, 'Tenant-wide limit', limitsOf(tenant)),
    h('label', { class: 'field wide' }, h('span', {}, 'Excluded issue types (comma-separated) ', meta(s, 'excludedIssueTypes', ctx)),
      h('input', { name: 'excluded', 'data-testid': 'input-excludedIssueTypes', value: ((s.fields.excludedIssueTypes?.value as string[]) ?? []).join(', ') })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'save-project' }, 'Save project settings'), ctx.msg));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const wipLimits = readLimits(form);
    const excludedIssueTypes = (form.querySelector<HTMLInputElement>('input[name=excluded]')!.value).split(',').map((x) => x.trim()).filter(Boolean);
    // Send only what changed, so an untouched field keeps its default.
    const changed: Record<string, unknown> = {};
    if (normLimits(wipLimits) !== normLimits(limits)) changed.wipLimits = wipLimits;
    const oldTypes = (s.fields.excludedIssueTypes?.value as string[]) ?? [];
    if (JSON.stringify(excludedIssueTypes) !== JSON.stringify(oldTypes)) changed.excludedIssueTypes = excludedIssueTypes;
    if (Object.keys(changed).length === 0) { status(ctx.msg, 'ok', 'Nothing changed.'); return; }
    void save(ctx, changed);
  });
  return form;
}

/** The backfill panel; update(d) refreshes it from a newer dashboard (polling). */
export function backfillPanel(key: string): { el: HTMLElement; update: (d: Dashboard) => void } {
  const bar = h('div', { class: 'progress-fill', 'data-testid': 'backfill-fill' });
  const text = h('p', { 'data-testid': 'backfill-text' }, '');
  const msg = h('div', { class: 'form-msg' });
  const el = h('section', { class: 'card', 'data-testid': 'backfill' },
    h('h3', {}, 'History backfill'),
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'data-testid': 'backfill-progress' }, bar),
    text,
    h('div', { class: 'actions' }, h('button', { class: 'btn', 'data-testid': 'backfill-request', onclick: async () => {
      msg.replaceChildren(h('span', { class: 'subtle' }, 'Requesting…'));
      try { await api.requestBackfill(key); status(msg, 'ok', 'Backfill requested: it starts within a minute.'); } catch (e) {
        status(msg, 'error', e instanceof ApiError && (e.status === 404 || e.status === 405) ? 'Requesting a backfill from here is not available in this backend version yet.' : e instanceof ApiError ? e.message : String(e));
      }
    } }, 'Run backfill again'), msg));
  const update = (d: Dashboard) => {
    const b = d.sync.backfill;
    const pctDone = b.state === 'complete' ? 100 : b.total > 0 ? Math.min(100, Math.floor((100 * b.received) / b.total)) : 0;
    bar.style.width = `${pctDone}%`;
    el.querySelector('.progress')!.setAttribute('aria-valuenow', String(pctDone));
    el.dataset.state = b.state;
    el.dataset.percent = String(pctDone);
    const label: Record<string, string> = { none: 'No backfill has run yet.', queued: 'Queued.', running: 'Running', complete: 'Complete', capped: 'Stopped at the cap', failed: 'Failed: run it again.' };
    text.textContent = `${label[b.state] ?? b.state}${b.total > 0 ? `: ${b.received} of ~${b.total} issues (${pctDone}%)` : ''}`;
  };
  return { el, update };
}

/** Renders the tab (settings are loaded here; statuses come from the dashboard). */
export function renderSettings(key: string, d: Dashboard, backfill: HTMLElement, onSaved: Saved): HTMLElement {
  const tenantBox = h('section', { class: 'card' }, stateMsg('loading', 'Loading settings…'));
  const projectBox = h('section', { class: 'card' }, stateMsg('loading', 'Loading project settings…'));
  const state = { tenant: null as Settings | null, project: null as Settings | null };
  const SAVED = 'Saved. The dashboard is recomputed with the new settings.';
  // Each level is painted from its latest answer; the other level's form shows
  // it beside its own limits, so a save repaints both.
  const paintTenant = (note: Note) => {
    if (!state.tenant) return;
    const ctx: Ctx = { put: (b) => api.putTenantSettings(b), msg: msgBox('tenant-settings-msg', note), done: (s) => { state.tenant = s; paintTenant({ kind: 'ok', text: SAVED }); paintProject(null); onSaved(); } };
    tenantBox.replaceChildren(tenantForm(state.tenant, state.project, d.statuses, ctx));
  };
  const paintProject = (note: Note) => {
    if (!state.project) return;
    const ctx: Ctx = { put: (b) => api.putProjectSettings(key, b), msg: msgBox('project-settings-msg', note), done: (s) => { state.project = s; paintProject({ kind: 'ok', text: SAVED }); paintTenant(null); onSaved(); } };
    projectBox.replaceChildren(projectForm(key, state.project, state.tenant, d.statuses, ctx));
  };
  const fail = (box: HTMLElement) => (e: unknown) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e)));
  const tenantP = api.tenantSettings().then((s) => { state.tenant = s; }, fail(tenantBox));
  const projectP = api.projectSettings(key).then((s) => { state.project = s; }, fail(projectBox));
  // Paint when both answered (or failed), so each table can show the other level.
  void Promise.all([tenantP, projectP]).then(() => { paintProject(null); paintTenant(null); });
  return h('div', { class: 'settings', 'data-testid': 'settings' }, backfill, projectBox, tenantBox, renderAlerts(d.statuses));
}
