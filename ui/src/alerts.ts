/* alerts.ts - alert rules (list, create, edit, enable/disable, delete; params
 * per kind, cooldown, bound destinations) and delivery destinations (list,
 * create, edit, delete, "Send test"), for two pages:
 *   - the admin page (site admin): every rule, site-wide (projectKey null) or
 *     of one project, and the destinations with all their controls;
 *   - the project settings page (project admin): the project's own rules,
 *     bound to destinations a site admin made (listed read-only, targets
 *     masked).
 * A validation error (422) is shown next to its form in the backend's words;
 * after any change both lists are reloaded, since deleting a destination can
 * unbind it from rules. */
import { api, errText, type AlertRule, type Dashboard, type Destination, type DestinationKind, type RuleKind } from './api';
import { dateTime, h, stateMsg, status } from './dom';
import { KIND_LABEL } from './overview';

type Statuses = Dashboard['statuses'];
/** Whose alerts a page manages. */
export interface AlertScope {
  /** The project admin's project: its rules only, always of this project. Null on the admin page. */
  project: string | null;
  /** Site admin: create, edit, test and delete destinations. Otherwise they are listed read-only. */
  manageDestinations: boolean;
  /** Project keys offered for a rule on the admin page (when the backend lists them). */
  projects?: string[];
}
interface ParamSpec { key: string; label: string; type: 'status' | 'int' | 'metric'; min?: number; max?: number; def?: number; anyStatus?: boolean }

/** The params of each kind, with the backend's defaults and ranges. */
const PARAMS: Record<RuleKind, ParamSpec[]> = {
  stuck_in_status: [{ key: 'statusId', label: 'Status', type: 'status', anyStatus: true },
    { key: 'thresholdHours', label: 'Longer than (hours, 1–8760)', type: 'int', min: 1, max: 8760, def: 24 }],
  cycle_time_exceeded: [{ key: 'days', label: 'Cycle time over (days, 1–365)', type: 'int', min: 1, max: 365, def: 14 }],
  no_activity: [{ key: 'days', label: 'No change for (days, 1–365)', type: 'int', min: 1, max: 365, def: 7 }],
  trend_worsening: [{ key: 'metric', label: 'Metric', type: 'metric' },
    { key: 'percent', label: 'Worse by at least (%, 1–500)', type: 'int', min: 1, max: 500, def: 30 }],
  wip_breach: [{ key: 'statusId', label: 'Status (over its WIP limit for its breach minutes)', type: 'status' }],
  sle_at_risk: [], /* against the project's SLE (project settings) */
};
const KINDS = Object.keys(PARAMS) as RuleKind[];
const METRICS: Record<string, string> = { leadTime: 'Lead time', timeInStatus: 'Time in status', wip: 'WIP', throughput: 'Throughput' };
const DEST_KIND: Record<DestinationKind, { label: string; target: string; field: 'address' | 'url'; placeholder: string }> = {
  email: { label: 'E-mail', target: 'E-mail address', field: 'address', placeholder: 'team@example.com' },
  slack: { label: 'Slack', target: 'Slack incoming webhook URL', field: 'url', placeholder: 'https://hooks.slack.com/services/…' },
  teams: { label: 'Microsoft Teams', target: 'Teams workflow webhook URL', field: 'url', placeholder: 'https://….logic.azure.com/workflows/…' },
};
const COOLDOWN_DEFAULT = 60;
const CONFIRM_MS = 5000;
/** "Send test" is queued by the backend; its result is polled this often, this long. */
const TEST_POLL_MS = 500;
const TEST_POLL_LIMIT_MS = 30_000;

const statusName = (statuses: Statuses, id: unknown) => statuses.find((s) => s.id === String(id))?.name ?? `status ${id}`;

function condition(r: AlertRule, statuses: Statuses): string {
  const p = r.params;
  switch (r.kind) {
    case 'stuck_in_status': return `${p.statusId == null ? 'Any status' : statusName(statuses, p.statusId)} for more than ${p.thresholdHours} h`;
    case 'cycle_time_exceeded': return `Cycle time over ${p.days} days`;
    case 'no_activity': return `No change for ${p.days} days`;
    case 'trend_worsening': return `${METRICS[String(p.metric)] ?? p.metric} worse by ${p.percent}% or more (week on week)`;
    case 'wip_breach': return `${statusName(statuses, p.statusId)} over its WIP limit`;
    case 'sle_at_risk': return 'Work in progress at risk of missing the project\'s SLE';
    default: return JSON.stringify(p);
  }
}

/** A button that asks once more before it acts (no browser dialog: Forge iframes may block them). */
function confirmButton(testid: string, act: () => void): HTMLElement {
  const b = h('button', { type: 'button', class: 'btn-link danger', 'data-testid': testid }, 'Delete') as HTMLButtonElement;
  let timer = 0;
  b.addEventListener('click', () => {
    if (b.dataset.armed) { clearTimeout(timer); act(); return; }
    b.dataset.armed = 'true';
    b.textContent = 'Confirm delete';
    timer = window.setTimeout(() => { delete b.dataset.armed; b.textContent = 'Delete'; }, CONFIRM_MS);
  });
  return b;
}

function paramInput(spec: ParamSpec, value: unknown, statuses: Statuses): HTMLElement {
  const name = `param.${spec.key}`;
  let input: HTMLElement;
  if (spec.type === 'status' && statuses.length === 0) {
    // No status catalogue on this page (the admin page has no project): the id itself.
    input = h('input', { type: 'number', name, 'data-testid': `rule-${name}`, class: 'num-input', min: 1, step: 1,
      placeholder: spec.anyStatus ? 'any status' : 'status id', value: value == null ? '' : String(value) });
  } else if (spec.type === 'status') {
    const ids = statuses.filter((s) => !s.terminal && s.role !== 'done').map((s) => s.id);
    if (value != null && !ids.includes(String(value))) ids.push(String(value));
    input = h('select', { name, 'data-testid': `rule-${name}` },
      spec.anyStatus ? h('option', { value: '', selected: value == null }, 'Any status') : h('option', { value: '', selected: value == null }, 'Choose a status…'),
      ...ids.map((id) => h('option', { value: id, selected: value != null && String(value) === id }, statusName(statuses, id))));
  } else if (spec.type === 'metric') {
    input = h('select', { name, 'data-testid': `rule-${name}` }, h('option', { value: '', selected: value == null }, 'Choose a metric…'),
      ...Object.entries(METRICS).map(([k, l]) => h('option', { value: k, selected: value === k }, l)));
  } else {
    input = h('input', { type: 'number', name, 'data-testid': `rule-${name}`, class: 'num-input', min: spec.min, max: spec.max, step: 1, placeholder: String(spec.def ?? ''), value: value == null ? '' : String(value) });
  }
  return h('label', { class: 'field' }, h('span', {}, spec.label), input);
}

/** Rule editor; rule null = a new rule. save(body) resolves on success, throws to show an error. */
/** The projectKey a rule body carries: the project admin's project; on the admin page the
 * chosen one, or none for a site-wide rule (the backend's default, null). */
function withProject(body: Record<string, unknown>, projectKey: string | null | undefined): Record<string, unknown> {
  return projectKey ? { ...body, projectKey } : body;
}

const KEY_RE = /^[A-Z][A-Z0-9_]{0,29}$/;

function ruleForm(rule: AlertRule | null, statuses: Statuses, dests: Destination[], scope: AlertScope, save: (body: unknown) => Promise<void>, cancel: () => void): HTMLElement {
  const msg = h('div', { class: 'form-msg', 'data-testid': 'rule-form-msg' });
  const kind = h('select', { name: 'kind', 'data-testid': 'rule-kind', disabled: rule !== null },
    ...KINDS.map((k) => h('option', { value: k, selected: (rule?.kind ?? 'stuck_in_status') === k }, KIND_LABEL[k] ?? k))) as HTMLSelectElement;
  const params = h('div', { class: 'row' });
  const fillParams = () => params.replaceChildren(...PARAMS[kind.value as RuleKind].map((spec) =>
    paramInput(spec, rule && rule.kind === kind.value ? rule.params[spec.key] : null, statuses)));
  fillParams();
  kind.addEventListener('change', fillParams);
  const defaults = dests.filter((d) => d.isDefault).map((d) => d.name);
  // Admin page: a rule is site-wide or of one project. Project settings page: always its project.
  const appliesTo = scope.project ? null : h('label', { class: 'field' }, h('span', {}, 'Project (empty: every project)'),
    h('input', { name: 'projectKey', 'data-testid': 'rule-project', list: 'biq-project-keys', class: 'key-input', maxlength: 30, spellcheck: 'false',
      placeholder: 'all projects', value: rule?.projectKey ?? '' }),
    h('datalist', { id: 'biq-project-keys' }, ...(scope.projects ?? []).map((k) => h('option', { value: k }))));
  const form = h('form', { class: 'inline-form', 'data-testid': 'rule-form', novalidate: true },
    h('h4', {}, rule ? `Edit rule “${rule.name}”` : scope.project ? `New alert rule for ${scope.project}` : 'New alert rule'),
    h('div', { class: 'row' },
      h('label', { class: 'field' }, h('span', {}, 'Kind'), kind),
      h('label', { class: 'field grow' }, h('span', {}, 'Name'), h('input', { name: 'name', 'data-testid': 'rule-name', maxlength: 200, placeholder: 'defaults to the kind', value: rule?.name ?? '' })),
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'enabled', 'data-testid': 'rule-enabled', checked: rule?.enabled ?? true }), 'Enabled'),
      appliesTo),
    params,
    h('div', { class: 'row' },
      h('label', { class: 'field' }, h('span', {}, 'Cooldown per destination (minutes, 5–10080)'),
        h('input', { type: 'number', name: 'cooldownMinutes', 'data-testid': 'rule-cooldown', class: 'num-input', min: 5, max: 10080, step: 1, value: String(rule?.cooldownMinutes ?? COOLDOWN_DEFAULT) }))),
    h('fieldset', { class: 'dest-pick' }, h('legend', {}, 'Send to'),
      dests.length === 0 ? h('p', { class: 'subtle' }, scope.manageDestinations ? 'No destinations yet: add one under Delivery destinations.'
        : 'No destinations yet: a Jira administrator adds them on BottleneckIQ\'s admin page.') : null,
      ...dests.map((d) => h('label', { class: 'field check' },
        h('input', { type: 'checkbox', name: 'dest', value: String(d.id), 'data-testid': `rule-dest-${d.id}`, checked: rule?.destinationIds.includes(d.id) ?? false }),
        `${d.name} (${DEST_KIND[d.kind]?.label ?? d.kind})`)),
      h('p', { class: 'subtle' }, `None checked: the tenant default destinations receive it${defaults.length ? ` (${defaults.join(', ')})` : ' (none set yet)'}.`)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'rule-save' }, rule ? 'Save rule' : 'Create rule'),
      h('button', { type: 'button', class: 'btn', onclick: cancel }, 'Cancel'), msg));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = form as HTMLFormElement;
    const val = (n: string) => (f.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value.trim();
    const p: Record<string, unknown> = {};
    for (const spec of PARAMS[kind.value as RuleKind]) {
      const v = val(`param.${spec.key}`);
      if (spec.type === 'status') p[spec.key] = v === '' ? null : Number(v); // the rules API takes status ids as integers
      else if (spec.type === 'metric') { if (v !== '') p[spec.key] = v; }
      else if (v !== '') p[spec.key] = Number(v); // empty: the backend's default
    }
    const project = scope.project ?? val('projectKey').toUpperCase();
    if (project && !KEY_RE.test(project)) { status(msg, 'error', `projectKey: "${project}" is not a project key`); return; }
    const body = withProject({
      kind: kind.value, name: val('name') || (KIND_LABEL[kind.value] ?? kind.value), enabled: (f.elements.namedItem('enabled') as HTMLInputElement).checked,
      params: p, cooldownMinutes: val('cooldownMinutes') === '' ? COOLDOWN_DEFAULT : Number(val('cooldownMinutes')),
      destinationIds: [...f.querySelectorAll<HTMLInputElement>('input[name=dest]:checked')].map((i) => Number(i.value)),
    }, project || null);
    msg.replaceChildren(h('span', { class: 'subtle' }, 'Saving…'));
    save(body).catch((err) => status(msg, 'error', errText(err)));
  });
  return form;
}

function destForm(dest: Destination | null, save: (body: unknown) => Promise<void>, cancel: () => void): HTMLElement {
  const msg = h('div', { class: 'form-msg', 'data-testid': 'dest-form-msg' });
  const kind = h('select', { name: 'kind', 'data-testid': 'dest-kind', disabled: dest !== null },
    ...(Object.keys(DEST_KIND) as DestinationKind[]).map((k) => h('option', { value: k, selected: (dest?.kind ?? 'slack') === k }, DEST_KIND[k].label))) as HTMLSelectElement;
  const targetLabel = h('span', {});
  // Write-only: the stored address or URL is never sent back, only its last 4 characters.
  const target = h('input', { name: 'target', 'data-testid': 'dest-target', autocomplete: 'off', spellcheck: 'false', class: 'grow' }) as HTMLInputElement;
  const setKind = () => {
    const k = DEST_KIND[kind.value as DestinationKind];
    targetLabel.textContent = dest ? `${k.target} (stored, ends “…${dest.targetHint}”)` : k.target;
    target.placeholder = dest ? 'leave empty to keep the stored one' : k.placeholder;
    target.type = kind.value === 'email' ? 'email' : 'url';
  };
  setKind();
  kind.addEventListener('change', setKind);
  const form = h('form', { class: 'inline-form', 'data-testid': 'dest-form', novalidate: true },
    h('h4', {}, dest ? `Edit destination “${dest.name}”` : 'New destination'),
    h('div', { class: 'row' },
      h('label', { class: 'field' }, h('span', {}, 'Kind'), kind),
      h('label', { class: 'field' }, h('span', {}, 'Name'), h('input', { name: 'name', 'data-testid': 'dest-name', maxlength: 200, value: dest?.name ?? '' }))),
    h('label', { class: 'field wide' }, targetLabel, target),
    h('p', { class: 'subtle' }, 'Addresses and URLs are write-only: once saved, only their last 4 characters are shown. Webhooks must be HTTPS to Slack’s or Microsoft’s own hosts.'),
    h('div', { class: 'row' },
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'isDefault', 'data-testid': 'dest-default', checked: dest?.isDefault ?? false }), 'Tenant default (rules with no destination of their own send here)'),
      h('label', { class: 'field check' }, h('input', { type: 'checkbox', name: 'active', 'data-testid': 'dest-active', checked: dest?.active ?? true }), 'Active')),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn-primary', 'data-testid': 'dest-save' }, dest ? 'Save destination' : 'Add destination'),
      h('button', { type: 'button', class: 'btn', onclick: cancel }, 'Cancel'), msg));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = form as HTMLFormElement;
    const k = kind.value as DestinationKind;
    const body: Record<string, unknown> = {
      kind: k, name: (f.elements.namedItem('name') as HTMLInputElement).value.trim(),
      isDefault: (f.elements.namedItem('isDefault') as HTMLInputElement).checked,
      active: (f.elements.namedItem('active') as HTMLInputElement).checked,
    };
    if (target.value.trim() !== '' || !dest) body[DEST_KIND[k].field] = target.value.trim();
    msg.replaceChildren(h('span', { class: 'subtle' }, 'Saving…'));
    save(body).catch((err) => status(msg, 'error', errText(err)));
  });
  return form;
}

function destState(d: Destination): HTMLElement {
  const paused = d.state === 'paused' || !d.active;
  return h('span', { 'data-testid': 'dest-state' },
    h('span', { class: `lozenge ${paused ? 'lozenge-removed' : 'lozenge-success'}` }, paused ? 'paused' : 'active'),
    d.consecutiveFailures > 0 ? h('span', { class: 'subtle' }, ` ${d.consecutiveFailures} failure${d.consecutiveFailures === 1 ? '' : 's'} in a row`) : null);
}

function lastTest(d: Destination): HTMLElement {
  const t = d.lastTest;
  if (!t) return h('span', { class: 'subtle', 'data-testid': 'dest-last-test' }, 'never');
  return h('span', { 'data-testid': 'dest-last-test', 'data-ok': String(t.ok), title: t.at },
    h('span', { class: t.ok ? 'msg-ok' : 'msg-error' }, t.ok ? 'OK' : 'Failed'), h('span', { class: 'subtle' }, ` · ${t.detail} · ${dateTime(t.at)}`));
}

/** Renders both cards; they load on their own. */
export function renderAlerts(statuses: Statuses, scope: AlertScope): HTMLElement {
  const state = { rules: [] as AlertRule[], dests: [] as Destination[], editRule: undefined as AlertRule | null | undefined, editDest: undefined as Destination | null | undefined };
  const rulesBody = h('div', {}, stateMsg('loading', 'Loading alert rules…'));
  const destsBody = h('div', {}, stateMsg('loading', 'Loading destinations…'));
  const rulesMsg = h('div', { class: 'form-msg', 'data-testid': 'rules-msg' });
  const destsMsg = h('div', { class: 'form-msg', 'data-testid': 'dests-msg' });
  const ruleSlot = h('div', {});
  const destSlot = h('div', {});

  const reload = async (): Promise<void> => {
    try {
      [state.rules, state.dests] = await Promise.all([api.alertRules(), api.destinations()]);
      paint();
    } catch (e) {
      rulesBody.replaceChildren(stateMsg('error', errText(e)));
      destsBody.replaceChildren(stateMsg('error', errText(e)));
    }
  };
  /** Runs a change; on success closes the forms, reloads and says so in msg. Rethrows for the form to show. */
  const change = async (msg: HTMLElement, what: () => Promise<unknown>, done: string): Promise<void> => {
    await what();
    state.editRule = undefined;
    state.editDest = undefined;
    await reload();
    status(msg, 'ok', done);
  };
  const failTo = (msg: HTMLElement) => (e: unknown) => status(msg, 'error', errText(e));

  const paintRuleForm = () => ruleSlot.replaceChildren(state.editRule === undefined ? '' : ruleForm(state.editRule, statuses, state.dests, scope,
    (body) => state.editRule ? change(rulesMsg, () => api.putAlertRule(state.editRule!.id, body), 'Rule saved.') : change(rulesMsg, () => api.createAlertRule(body), 'Rule created.'),
    () => { state.editRule = undefined; paintRuleForm(); }));
  const paintDestForm = () => destSlot.replaceChildren(state.editDest === undefined ? '' : destForm(state.editDest,
    (body) => state.editDest ? change(destsMsg, () => api.putDestination(state.editDest!.id, body), 'Destination saved.') : change(destsMsg, () => api.createDestination(body), 'Destination added.'),
    () => { state.editDest = undefined; paintDestForm(); }));

  const ruleBody = (r: AlertRule, enabled: boolean) => withProject({ kind: r.kind, name: r.name, enabled, params: r.params, cooldownMinutes: r.cooldownMinutes, destinationIds: r.destinationIds },
    scope.project ?? r.projectKey);
  const destNames = (r: AlertRule) => r.destinationIds.length === 0 ? h('span', { class: 'subtle' }, 'tenant defaults')
    : r.destinationIds.map((id) => state.dests.find((d) => d.id === id)?.name ?? `#${id}`).join(', ');

  const paintRules = () => {
    rulesBody.replaceChildren(state.rules.length === 0 ? h('p', { class: 'subtle', 'data-testid': 'rules-empty' }, 'No alert rules yet.') :
      h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'rules-table' },
        h('thead', {}, h('tr', {}, ...['On', 'Rule', ...(scope.project ? [] : ['Project']), 'Condition', 'Cooldown', 'Sends to', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, ...state.rules.map((r) => h('tr', { 'data-testid': 'rule-row', 'data-id': r.id, 'data-name': r.name, class: r.enabled ? '' : 'disabled' },
          h('td', {}, h('input', { type: 'checkbox', 'aria-label': `${r.name} enabled`, 'data-testid': `rule-toggle-${r.id}`, checked: r.enabled,
            onchange: (e: Event) => void change(rulesMsg, () => api.putAlertRule(r.id, ruleBody(r, (e.target as HTMLInputElement).checked)),
              `“${r.name}” ${(e.target as HTMLInputElement).checked ? 'enabled' : 'disabled'}.`).catch(failTo(rulesMsg)) })),
          h('td', {}, h('div', { class: 'strong', 'data-col': 'name' }, r.name), h('div', { class: 'subtle', 'data-col': 'kind' }, KIND_LABEL[r.kind] ?? r.kind)),
          scope.project ? null : h('td', { 'data-col': 'project' }, r.projectKey ?? h('span', { class: 'subtle' }, 'All projects')),
          h('td', { 'data-col': 'condition' }, condition(r, statuses)),
          h('td', { class: 'num', 'data-col': 'cooldown' }, `${r.cooldownMinutes} min`),
          h('td', { 'data-col': 'destinations' }, destNames(r)),
          h('td', { class: 'row-actions' },
            h('button', { type: 'button', class: 'btn-link', 'data-testid': `rule-edit-${r.id}`, onclick: () => { state.editRule = r; paintRuleForm(); } }, 'Edit'),
            confirmButton(`rule-delete-${r.id}`, () => void change(rulesMsg, () => api.deleteAlertRule(r.id), `Rule “${r.name}” deleted.`).catch(failTo(rulesMsg))))))))));
  };

  /** Polls a queued test until it is delivered or failed (the backend sends
   * it off the request threads), or TEST_POLL_LIMIT_MS passes. */
  const testOutcome = async (d: Destination, testId: string) => {
    for (let waited = 0; waited < TEST_POLL_LIMIT_MS; waited += TEST_POLL_MS) {
      const r = await api.testResult(d.id, testId);
      if (r.state === 'delivered' || r.state === 'failed') return r;
      await new Promise((done) => setTimeout(done, TEST_POLL_MS));
    }
    throw new Error(`The test to “${d.name}” is still on its way; its result will show in “Last test”.`);
  };

  const sendTest = async (d: Destination) => {
    const out = h('span', { class: 'subtle' }, `Sending a test message to “${d.name}”…`);
    destsMsg.replaceChildren(out);
    try {
      const queued = await api.testDestination(d.id);
      const r = await testOutcome(d, queued.testId);
      await reload();
      destsMsg.replaceChildren(h('div', { 'data-testid': 'dest-test-result', 'data-ok': String(r.ok), class: r.ok ? 'msg-ok' : 'msg-error', role: r.ok ? 'status' : 'alert' },
        r.ok ? `Test message delivered to “${d.name}” (${r.detail ?? 'ok'}).`
          : `Test to “${d.name}” failed after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${r.detail}. Check the address or URL, and that the service accepts it.`));
    } catch (e) {
      status(destsMsg, 'error', errText(e));
    }
  };

  const paintDests = () => {
    destsBody.replaceChildren(state.dests.length === 0 ? h('p', { class: 'subtle', 'data-testid': 'dests-empty' }, 'No destinations yet.') :
      h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'dests-table' },
        h('thead', {}, h('tr', {}, ...['Name', 'Kind', 'Target', 'Default', 'State', 'Last test', ...(scope.manageDestinations ? [''] : [])].map((c) => h('th', {}, c)))),
        h('tbody', {}, ...state.dests.map((d) => h('tr', { 'data-testid': 'dest-row', 'data-id': d.id, 'data-name': d.name },
          h('td', { class: 'strong', 'data-col': 'name' }, d.name),
          h('td', { 'data-col': 'kind' }, DEST_KIND[d.kind]?.label ?? d.kind),
          h('td', { 'data-col': 'target', class: 'mono' }, `…${d.targetHint}`),
          h('td', { 'data-col': 'default' }, d.isDefault ? h('span', { class: 'lozenge lozenge-inprogress' }, 'default') : ''),
          h('td', { 'data-col': 'state' }, destState(d)),
          h('td', { 'data-col': 'lastTest' }, lastTest(d)),
          !scope.manageDestinations ? null : h('td', { class: 'row-actions' },
            h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `dest-test-${d.id}`, onclick: () => void sendTest(d) }, 'Send test'),
            h('button', { type: 'button', class: 'btn-link', 'data-testid': `dest-edit-${d.id}`, onclick: () => { state.editDest = d; paintDestForm(); } }, 'Edit'),
            confirmButton(`dest-delete-${d.id}`, () => void change(destsMsg, () => api.deleteDestination(d.id), `Destination “${d.name}” deleted.`).catch(failTo(destsMsg))))))))));
  };

  function paint(): void {
    paintRules();
    paintDests();
    paintRuleForm();
    paintDestForm();
  }

  void reload();
  const head = (title: string, testid: string | null, label: string, open: () => void) => h('div', { class: 'card-head' }, h('h3', {}, title),
    testid ? h('button', { type: 'button', class: 'btn', 'data-testid': testid, onclick: open }, label) : null);
  return h('div', { class: 'alerts-settings' },
    h('section', { class: 'card', 'data-testid': 'alert-rules' },
      head(scope.project ? `Alert rules of ${scope.project}` : 'Alert rules', 'rule-new', 'New rule', () => { state.editRule = null; paintRuleForm(); }),
      h('p', { class: 'subtle' }, scope.project
        ? `These rules look at ${scope.project} only. Per-ticket rules look at work in flight only and alert at most once per ticket per day.`
        : 'A rule looks at one project, or at every project when it names none. Per-ticket rules look at work in flight only and alert at most once per ticket per day.'),
      ruleSlot, rulesBody, rulesMsg),
    h('section', { class: 'card', 'data-testid': 'destinations' },
      head('Delivery destinations', scope.manageDestinations ? 'dest-new' : null, 'New destination', () => { state.editDest = null; paintDestForm(); }),
      h('p', { class: 'subtle' }, scope.manageDestinations
        ? 'Where alerts are sent: e-mail, a Slack incoming webhook or a Microsoft Teams workflow. Five failures in a row pause a destination; saving it as active resumes it.'
        : 'Where alerts can be sent. Jira administrators add and change destinations on BottleneckIQ\'s admin page; bind your rules to them above.'),
      destSlot, destsBody, destsMsg));
}
