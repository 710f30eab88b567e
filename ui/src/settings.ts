/* settings.ts - the settings forms and the backfill panels, used by the
 * admin page (site settings: status roles, thresholds, Jira field ids, work
 * schedule, AI switch, notification e-mail, tenant-wide WIP limits; backfill
 * of every project) and the project settings page (the project's WIP limits,
 * which win over the tenant's for the same status, and excluded issue types);
 * the project page shows its own backfill panel with "Request backfill".
 * Every field shows default or override, the default when overridden, and
 * can be reset (PUT null). A save re-renders the form from the PUT's answer. */
import { api, ApiError, errText, type Dashboard, type Settings, type Tenant } from './api';
import { ago, h, stateMsg, status } from './dom';

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
function wipTable(prefix: string, statuses: Dashboard['statuses'], limits: WipLimit[], otherTitle: string | null, other: WipLimit[]): HTMLElement {
  const rows = statuses.filter((st) => !st.terminal && st.role !== 'done').map((st) => ({ id: st.id, name: st.name }));
  for (const l of limits) if (!rows.some((r) => r.id === l.statusId)) rows.push({ id: l.statusId, name: `Status ${l.statusId} (not in this project)` });
  const lim = (id: string) => limits.find((l) => l.statusId === id);
  const tid = (what: string, id: string) => `${prefix ? `${prefix}-` : ''}${what}-${id}`;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'roles wip-table' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Status'), h('th', {}, 'Limit'), h('th', {}, 'Breach alert after (minutes)'), otherTitle ? h('th', {}, otherTitle) : null)),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, h('td', {}, r.name),
      h('td', {}, h('input', { type: 'number', min: 1, max: 100000, class: 'num-input', 'data-limit': r.id, 'data-testid': tid('wip-limit', r.id), 'aria-label': `${r.name} limit`, value: lim(r.id)?.limit ?? '' })),
      h('td', {}, h('input', { type: 'number', min: 1, max: 525600, class: 'num-input', 'data-breach': r.id, 'data-testid': tid('wip-breach', r.id), 'aria-label': `${r.name} breach minutes`, value: lim(r.id)?.breachMinutes ?? '' })),
      otherTitle ? h('td', { class: 'subtle', 'data-testid': tid('wip-other', r.id) }, limitText(other.find((l) => l.statusId === r.id))) : null)))));
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

/** The role a status has: listed in a role's setting (override or default
 * list), else the one its category gives (in progress → active, done → done;
 * to do → backlog), else none known. */
export function effectiveRole(s: Settings, st: { id: string; role?: string; category?: string }): { role: string | null; source: 'override' | 'default' | 'category' | 'none' } {
  for (const r of ROLES) {
    const f = s.fields[`statusRoles.${r}`];
    if (((f?.value as unknown[]) ?? []).map(String).includes(st.id)) return { role: r, source: f?.overridden ? 'override' : 'default' };
  }
  if (st.role && st.role !== 'unknown') return { role: st.role, source: 'category' };
  const cat = (st.category ?? '').toLowerCase();
  if (cat === 'indeterminate' || cat === 'in progress') return { role: 'active', source: 'category' };
  if (cat === 'done') return { role: 'done', source: 'category' };
  if (cat === 'new' || cat === 'to do') return { role: 'backlog', source: 'category' };
  return { role: null, source: 'none' };
}
const ROLES = ['active', 'backlog', 'done', 'terminal', 'external'];
const SOURCE_TEXT: Record<string, string> = { override: 'set here', default: 'default', category: 'from its category', none: 'no role yet' };

/** Options of the site form the page knows about: statuses asked to be assigned, whether AI can run. */
interface TenantFormOpts { needRole?: Set<string>; aiAvailable?: boolean | null }

function tenantForm(s: Settings, project: Settings | null, statuses: Dashboard['statuses'], ctx: Ctx, addStatus: HTMLElement | null = null, opts: TenantFormOpts = {}): HTMLElement {
  const v = (p: string) => s.fields[p]?.value;
  const m = (p: string) => meta(s, p, ctx);
  const roles = ROLES;
  const shown = new Set(statuses.map((st) => st.id));
  // Each row's boxes show the status's effective role; a role that comes from
  // the category (not from a list) is marked data-inherited and not saved as
  // an override unless the reader changes the row.
  const roleRow = (st: Dashboard['statuses'][number]) => {
    const eff = effectiveRole(s, st);
    const need = opts.needRole?.has(st.id) ?? false;
    const tr = h('tr', { id: `status-role-${st.id}`, 'data-testid': `status-role-${st.id}`, 'data-effective-role': eff.role ?? '', 'data-role-source': eff.source, class: need ? 'needs-role' : '' },
      h('td', {}, st.name, h('span', { class: 'subtle' }, ` (${st.id})`), ' ',
        h('span', { class: `lozenge small ${need ? 'lozenge-removed' : eff.source === 'override' ? 'lozenge-moved' : 'lozenge-default'}`, 'data-testid': `role-source-${st.id}` },
          eff.role ? `${eff.role} · ${SOURCE_TEXT[eff.source]}` : need ? SOURCE_TEXT.none : 'role of its Jira category')),
      ...roles.map((r) => h('td', {}, h('input', { type: 'checkbox', 'data-role': r, 'data-status': st.id, 'aria-label': `${st.name} ${r}`,
        checked: eff.role === r, 'data-inherited': eff.role === r && eff.source === 'category' ? 'true' : null }))));
    tr.addEventListener('change', (e) => {
      // A change in the row makes its boxes the reader's choice.
      for (const i of tr.querySelectorAll<HTMLInputElement>('input[data-inherited]')) if (i !== e.target) i.checked = false;
      for (const i of tr.querySelectorAll<HTMLInputElement>('input[data-inherited]')) i.removeAttribute('data-inherited');
    });
    return tr;
  };
  const roleTable = h('table', { class: 'roles' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Status (effective role)'), ...roles.map((r) => h('th', {}, r, ' ', m(`statusRoles.${r}`))))),
    h('tbody', {}, ...statuses.map(roleRow)));
  const thr = (key: string, label: string, min: number, max: number) => h('label', { class: 'field' },
    h('span', {}, label, ' ', m(`thresholds.${key}`)),
    h('input', { type: 'number', step: '0.05', min, max, name: `thresholds.${key}`, 'data-testid': `input-thresholds.${key}`, value: Number(Number(v(`thresholds.${key}`)).toFixed(3)) }));
  const fieldId = (key: string, label: string) => h('label', { class: 'field' },
    h('span', {}, label, ' ', m(`fields.${key}`)),
    h('input', { name: `fields.${key}`, 'data-testid': `input-fields.${key}`, placeholder: `as discovered (e.g. ${FIELD_ID_HINT})`, spellcheck: 'false', value: (v(`fields.${key}`) as string | null) ?? '' }));
  const ws = (v('workSchedule') as { timeZone?: string; working?: boolean; workingDays?: string[]; hours?: { start: string; end: string }; holidays?: string[] } | null) ?? null;
  const tenantLimits = limitsOf(s);
  let wsFields: HTMLElement;
  const form = h('form', { class: 'settings-form', 'data-testid': 'tenant-settings', novalidate: true },
    h('h2', { class: 'section-title' }, 'Site-wide settings'),
    h('p', { class: 'subtle' }, 'These apply to every project of this Jira site.'),
    h('h3', { id: 'status-roles' }, 'Status roles'), h('p', { class: 'subtle' }, 'Each row shows the status\u2019s effective role: set here, the default, or from its Jira category (to do = backlog, in progress = active, done = done). A status with no role is never counted as work in progress.'),
    h('div', { class: 'table-wrap' }, roleTable), addStatus,
    h('h3', {}, 'Bottleneck thresholds'),
    h('div', { class: 'row' }, thr('time', 'Time ratio T (1.0–10.0)', 1, 10), thr('wip', 'WIP ratio W (1.0–10.0)', 1, 10), thr('throughput', 'Throughput change D (−1.0–1.0)', -1, 1)),
    h('div', { class: 'row' }, h('label', { class: 'field check' },
      h('input', { type: 'checkbox', name: 'bottleneck.xmrSignal', 'data-testid': 'input-bottleneck.xmrSignal', checked: v('bottleneck.xmrSignal') === true }),
      'Also score a time in status above its upper process limit (XmR, +1) ', m('bottleneck.xmrSignal'))),
    h('h3', {}, 'Jira fields'),
    h('p', { class: 'subtle' }, 'The custom fields story points and sprints are read from. Leave empty to use the ones BottleneckIQ discovered.'),
    h('div', { class: 'row' }, fieldId('storyPoints', 'Story points field id'), fieldId('sprint', 'Sprint field id')),
    h('h3', {}, 'Work schedule ', m('workSchedule')),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'ws.on', 'data-testid': 'input-ws.on', checked: ws !== null }), 'Use a schedule')),
    wsFields = h('fieldset', { class: 'ws-fields', 'data-testid': 'ws-fields', disabled: ws === null },
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'ws.working', 'data-testid': 'input-ws.working', checked: ws?.working ?? true }), 'Count working time only'),
      h('label', { class: 'field' }, h('span', {}, 'Time zone (IANA)'), h('input', { name: 'ws.tz', value: ws?.timeZone ?? 'UTC' })),
      h('label', { class: 'field' }, h('span', {}, 'Hours'), h('span', { class: 'pair' },
        h('input', { type: 'time', name: 'ws.start', value: ws?.hours?.start ?? '09:00' }), '–', h('input', { type: 'time', name: 'ws.end', value: ws?.hours?.end ?? '17:00' })))),
    h('div', { class: 'row days' }, ...DAYS.map((d) => h('label', { class: 'field check' },
      h('input', { type: 'checkbox', name: `ws.day.${d}`, checked: (ws?.workingDays ?? DAYS.slice(0, 5)).includes(d) }), d))),
    h('label', { class: 'field wide' }, h('span', {}, 'Holidays (YYYY-MM-DD, one per line)'), h('textarea', { name: 'ws.holidays', rows: 2 }, (ws?.holidays ?? []).join('\n')))),
    h('h3', {}, 'Tenant-wide WIP limits ', m('wipLimits')),
    h('p', { class: 'subtle', 'data-testid': 'wip-precedence' }, 'Apply to every project. A project\'s own limit for a status wins over the tenant-wide one (limit and breach minutes together); project administrators set those in their project\'s settings.'),
    wipTable('tenant', statuses, tenantLimits, project ? 'This project\'s own limit (wins)' : null, limitsOf(project)),
    h('h3', {}, 'Explanations and notifications'),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'aiExplanations', 'data-testid': 'input-aiExplanations', checked: v('aiExplanations') === true }),
        'AI-worded explanations ', m('aiExplanations'),
        opts.aiAvailable === false ? h('span', { class: 'lozenge lozenge-removed small', 'data-testid': 'ai-unavailable', title: 'The BottleneckIQ service has no model API key: explanations use the template.' }, 'unavailable: no API key') : null),
      h('label', { class: 'field' }, h('span', {}, 'Notification e-mail ', m('notificationEmail')),
        h('input', { type: 'email', name: 'notificationEmail', value: (v('notificationEmail') as string | null) ?? '' }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'save-tenant' }, 'Save settings'), ctx.msg));
  // "Use a schedule" off: its dependents are disabled (and not sent).
  form.querySelector<HTMLInputElement>('input[name="ws.on"]')!.addEventListener('change', (e) => {
    (wsFields as HTMLFieldSetElement).disabled = !(e.target as HTMLInputElement).checked;
  });
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
      const next = [...old.filter((id) => !shown.has(id)), ...[...f.querySelectorAll<HTMLInputElement>(`input[data-role="${r}"]:checked:not([data-inherited])`)].map((i) => i.dataset.status!)];
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
    if (chk('bottleneck.xmrSignal') !== (v('bottleneck.xmrSignal') === true)) changed['bottleneck.xmrSignal'] = chk('bottleneck.xmrSignal');
    const email = val('notificationEmail').trim() || null;
    if (email !== (v('notificationEmail') ?? null)) changed.notificationEmail = email;
    if (Object.keys(changed).length === 0) { status(ctx.msg, 'ok', 'Nothing changed.'); return; }
    void save(ctx, changed);
  });
  return form;
}

type SleValue = { percentile: number; days: number };
const SLE_INPUT = 'width:5em;display:inline-block';

/** "P% of items finish within D days": empty = none (nobody is at risk);
 * the data's suggestion is shown beside it and applied only when saved. */
function sleFields(s: Settings, ctx: Ctx): HTMLElement {
  const cur = (s.fields.sle?.value as SleValue | null | undefined) ?? null;
  const sug = s.suggestions?.sle ?? null;
  const pct = h('input', { name: 'sle.percentile', 'data-testid': 'input-sle-percentile', type: 'number', min: '50', max: '99', style: SLE_INPUT, value: cur ? String(cur.percentile) : '' }) as HTMLInputElement;
  const dys = h('input', { name: 'sle.days', 'data-testid': 'input-sle-days', type: 'number', min: '1', max: '365', style: SLE_INPUT, value: cur ? String(cur.days) : '' }) as HTMLInputElement;
  return h('fieldset', { class: 'field wide', 'data-testid': 'sle' },
    h('span', {}, 'Service level expectation ', meta(s, 'sle', ctx)),
    h('span', { style: 'display:flex;align-items:center;gap:.4em' }, pct, '% of items finish within ', dys, ' days'),
    h('p', { class: 'subtle', 'data-testid': 'sle-suggestion' }, sug
      ? `Suggested from the last ${sug.basisDays} days: ${sug.percentile}% within ${sug.days} days (P85 of ${sug.n} cycle times). Not applied until you save it.`
      : 'No suggestion: nothing finished in the last 90 days.'));
}

function readSle(form: HTMLElement): SleValue | null {
  const p = form.querySelector<HTMLInputElement>('input[name="sle.percentile"]')!.value.trim();
  const d = form.querySelector<HTMLInputElement>('input[name="sle.days"]')!.value.trim();
  // Both empty: none. Anything else goes to the backend, which names what is wrong.
  return p === '' && d === '' ? null : { percentile: Number(p), days: Number(d) };
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
    sleFields(s, ctx),
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
    const sle = readSle(form);
    if (JSON.stringify(sle) !== JSON.stringify(s.fields.sle?.value ?? null)) changed.sle = sle;
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
    } }, 'Request backfill'), msg));
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

/**
 * The statuses a site settings form shows when the page has no project to
 * take them from: the backend's catalogue when GET /tenant gives one, plus
 * every status the settings name (roles, WIP limits) by id.
 */
export function statusesForSite(tenant: Tenant | null, s: Settings | null, added: Array<string | { id: string; name: string }> = []): Dashboard['statuses'] {
  const rows: Dashboard['statuses'] = [];
  const seen = new Set<string>();
  const push = (id: string, name: string, category = '') => {
    if (seen.has(id)) return;
    seen.add(id);
    rows.push({ id, name, category, role: '' } as Dashboard['statuses'][number]);
  };
  for (const st of tenant?.statuses ?? []) push(String(st.id), st.name, st.category);
  for (const a of added) if (typeof a !== 'string') push(a.id, a.name);
  const ids: string[] = [];
  for (const r of ROLES) ids.push(...(((s?.fields[`statusRoles.${r}`]?.value as unknown[]) ?? []).map(String)));
  ids.push(...limitsOf(s).map((l) => l.statusId), ...added.filter((a): a is string => typeof a === 'string'));
  for (const id of ids) push(id, `Status ${id}`);
  return rows;
}

/** The site settings card (admin page): loads the tenant settings and paints the form. */
export function renderSiteSettings(tenant: Tenant | null): HTMLElement {
  const box = h('section', { class: 'card', 'data-testid': 'site-settings' }, stateMsg('loading', 'Loading settings…'));
  // ?assign=ID:Name,… (the Overview's unknown-status notice): those rows are added, marked and scrolled to.
  const assign = (new URLSearchParams(location.search).get('assign') ?? '').split(',').map((x) => x.trim()).filter(Boolean)
    .map((x) => { const i = x.indexOf(':'); return i < 0 ? { id: x, name: `Status ${x}` } : { id: x.slice(0, i), name: x.slice(i + 1) || `Status ${x.slice(0, i)}` }; })
    .filter((x) => /^[0-9A-Za-z_-]{1,40}$/.test(x.id));
  const needRole = new Set(assign.map((x) => x.id));
  const aiAvailable = tenant?.ai?.available ?? tenant?.settings?.aiAvailable ?? null;
  const state = { s: null as Settings | null, added: [...assign] as Array<string | { id: string; name: string }>, scrolled: false };
  const SAVED = 'Saved. Dashboards are recomputed with the new settings.';
  const addId = h('input', { type: 'number', min: 1, step: 1, class: 'num-input', 'aria-label': 'Status id', 'data-testid': 'add-status-id', placeholder: 'status id' }) as HTMLInputElement;
  const paint = (note: Note) => {
    if (!state.s) return;
    const ctx: Ctx = { put: (b) => api.putTenantSettings(b), msg: msgBox('tenant-settings-msg', note), done: (s) => { state.s = s; paint({ kind: 'ok', text: SAVED }); } };
    const statuses = statusesForSite(tenant, state.s, state.added);
    // Without the backend's status catalogue, statuses are rows by id: add one to give it a role or a limit.
    const add = tenant?.statuses?.length ? null : h('div', { class: 'row add-status' },
      h('p', { class: 'subtle' }, statuses.length ? 'Statuses are listed by id (their names are on each project\'s pages). Another one:'
        : 'No status has a role or limit yet. Statuses are listed by id here (their names are on each project\'s pages); add one to give it a role or a limit:'),
      addId, h('button', { type: 'button', class: 'btn', 'data-testid': 'add-status', onclick: () => {
        const id = addId.value.trim();
        if (/^[1-9][0-9]{0,17}$/.test(id) && !state.added.some((a) => (typeof a === 'string' ? a : a.id) === id)) { state.added.push(id); paint(null); }
      } }, 'Add status'));
    const assignNote = assign.length ? h('div', { class: 'banner banner-warning', role: 'status', 'data-testid': 'assign-note' },
      `These statuses have no role yet: ${assign.map((x) => `${x.name} (${x.id})`).join(', ')}. Tick one role for each in the table below and save. `,
      ...assign.map((x, i) => [i ? ' · ' : '', h('a', { href: `#status-role-${x.id}` }, x.name)]).flat()) : null;
    box.replaceChildren(...[assignNote, tenantForm(state.s, null, statuses, ctx, add, { needRole, aiAvailable })].filter((x): x is HTMLElement => x !== null));
    if (assign.length && !state.scrolled) {
      state.scrolled = true;
      requestAnimationFrame(() => box.querySelector(`#status-role-${CSS.escape(assign[0].id)}`)?.scrollIntoView({ block: 'center' }));
    }
  };
  api.tenantSettings().then((s) => { state.s = s; paint(null); }, (e) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e))));
  return box;
}

/**
 * The project settings card (project settings page): the project's WIP limits
 * and excluded issue types; the tenant-wide limits beside them, read-only.
 * onSaved runs after a save (the page reloads what depends on it).
 */
export function renderProjectSettings(key: string, statuses: Dashboard['statuses'], onSaved: Saved = () => undefined): HTMLElement {
  const box = h('section', { class: 'card', 'data-testid': 'project-settings-card' }, stateMsg('loading', 'Loading project settings…'));
  const state = { project: null as Settings | null, tenant: null as Settings | null };
  const SAVED = `Saved. ${key}'s dashboard is recomputed with the new settings.`;
  const paint = (note: Note) => {
    if (!state.project) return;
    const ctx: Ctx = { put: (b) => api.putProjectSettings(key, b), msg: msgBox('project-settings-msg', note), done: (s) => { state.project = s; paint({ kind: 'ok', text: SAVED }); onSaved(); } };
    box.replaceChildren(projectForm(key, state.project, state.tenant, statuses, ctx));
  };
  const fail = (e: unknown) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e)));
  // The tenant's limits are shown for reference; without them the form still works.
  const tenantP = api.tenantSettings().then((s) => { state.tenant = s; }, () => undefined);
  const projectP = api.projectSettings(key).then((s) => { state.project = s; }, fail);
  void Promise.all([tenantP, projectP]).then(() => paint(null));
  return box;
}

/**
 * The backfill panel of every project (admin page): the projects GET /tenant
 * lists with their sync state, each with "Request backfill", and a project
 * key field for one it does not list.
 */
export function allProjectsBackfill(tenant: Tenant | null): HTMLElement {
  const msg = h('div', { class: 'form-msg', 'data-testid': 'backfill-all-msg' });
  const request = async (key: string) => {
    msg.replaceChildren(h('span', { class: 'subtle' }, `Requesting a backfill of ${key}…`));
    try { await api.requestBackfill(key); status(msg, 'ok', `Backfill of ${key} requested: it starts within a few minutes.`); } catch (e) {
      status(msg, 'error', errText(e));
    }
  };
  const projects = tenant?.projects ?? [];
  const keyInput = h('input', { name: 'backfillKey', class: 'key-input', 'data-testid': 'backfill-key', maxlength: 30, spellcheck: 'false', placeholder: 'PROJECT KEY', 'aria-label': 'Project key' }) as HTMLInputElement;
  const form = h('form', { class: 'row', 'data-testid': 'backfill-any', novalidate: true },
    h('label', { class: 'field' }, h('span', {}, 'Project key'), keyInput),
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'backfill-any-request' }, 'Request backfill'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const key = keyInput.value.trim().toUpperCase();
    if (!/^[A-Z][A-Z0-9_]{0,29}$/.test(key)) { status(msg, 'error', `"${keyInput.value}" is not a project key.`); return; }
    void request(key);
  });
  const label = (b?: { state: string; received: number; total: number }) => !b ? '—'
    : `${b.state}${b.total > 0 ? `: ${b.received} of ~${b.total} issues` : ''}`;
  return h('section', { class: 'card', 'data-testid': 'backfill-all' },
    h('h3', {}, 'History backfill'),
    h('p', { class: 'subtle' }, 'Reads a project\'s whole history from Jira again (new fields, a failed or capped run). Projects are read by the app, within its scopes.'),
    projects.length === 0 ? null : h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'backfill-projects' },
      h('thead', {}, h('tr', {}, ...['Project', 'Last sync', 'Backfill', ''].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...projects.map((p) => h('tr', { 'data-testid': 'backfill-project', 'data-key': p.key },
        h('td', { class: 'strong' }, p.key, p.name ? h('span', { class: 'subtle' }, ` ${p.name}`) : null),
        h('td', {}, ago(p.lastSyncAt ?? null)),
        h('td', { 'data-col': 'backfill' }, label(p.backfill)),
        h('td', { class: 'row-actions' }, h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `backfill-request-${p.key}`, onclick: () => void request(p.key) }, 'Request backfill'))))))),
    form, msg);
}
