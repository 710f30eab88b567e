/* settings.ts - the Settings tab: status roles, thresholds, work schedule,
 * AI switch, notification e-mail (tenant); WIP limits and excluded issue
 * types (project); the backfill panel with its progress bar. Every field shows
 * default or override and can be reset (PUT null). onSaved re-renders. */
import { api, ApiError, type Dashboard, type Settings } from './api';
import { h, stateMsg } from './dom';

type Saved = () => void;
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function badge(s: Settings, path: string): HTMLElement {
  const f = s.fields[path];
  return h('span', { class: `lozenge ${f?.overridden ? 'lozenge-moved' : 'lozenge-default'} small`, 'data-testid': `badge-${path}` }, f?.overridden ? 'override' : 'default');
}

function status(el: HTMLElement, kind: 'ok' | 'error', text: string): void {
  el.replaceChildren(h('span', { class: kind === 'ok' ? 'msg-ok' : 'msg-error', role: kind === 'error' ? 'alert' : 'status' }, text));
}

async function save(put: () => Promise<unknown>, msg: HTMLElement, onSaved: Saved): Promise<void> {
  msg.replaceChildren(h('span', { class: 'subtle' }, 'Saving…'));
  try {
    await put();
    status(msg, 'ok', 'Saved. The dashboard is recomputed with the new settings.');
    onSaved();
  } catch (e) {
    status(msg, 'error', e instanceof ApiError ? (e.detail || e.message) : String(e));
  }
}

function resetBtn(path: string, put: (b: unknown) => Promise<unknown>, msg: HTMLElement, onSaved: Saved): HTMLElement {
  return h('button', { class: 'btn-link', 'data-testid': `reset-${path}`, onclick: () => save(() => put({ [path]: null }), msg, onSaved) }, 'Reset');
}

function tenantForm(s: Settings, statuses: Dashboard['statuses'], onSaved: Saved): HTMLElement {
  const msg = h('div', { class: 'form-msg', 'data-testid': 'tenant-settings-msg' });
  const put = (b: unknown) => api.putTenantSettings(b);
  const v = (p: string) => s.fields[p]?.value;
  const roles = ['active', 'done', 'terminal', 'external'];
  const roleTable = h('table', { class: 'roles' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Status'), ...roles.map((r) => h('th', {}, r, ' ', badge(s, `statusRoles.${r}`))))),
    h('tbody', {}, ...statuses.map((st) => h('tr', {}, h('td', {}, st.name, h('span', { class: 'subtle' }, ` (${st.id}, ${st.role})`)),
      ...roles.map((r) => h('td', {}, h('input', { type: 'checkbox', 'data-role': r, 'data-status': st.id, 'aria-label': `${st.name} ${r}`,
        checked: ((v(`statusRoles.${r}`) as unknown[]) ?? []).map(String).includes(st.id) })))))));
  const thr = (key: string, label: string, min: number, max: number) => h('label', { class: 'field' },
    h('span', {}, label, ' ', badge(s, `thresholds.${key}`), ' ', resetBtn(`thresholds.${key}`, put, msg, onSaved)),
    h('input', { type: 'number', step: '0.05', min, max, name: `thresholds.${key}`, 'data-testid': `input-thresholds.${key}`, value: Number(Number(v(`thresholds.${key}`)).toFixed(3)) }));
  const ws = (v('workSchedule') as { timeZone?: string; working?: boolean; workingDays?: string[]; hours?: { start: string; end: string }; holidays?: string[] } | null) ?? null;
  const form = h('form', { class: 'settings-form', 'data-testid': 'tenant-settings' },
    h('h3', {}, 'Status roles'), h('p', { class: 'subtle' }, 'Unchecked statuses keep the role of their category.'),
    h('div', { class: 'table-wrap' }, roleTable),
    h('h3', {}, 'Bottleneck thresholds'),
    h('div', { class: 'row' }, thr('time', 'Time ratio T (1.0–10.0)', 1, 10), thr('wip', 'WIP ratio W (1.0–10.0)', 1, 10), thr('throughput', 'Throughput change D (−1.0–1.0)', -1, 1)),
    h('h3', {}, 'Work schedule ', badge(s, 'workSchedule'), ' ', resetBtn('workSchedule', put, msg, onSaved)),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'ws.on', checked: ws !== null }), 'Use a schedule'),
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'ws.working', checked: ws?.working ?? true }), 'Count working time only'),
      h('label', { class: 'field' }, h('span', {}, 'Time zone (IANA)'), h('input', { name: 'ws.tz', value: ws?.timeZone ?? 'UTC' })),
      h('label', { class: 'field' }, h('span', {}, 'Hours'), h('span', { class: 'pair' },
        h('input', { type: 'time', name: 'ws.start', value: ws?.hours?.start ?? '09:00' }), '–', h('input', { type: 'time', name: 'ws.end', value: ws?.hours?.end ?? '17:00' })))),
    h('div', { class: 'row days' }, ...DAYS.map((d) => h('label', { class: 'field check' },
      h('input', { type: 'checkbox', name: `ws.day.${d}`, checked: (ws?.workingDays ?? DAYS.slice(0, 5)).includes(d) }), d))),
    h('label', { class: 'field wide' }, h('span', {}, 'Holidays (YYYY-MM-DD, one per line)'), h('textarea', { name: 'ws.holidays', rows: 2 }, (ws?.holidays ?? []).join('\n'))),
    h('h3', {}, 'Explanations and notifications'),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'aiExplanations', 'data-testid': 'input-aiExplanations', checked: v('aiExplanations') === true }),
        'AI-worded explanations ', badge(s, 'aiExplanations')),
      h('label', { class: 'field' }, h('span', {}, 'Notification e-mail ', badge(s, 'notificationEmail')),
        h('input', { type: 'email', name: 'notificationEmail', value: (v('notificationEmail') as string | null) ?? '' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'save-tenant' }, 'Save settings'), msg));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = form as HTMLFormElement;
    const val = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value;
    const chk = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).checked;
    const statusRoles: Record<string, string[]> = {};
    for (const r of roles) statusRoles[r] = [...f.querySelectorAll<HTMLInputElement>(`input[data-role="${r}"]:checked`)].map((i) => i.dataset.status!);
    const body: Record<string, unknown> = {
      statusRoles,
      thresholds: { time: Number(val('thresholds.time')), wip: Number(val('thresholds.wip')), throughput: Number(val('thresholds.throughput')) },
      aiExplanations: chk('aiExplanations'),
      notificationEmail: val('notificationEmail').trim() || null,
      workSchedule: chk('ws.on') ? {
        timeZone: val('ws.tz').trim(), working: chk('ws.working'), workingDays: DAYS.filter((d) => chk(`ws.day.${d}`)),
        hours: { start: val('ws.start'), end: val('ws.end') },
        holidays: val('ws.holidays').split(/\s+/).filter(Boolean),
      } : null,
    };
    // Send only what differs from the stored state, so untouched defaults stay defaults.
    const changed: Record<string, unknown> = {};
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    for (const r of roles) if (!same((v(`statusRoles.${r}`) as unknown[] ?? []).map(String), statusRoles[r])) changed[`statusRoles.${r}`] = statusRoles[r];
    for (const k of ['time', 'wip', 'throughput'] as const) {
      const nv = (body.thresholds as Record<string, number>)[k];
      if (Math.abs(nv - Number(v(`thresholds.${k}`))) > 1e-9) changed[`thresholds.${k}`] = nv;
    }
    if (body.aiExplanations !== v('aiExplanations')) changed.aiExplanations = body.aiExplanations;
    if (body.notificationEmail !== (v('notificationEmail') ?? null)) changed.notificationEmail = body.notificationEmail;
    if (!same(body.workSchedule, ws)) changed.workSchedule = body.workSchedule;
    if (Object.keys(changed).length === 0) { status(msg, 'ok', 'Nothing changed.'); return; }
    void save(() => put(changed), msg, onSaved);
  });
  return form;
}

function projectForm(key: string, s: Settings, statuses: Dashboard['statuses'], onSaved: Saved): HTMLElement {
  const msg = h('div', { class: 'form-msg', 'data-testid': 'project-settings-msg' });
  const put = (b: unknown) => api.putProjectSettings(key, b);
  const limits = (s.fields.wipLimits?.value as Array<{ statusId: string; limit: number; breachMinutes: number | null }>) ?? [];
  const lim = (id: string) => limits.find((l) => String(l.statusId) === id);
  const form = h('form', { class: 'settings-form', 'data-testid': 'project-settings' },
    h('h3', {}, `WIP limits for ${key} `, badge(s, 'wipLimits'), ' ', resetBtn('wipLimits', put, msg, onSaved)),
    h('table', { class: 'roles' }, h('thead', {}, h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Limit'), h('th', {}, 'Breach alert after (minutes)'))),
      h('tbody', {}, ...statuses.filter((st) => !st.terminal && st.role !== 'done').map((st) => h('tr', {}, h('td', {}, st.name),
        h('td', {}, h('input', { type: 'number', min: 1, max: 100000, 'data-limit': st.id, 'data-testid': `wip-limit-${st.id}`, value: lim(st.id)?.limit ?? '' })),
        h('td', {}, h('input', { type: 'number', min: 1, max: 525600, 'data-breach': st.id, value: lim(st.id)?.breachMinutes ?? '' })))))),
    h('label', { class: 'field wide' }, h('span', {}, 'Excluded issue types (comma-separated) ', badge(s, 'excludedIssueTypes')),
      h('input', { name: 'excluded', value: ((s.fields.excludedIssueTypes?.value as string[]) ?? []).join(', ') })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'save-project' }, 'Save project settings'), msg));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const wipLimits = [...form.querySelectorAll<HTMLInputElement>('input[data-limit]')].filter((i) => i.value !== '').map((i) => {
      const breach = form.querySelector<HTMLInputElement>(`input[data-breach="${i.dataset.limit}"]`)!.value;
      return { statusId: i.dataset.limit!, limit: Number(i.value), breachMinutes: breach === '' ? null : Number(breach) };
    });
    const excludedIssueTypes = (form.querySelector<HTMLInputElement>('input[name=excluded]')!.value).split(',').map((x) => x.trim()).filter(Boolean);
    // Send only what changed, so an untouched field keeps its default.
    const changed: Record<string, unknown> = {};
    const norm = (l: typeof limits) => JSON.stringify(l.map((x) => [String(x.statusId), x.limit, x.breachMinutes ?? null]));
    if (norm(wipLimits) !== norm(limits)) changed.wipLimits = wipLimits;
    const oldTypes = (s.fields.excludedIssueTypes?.value as string[]) ?? [];
    if (JSON.stringify(excludedIssueTypes) !== JSON.stringify(oldTypes)) changed.excludedIssueTypes = excludedIssueTypes;
    if (Object.keys(changed).length === 0) { status(msg, 'ok', 'Nothing changed.'); return; }
    void save(() => put(changed), msg, onSaved);
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
  const fail = (box: HTMLElement) => (e: unknown) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e)));
  api.tenantSettings().then((s) => tenantBox.replaceChildren(tenantForm(s, d.statuses, onSaved)), fail(tenantBox));
  api.projectSettings(key).then((s) => projectBox.replaceChildren(projectForm(key, s, d.statuses, onSaved)), fail(projectBox));
  return h('div', { class: 'settings', 'data-testid': 'settings' }, backfill, projectBox, tenantBox);
}
