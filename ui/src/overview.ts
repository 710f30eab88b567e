/* overview.ts - the Overview tab: top insight, bottleneck breakdown,
 * significant changes, all-stages table and recent alerts, from one
 * dashboard answer. */
import { api, ApiError, type Change, type Dashboard, type StatusRow } from './api';
import { days, h, num, pct, dateTime } from './dom';
import { L, METRIC_LABEL, wipNowLabel, windowText } from './labels';
import { adminHref } from './bridge';
import { efficiencyPanel, flowDebtPanel } from './efficiency';

const CONFIDENCE_CLASS: Record<string, string> = { medium: 'lozenge-moved', high: 'lozenge-removed', 'very high': 'lozenge-removed bold' };

/** What the Overview can ask the page to do: show another "as of" day. */
export interface OverviewOpts { picked?: string; onAsOf?: (day: string) => void }

/** True for a project with no data at all (never synced, nothing loaded). */
export const neverSynced = (d: Dashboard): boolean => d.sync.lastSyncAt === null && d.statuses.length === 0 && (d.dataVersion ?? 0) === 0;

/** "No activity in this window": when the last activity was, and a way to see the project then. */
function lastActivity(d: Dashboard, opts: OverviewOpts): HTMLElement | null {
  if (d.throughput.total > 0 || !d.lastActivityAt) return null;
  const day = d.lastActivityAt.slice(0, 10);
  const inWindow = Date.parse(d.lastActivityAt) >= Date.parse(d.window.from) && Date.parse(d.lastActivityAt) <= Date.parse(d.window.to);
  if (inWindow) return null;
  return h('div', { class: 'last-activity', 'data-testid': 'last-activity' },
    h('p', {}, 'No activity in this window. The project’s last activity was on ', h('b', { 'data-testid': 'last-activity-date' }, dateTime(d.lastActivityAt)), '.'),
    opts.onAsOf ? h('button', { class: 'btn', 'data-testid': 'show-as-of', onclick: () => opts.onAsOf!(day) }, `Show as of ${day}`) : null);
}

function insight(d: Dashboard, opts: OverviewOpts = {}): HTMLElement {
  const b = d.bottleneck;
  if (!b.statusId) {
    const healthy = b.state === 'healthy';
    return h('section', { class: `card insight ${healthy ? 'insight-healthy' : 'insight-sparse'}`, 'data-testid': 'insight', 'data-state': b.state ?? '' },
      h('h2', {}, healthy ? 'No bottleneck' : 'Not enough data'),
      h('p', { 'data-testid': 'insight-message' }, b.message ?? (healthy ? 'No stage shows a significant slowdown vs. the prior window' : 'Not enough recent activity')),
      lastActivity(d, opts));
  }
  return h('section', { class: 'card insight insight-bottleneck', 'data-testid': 'insight' },
    h('div', { class: 'insight-head' },
      h('span', { class: 'eyebrow' }, 'Bottleneck'),
      h('h2', { 'data-testid': 'bottleneck-name' }, b.statusName ?? ''),
      h('span', { class: `lozenge ${CONFIDENCE_CLASS[b.confidence ?? ''] ?? 'lozenge-moved'}`, 'data-testid': 'bottleneck-confidence' }, `${b.confidence} confidence`)),
    h('p', { class: 'explanation', 'data-testid': 'bottleneck-explanation' }, b.explanation ?? ''),
    h('ul', { class: 'reasons', 'data-testid': 'bottleneck-reasons' }, ...(b.reasons ?? []).map((r) => h('li', {}, r))),
    b.explanationSource === 'ai' ? h('p', { class: 'subtle' }, 'Worded by AI from the numbers above.') : null);
}

/** good/bad by direction: for time and WIP a rise is bad, for throughput good. */
function verdictClass(change: number | null, higherIsBetter: boolean): string {
  if (change === null || Math.abs(change) < 0.05) return 'neutral';
  return (change > 0) === higherIsBetter ? 'good' : 'bad';
}

function tile(label: string, testid: string, c: Change, fmt: (v: number | null) => string, higherIsBetter: boolean, limit?: number | null): HTMLElement {
  const cls = verdictClass(c.changePct, higherIsBetter);
  const overLimit = limit != null && c.current != null && c.current > limit;
  return h('div', { class: `tile tile-${cls}`, 'data-testid': testid, 'data-verdict': cls },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value' }, h('span', { 'data-testid': `${testid}-current` }, fmt(c.current)),
      limit != null ? h('span', { class: `limit ${overLimit ? 'over' : ''}` }, ` / limit ${limit}`) : null),
    h('div', { class: 'tile-prev' }, 'prior ', h('span', { 'data-testid': `${testid}-previous` }, fmt(c.previous)),
      ' · ', h('span', { class: `change change-${cls}`, 'data-testid': `${testid}-change` }, pct(c.changePct))));
}

function breakdown(d: Dashboard): HTMLElement | null {
  const br = d.bottleneck.breakdown;
  if (!d.bottleneck.statusId || !br) return null;
  return h('section', { class: 'card', 'data-testid': 'breakdown' },
    h('h3', {}, `Breakdown: ${d.bottleneck.statusName}`),
    h('div', { class: 'tiles' },
      tile(L.avgTime, 'bd-avgtime', br.avgTime, days, false),
      tile('WIP (average)', 'bd-wip', br.wip, (v) => num(v), false, br.wip.limit ?? null),
      tile('Throughput', 'bd-throughput', br.throughput, (v) => num(v, 0), true)));
}

function changes(d: Dashboard): HTMLElement {
  const rows = d.trends.filter((t) => t.verdict !== 'stable').slice(0, 8);
  return h('section', { class: 'card', 'data-testid': 'changes' },
    h('h3', {}, 'Significant changes vs. prior window'),
    rows.length === 0 ? h('p', { class: 'subtle', 'data-testid': 'changes-empty' }, 'No significant changes.') :
      h('ul', { class: 'changes' }, ...rows.map((t) => h('li', { class: `change-row change-${t.verdict === 'improving' ? 'good' : 'bad'}`, 'data-testid': 'change-row' },
        h('span', { class: 'change-arrow', 'aria-hidden': 'true' }, t.changePct > 0 ? '▲' : '▼'),
        h('span', {}, `${METRIC_LABEL[t.metric] ?? t.metric}${t.statusName ? ` · ${t.statusName}` : ''}`),
        h('span', { class: 'change-num' }, `${pct(t.changePct)} (${num(t.previous)} → ${num(t.current)}${t.unit === 'days' ? 'd' : ''})`),
        h('span', { class: `lozenge ${t.verdict === 'improving' ? 'lozenge-success' : 'lozenge-removed'}` }, t.verdict)))));
}

/** A time figure, or "—" when the sample is empty (0 visits is no time, not 0 days). */
const t = (v: number | null | undefined, count: number) => (count > 0 ? days(v) : '—');

/** WIP for work in progress; a backlog queue labelled "waiting" (never
 * WIP); "—" for done, terminal and unknown statuses (product.md). */
export function loadCells(s: StatusRow): HTMLElement[] {
  if (s.wip) {
    const { limit, current } = s.wip;
    const state = limit == null ? '' : current > limit ? 'over' : current >= 0.8 * limit ? 'approaching' : '';
    return [h('td', { class: 'num', 'data-col': 'wipAvg' }, num(s.wip.avg)),
      h('td', { class: `num wip-${state || 'ok'}`, 'data-col': 'wipCurrent' }, limit == null ? String(current) : `${current} / ${limit}`)];
  }
  if (s.waiting) {
    const title = 'A queue before work starts: waiting, not work in progress';
    return [h('td', { class: 'num subtle', 'data-col': 'wipAvg', title }, `${num(s.waiting.avg)} waiting`),
      h('td', { class: 'num subtle', 'data-col': 'wipCurrent', title }, `${s.waiting.current} waiting`)];
  }
  return [h('td', { class: 'num subtle', 'data-col': 'wipAvg' }, '—'), h('td', { class: 'num subtle', 'data-col': 'wipCurrent' }, '—')];
}

function stagesTable(d: Dashboard): HTMLElement {
  const rows = d.statuses;
  if (rows.length === 0) return h('section', { class: 'card', 'data-testid': 'stages' }, h('h3', {}, 'All stages'), h('p', { class: 'subtle' }, 'No status history in this window yet.'));
  return h('section', { class: 'card', 'data-testid': 'stages' },
    h('h3', {}, 'All stages'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stages' },
      h('thead', {}, h('tr', {}, ...['Status', 'Role', L.avgTime, L.priorAvg, L.p50, L.p90, L.visits, L.throughput, L.priorThroughput, L.wipAvg, wipNowLabel(d)].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...rows.map((s) => h('tr', { 'data-status-id': s.id, class: s.id === d.bottleneck.statusId ? 'is-bottleneck' : '' },
        h('td', { 'data-col': 'name' }, s.name, rows.filter((x) => x.name === s.name).length > 1 ? h('span', { class: 'subtle' }, ` (${s.id})`) : null, s.id === d.bottleneck.statusId ? h('span', { class: 'lozenge lozenge-removed small' }, 'bottleneck') : null),
        h('td', { 'data-col': 'role' }, s.role + (s.terminal ? ', terminal' : '') + (s.external ? ', external' : '')),
        h('td', { class: 'num', 'data-col': 'avgDays' }, t(s.timeInStatus.avgDays, s.timeInStatus.count)),
        h('td', { class: 'num subtle', 'data-col': 'prevAvgDays' }, t(s.previous?.timeInStatus.avgDays, s.previous?.timeInStatus.count ?? 0)),
        h('td', { class: 'num', 'data-col': 'p50Days' }, t(s.timeInStatus.p50Days, s.timeInStatus.count)),
        h('td', { class: 'num', 'data-col': 'p90Days' }, t(s.timeInStatus.p90Days, s.timeInStatus.count)),
        h('td', { class: 'num', 'data-col': 'count' }, String(s.timeInStatus.count)),
        h('td', { class: 'num', 'data-col': 'throughput' }, String(s.throughput)),
        h('td', { class: 'num subtle', 'data-col': 'prevThroughput' }, s.previous ? String(s.previous.throughput) : '—'),
        ...loadCells(s)))))));
}

export const KIND_LABEL: Record<string, string> = {
  stuck_in_status: 'Stuck in status', cycle_time_exceeded: 'Cycle time exceeded', no_activity: 'No activity',
  trend_worsening: 'Trend worsening', wip_breach: 'WIP breach', sle_at_risk: 'SLE at risk',
};

/** Recent alerts: the grouped list of GET /api/v1/alerts (the 50 newest). */
function alerts(d: Dashboard): HTMLElement {
  const body = h('div', {}, h('p', { class: 'subtle' }, 'Loading alerts…'));
  api.alerts(d.project.key).then((a) => {
    if (a.groups.length === 0) { body.replaceChildren(h('p', { class: 'subtle', 'data-testid': 'alerts-empty' }, 'No alerts in this project.')); return; }
    body.replaceChildren(h('ul', { class: 'alerts' }, ...a.groups.map((g) => h('li', { 'data-testid': 'alert-group' },
      h('span', { class: 'lozenge lozenge-moved' }, KIND_LABEL[g.kind] ?? g.kind), ' ',
      h('b', {}, g.ruleName), ` · ${g.count} alert${g.count === 1 ? '' : 's'} · latest ${dateTime(g.latestAt)}`,
      g.alerts.some((x) => x.issueKey) ? h('div', { class: 'subtle' }, g.alerts.filter((x) => x.issueKey).slice(0, 8).map((x) => x.issueKey).join(', ') + (g.alerts.length > 8 ? ' …' : '')) : null))));
  }, (e) => body.replaceChildren(h('p', { class: 'msg-error' }, e instanceof ApiError ? e.message : String(e))));
  return h('section', { class: 'card', 'data-testid': 'alerts' }, h('h3', {}, 'Recent alerts'), body);
}

function system(d: Dashboard): HTMLElement {
  const time = (label: string, testid: string, s: Dashboard['leadTime']) =>
    h('div', { 'data-testid': testid }, h('div', { class: 'tile-label', 'data-testid': `${testid}-label` }, `${label}, P85`),
      h('div', { class: 'tile-value', 'data-testid': `${testid}-p85` }, t(s.p85Days, s.count)),
      h('div', { class: 'tile-prev' }, 'avg ', h('span', { 'data-testid': `${testid}-avg` }, t(s.avgDays, s.count)), ` · n=${s.count}`));
  return h('section', { class: 'card system', 'data-testid': 'system' },
    h('div', {}, h('div', { class: 'tile-label' }, L.doneInWindow), h('div', { class: 'tile-value', 'data-testid': 'sys-throughput' }, String(d.throughput.total)),
      h('div', { class: 'tile-prev' }, `prior ${d.throughput.previous ?? '—'}`)),
    time(L.leadTime, 'sys-lead', d.leadTime),
    time(L.cycleTime, 'sys-cycle', d.cycleTime));
}

/** The unknown statuses (dataQuality findings), named, with the way to give them a role. */
function unknownNotice(d: Dashboard): HTMLElement | null {
  const f = d.dataQuality?.findings?.find((x) => x.kind === 'unknown_status');
  if (!f) return null;
  const sts = f.statuses ?? [];
  const names = sts.length ? sts.map((s) => `${s.name} (${s.id})`).join(', ') : `${f.count} status${f.count === 1 ? '' : 'es'}`;
  const href = adminHref({ assign: sts.map((s) => `${s.id}:${s.name}`).join(',') });
  return h('section', { class: 'banner banner-warning notice', role: 'status', 'data-testid': 'unknown-statuses' },
    h('b', {}, 'Statuses with no role: '), h('span', { 'data-testid': 'unknown-status-names' }, names), '. ',
    `They are not counted as work in progress and cannot be the bottleneck until a role is set (${f.issues} issue${f.issues === 1 ? '' : 's'} pass through them). `,
    href ? h('a', { href, target: '_blank', 'data-testid': 'assign-roles' }, 'Assign their roles')
      : h('span', { 'data-testid': 'assign-roles' }, 'A Jira administrator assigns their roles in Jira settings → Apps → BottleneckIQ → Status roles.'));
}

/** Flow efficiency with the flow debt card beside it (either may be absent from an older backend). */
function overviewFlow(d: Dashboard): HTMLElement | null {
  const eff = efficiencyPanel(d), debt = flowDebtPanel(d);
  if (!eff || !debt) return eff ?? debt;
  return h('div', { class: 'grid-2', 'data-testid': 'overview-flow' }, eff, debt);
}

export function renderOverview(d: Dashboard, opts: OverviewOpts = {}): HTMLElement {
  return h('div', { class: 'overview', 'data-testid': 'overview', 'data-version': d.dataVersion },
    h('p', { class: 'subtle window-line', 'data-testid': 'window-text' }, `Window: ${windowText(d, opts.picked ?? '30d')}${d.asOf ? ` · as of ${d.asOf}` : ''}`),
    unknownNotice(d),
    h('div', { class: 'grid-2' }, insight(d, opts), system(d)),
    overviewFlow(d),
    breakdown(d),
    changes(d),
    stagesTable(d),
    alerts(d));
}
