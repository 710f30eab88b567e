/* api.ts - typed calls to the backend's UI routes (docs/api.md) and the
 * readable errors the screens show. Every call goes through bridge.invoke. */
import { invoke, UnreachableError } from './bridge';

export interface Stat { count: number; avgDays: number | null; p50Days: number | null; p85Days?: number | null; p90Days: number | null; p95Days?: number | null }
export interface Wip { avg: number; current: number; limit: number | null }
export interface StatusRow {
  id: string; name: string; category: string; role: string; terminal?: boolean; external?: boolean;
  timeInStatus: Stat; throughput: number;
  /** Work in progress (active statuses); null for the others. */
  wip: Wip | null;
  /** A backlog status's queue ("waiting", never WIP); null for the others. */
  waiting: { avg: number; current: number } | null;
  previous?: { timeInStatus: Stat; throughput: number; wip: Wip | null; waiting: { avg: number; current: number } | null };
}
export interface Change { current: number | null; previous: number | null; changePct: number | null; limit?: number | null }
export interface Bottleneck {
  statusId: string | null; statusName?: string; score?: number; confidence?: string; reasons?: string[];
  explanation?: string; explanationSource?: string; state?: 'sparse' | 'healthy'; message?: string;
  breakdown?: { avgTime: Change; wip: Change; throughput: Change };
}
export interface Trend { metric: string; statusId: string | null; statusName?: string; current: number; previous: number; ratio: number; changePct: number; verdict: string; unit?: string }
export interface Dashboard {
  project: { key: string; name: string };
  /** sprints: the sprints a sprint window covers, oldest first (sprintName: older backends). */
  window: { days: number; from: string; to: string; tz: string; kind?: string; sprintName?: string; sprints?: Array<{ id?: string; name: string }>;
    previous?: { days: number; from: string | null; to: string | null; empty: boolean } };
  /** The "as of" day (YYYY-MM-DD) the view was computed at; null for now; absent from a backend without ?asOf. */
  asOf?: string | null;
  /** The project's newest transition or created instant; absent from an older backend. */
  lastActivityAt?: string | null;
  generatedAt: string; dataVersion: number;
  statuses: StatusRow[];
  throughput: { total: number; perWeek: number[]; previous?: number };
  leadTime: Stat; cycleTime: Stat;
  bottleneck: Bottleneck;
  trends: Trend[];
  alerts: { recent: Array<Record<string, unknown>> };
  /** Per-kind counts (e.g. truncated_history), plus the findings and a
   * one-line summary (docs/api.md, "dataQuality"). */
  dataQuality?: Record<string, number> & {
    findings?: Finding[];
    summary?: string;
  };
  sync: { lastSyncAt: string | null; backfill: { state: string; received: number; total: number } };
  /** Flow efficiency of the window (issue #15); absent from an older backend. */
  efficiency?: Efficiency;
  /** Arrivals against departures in the window (issue #15); absent from an older backend. */
  flowDebt?: FlowDebt;
  /** The board's columns left to right, only when the project has a board (issue #15). */
  columns?: ColumnRow[];
}
/** Arrivals on the CFD's frame against departures at its done band, over the window (docs/metrics.md, "Cumulative flow"). */
export interface FlowDebt { arrivals: number; departures: number; arrivalsPerDay: number; departuresPerDay: number; debt: number }
/** One board column of the dashboard's column-level view (docs/metrics.md, "Column order"). */
export interface ColumnRow {
  name: string; statusIds: string[];
  timeInColumn: { count: number; avgDays: number | null; p50Days: number | null; p85Days: number | null; p90Days: number | null; p95Days: number | null };
  throughput: number; wip: Wip;
}
/** Σ active, unblocked time ÷ Σ cycle time of the items done in the window (docs/metrics.md). */
export interface Efficiency {
  value: number | null; meanOfRatios: number | null; n: number; nRatios: number;
  cycleDays: number; activeUnblockedDays: number; blockedDays: number; blockedShare: number | null;
  previous: { value: number | null; meanOfRatios: number | null; n: number; blockedShare: number | null };
}
export interface Span { start: string; end: string | null; open: boolean }
/** One item's flagged and blocked time (the issue panel's "blocked"). */
export interface Blocked {
  flaggedDays: number; blockedByLinkDays: number; blockedDays: number; flaggedNow: boolean; blockedNow: boolean; unloadedBlockers: number;
  flagged: Span[]; spans: Span[];
  links: Array<Span & { blockerId: string; blockerKey: string | null; blockerLoaded: boolean }>;
  perStatus: Array<{ statusId: string; status: string; flaggedDays: number; blockedByLinkDays: number; blockedDays: number }>;
}
export interface SprintItem { key: string; committed: boolean; added: boolean; removed: boolean; completed: boolean; carriedOver: boolean; doneBeforeStart: boolean; inAtEnd: boolean }
export interface SprintReport {
  id: string; name: string | null; state: string | null; start: string; end: string; active: boolean;
  committed: number; added: number; removed: number; completed: number; carriedOver: number; doneBeforeStart: number;
  completionRatio: number | null; approximate: boolean;
  approximateReasons: { truncatedHistory: number; sprintFieldMissing: number; historyGap: number };
  items: SprintItem[]; timeline: Array<{ at: string; key: string; change: 'added' | 'removed' }>;
}
export interface SprintReports { sprints: SprintReport[]; generatedAt: string }
export interface Finding {
  kind: string; count: number; issues: number; issueKeys: string[]; moreIssues: number; action: string;
  /** unknown_status only: the statuses with no role. */
  statuses?: Array<{ id: string; name: string }>;
}
export interface WipAging {
  referenceP95Days: number | null; referenceN: number;
  items: Array<{ key: string; statusId: string; status: string; daysInStatus: number; daysSinceStarted: number | null; daysSinceCreated: number; size: number | null; assignee: string | null; issueType: string; agingPastNormal: boolean;
    /** Not in the backend yet: shown when present. */
    summary?: string; createdAt?: string; startedAt?: string | null; enteredAt?: string;
    /** Flagged or blocked by an open blocker now (issue #15). */
    blocked?: boolean; flagged?: boolean;
    /** Share of items finished in the bands' basis whose cycle time <= this item's age (0..1); null: not started. */
    pace?: number | null; atRisk?: boolean }>;
  wipLimits: Array<{ statusId: string; limit: number }>;
  /** Aging bands, pace and SLEs (docs/metrics.md "Aging bands and pace"); absent from an older backend. */
  bands?: AgingBands; sle?: SleInfo; atRisk?: Array<{ key: string; status: string; ageDays: number; pace: number | null; beyondPercentile: boolean; overDays: boolean; sle: Sle | null }>;
}
export interface Sle { percentile: number; days: number }
export interface AgingBand { statusId?: string; status?: string; n: number; p50Days: number | null; p70Days: number | null; p85Days: number | null; p95Days: number | null }
export interface AgingBands { basisDays: number; percentiles: number[]; statuses: AgingBand[]; inProgress: AgingBand }
export interface SleInfo { setting: Sle | null; byIssueType: Array<Sle & { issueType: string }>; suggestion: (Sle & { n: number; p85Days: number }) | null }
/** The cumulative flow diagram (docs/api.md, charts/cfd): bands left to
 * right, reached[b] = items at band b or to its right (never falls). */
export interface CfdCorrection { key: string; from: string; to: string | null; at: string; backAt: string | null; startDate: string; endDate: string; ongoing: boolean }
export interface Cfd {
  tz: string; frame: 'columns' | 'statuses'; backlogCut: boolean;
  bands: Array<{ name: string; statusIds: string[]; done: boolean; wipLimit: number | null }>;
  doneBand: number | null;
  days: Array<{ date: string; at: string; reached: number[]; arrivals: number; departures: number }>;
  arrivals: number; departures: number; flowDebt: number;
  corrections: CfdCorrection[]; correctionsTruncated: boolean;
}
export interface Scatter {
  points: Array<{ key: string; issueType: string; doneAt: string; leadDays: number; cycleDays: number | null;
    leadAboveP85?: boolean; leadAboveP95?: boolean; cycleAboveP85?: boolean; cycleAboveP95?: boolean;
    /** Not in the backend yet: shown when present. */
    summary?: string; createdAt?: string; startedAt?: string | null }>;
  lead: Stat; cycle: Stat;
}
/** GET /charts/runs (docs/api.md): run charts with XmR limits; limits null with fewer than 2 points. */
export interface RunSeries {
  name: string; unit: 'items' | 'days'; count: number; mean: number | null; averageMovingRange: number | null;
  upper: number | null; lower: number | null; zoneUpper: number | null; zoneLower: number | null; signalledPoints: number;
  points: Array<{ date: string; at: string; key?: string; value: number; signals: Array<'outside' | 'run' | 'zone'> }>;
}
export interface Runs { from: string; to: string; firstDay: string | null; lastDay: string | null; workingDays: boolean; series: RunSeries[] }
export interface SettingField { value: unknown; default: unknown; overridden: boolean }
export interface Settings { version: number; fields: Record<string, SettingField>;
  /** A project's: what the data suggests, never stored by itself (docs/api.md). */
  suggestions?: { sle: (Sle & { n: number; p85Days: number; basisDays: number }) | null } }
export interface AlertGroups {
  project: string;
  groups: Array<{ ruleId: number | string; ruleName: string; kind: string; count: number; latestAt: string;
    alerts: Array<{ issueId: string | null; issueKey: string | null; statusId: string | null; valueMs: number | null; firedAt: string }> }>;
}
export type RuleKind = 'stuck_in_status' | 'cycle_time_exceeded' | 'no_activity' | 'trend_worsening' | 'wip_breach' | 'sle_at_risk';
export interface AlertRule {
  id: number; kind: RuleKind; name: string; enabled: boolean; params: Record<string, unknown>;
  cooldownMinutes: number; destinationIds: number[]; createdAt: string; updatedAt: string;
  /** The rule's project; null (or absent, from an older backend) = site-wide. */
  projectKey?: string | null;
}
export type DestinationKind = 'email' | 'slack' | 'teams';
export interface Destination {
  id: number; kind: DestinationKind; name: string; targetHint: string; isDefault: boolean; active: boolean;
  state: string; consecutiveFailures: number; lastTest: null | { at: string; ok: boolean; detail: string };
}
/** POST /alerts/destinations/{id}/test: the test is queued, its result polled. */
export interface TestQueued { testId: string; state: 'queued' }
/** GET /alerts/destinations/{id}/tests/{testId}. */
export interface TestResult {
  testId: string; destinationId: number; state: 'queued' | 'sending' | 'delivered' | 'failed';
  ok: boolean | null; detail: string | null; attempts: number;
}
/** GET /tenant. `projects` and `statuses` are used when the backend gives them. */
export interface Tenant {
  id: string; site: string; installedAt: string;
  counts: { projects: number; issues: number; transitions: number; sprints: number };
  projects?: Array<{ key: string; name?: string; lastSyncAt?: string | null; backfill?: { state: string; received: number; total: number } }>;
  statuses?: Array<{ id: string; name: string; category?: string }>;
  /** aiExplanations: the tenant's switch. aiAvailable / ai.available: whether
   * the server has a model API key (not in the backend yet). */
  settings?: { aiExplanations?: boolean; aiAvailable?: boolean };
  ai?: { available?: boolean; reason?: string };
}
export interface Visits {
  /** totalDays stops at done; sinceDoneDays is the time after it (null when not done). */
  issueKey: string; totalDays: number; generatedAt: string; doneAt?: string | null; sinceDoneDays?: number | null;
  visits: Array<{ statusId: string; status: string; entered: string; left: string | null; durationDays: number; current: boolean }>;
  /** Flagged and blocked spans (issue #15); absent from an older backend. */
  blocked?: Blocked;
}

/** GET /projects/{key}/forecast (docs/api.md): "when" (items) or "how many" (by). */
export interface Forecast {
  kind: 'when' | 'how_many'; state: 'ok' | 'no_throughput';
  /** p ascending (50, 70, 85, 95); "when": value = simulated days, date = the day the N-th is done (null past the cap); "how many": at least value items. */
  percentiles: Array<{ p: number; value: number | null; date?: string | null; reached?: boolean }>;
  inputs: { basisFrom: string; basisTo: string; daysSampled: number; zeroThroughputDays: number; totalDone: number; maxPerDay: number;
    workingDays: boolean; from: string; items?: number; by?: string; simulatedDays?: number; trials: number; seed: number };
  /** The trials' outcomes in bars of one width; null when state is no_throughput; absent from an older backend. */
  histogram?: { width: number; notReached?: number;
    buckets: Array<{ from: number; to: number; count: number; fromDate?: string; toDate?: string }> } | null;
}
/** The forecast's query: exactly one of items / by; from and basis optional (the API's defaults). */
export interface ForecastQuery { items?: string; by?: string; from?: string; basis?: string }

/** An error the UI can show as is: `message` is written for the reader. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string, readonly detail = '') { super(message); }
}

/** What to show for a failed call next to a form: the backend's own words for
 * a validation error (e.g. "url: expected an https://hooks.slack.com/ webhook
 * URL"), the readable message otherwise. */
export function errText(e: unknown): string {
  if (!(e instanceof ApiError)) return String(e);
  return e.detail && e.status >= 400 && e.status < 500 && e.status !== 401 && e.status !== 403 ? e.detail : e.message;
}

/** Which Jira page may do what a refused write tried (the backend's 403 names the class it needs). */
function whereAllowed(detail: string): string {
  if (/site[-_ ]?admin/i.test(detail)) return ' Only a Jira administrator can change this, from Jira settings → Apps → BottleneckIQ.';
  if (/project[-_ ]?admin/i.test(detail)) return ' Only an administrator of this project can change this, from its Project settings → BottleneckIQ.';
  return '';
}

function readable(status: number, code: string, detail: string, method: string): string {
  if (status === 401) return 'Your session has expired or could not be verified. Reload the page to continue.';
  if (status === 403 && method !== 'GET') return `You do not have permission to make this change here.${whereAllowed(detail)}`;
  if (status === 403) return 'You do not have access to this in BottleneckIQ.';
  if (status === 404 && code === 'not_installed') return 'BottleneckIQ is not set up for this site yet. Try again in a few minutes.';
  if (status === 429) return 'Too many requests right now. Wait a moment and try again.';
  if (status >= 500) return 'BottleneckIQ is having trouble right now. Try again in a minute.';
  return detail || `The request failed (${status}).`;
}

/** Calls the backend; returns the body of a 2xx answer or throws ApiError. */
export async function call<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  let r;
  try {
    r = await invoke(path, method, body);
  } catch (e) {
    const why = e instanceof UnreachableError ? e.message : String(e);
    throw new ApiError('The BottleneckIQ service cannot be reached right now. Check your connection and try again in a minute.', 0, 'unreachable', why);
  }
  if (r.status >= 200 && r.status < 300) return r.body as T;
  const err = (r.body as { error?: { code?: string; message?: string } } | null)?.error;
  throw new ApiError(readable(r.status, err?.code ?? 'error', err?.message ?? '', method.toUpperCase()), r.status, err?.code ?? 'error', err?.message ?? '');
}

const p = (key: string) => `/projects/${encodeURIComponent(key)}`;
/** A query string from the set values ("" when none). */
function qs(q: Record<string, string | null | undefined | false>): string {
  const parts = Object.entries(q).filter(([, v]) => v !== null && v !== undefined && v !== false && v !== '').map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
/** Every project view takes `asOf` (YYYY-MM-DD, the end of that day in the schedule's zone; null = now). */
export const api = {
  dashboard: (key: string, window: string, asOf: string | null = null) => call<Dashboard>(`${p(key)}/dashboard${qs({ window, asOf })}`),
  wipAging: (key: string, asOf: string | null = null, backlog = false) => call<WipAging>(`${p(key)}/charts/wip-aging${qs({ backlog: backlog && 'true', asOf })}`),
  cfd: (key: string, range: { from: string; to: string } | null = null, asOf: string | null = null) =>
    call<Cfd>(`${p(key)}/charts/cfd${qs({ from: range?.from, to: range?.to, asOf })}`),
  scatter: (key: string, window: string, asOf: string | null = null) => call<Scatter>(`${p(key)}/charts/scatter${qs({ window, asOf })}`),
  forecast: (key: string, q: ForecastQuery, asOf: string | null = null) =>
    call<Forecast>(`${p(key)}/forecast${qs({ items: q.items, by: q.by, from: q.from, basis: q.basis, asOf })}`),
  runs: (key: string, window: string, asOf: string | null = null) => call<Runs>(`${p(key)}/charts/runs${qs({ window, asOf })}`),
  exportCsv: (key: string, window: string, asOf: string | null = null) => call<string>(`${p(key)}/export.csv${qs({ window, asOf })}`),
  projectSettings: (key: string) => call<Settings>(`${p(key)}/settings`),
  putProjectSettings: (key: string, body: unknown) => call<Settings>(`${p(key)}/settings`, 'PUT', body),
  tenant: () => call<Tenant>('/tenant'),
  tenantSettings: () => call<Settings>('/tenant/settings'),
  putTenantSettings: (body: unknown) => call<Settings>('/tenant/settings', 'PUT', body),
  requestBackfill: (key: string) => call<unknown>(`${p(key)}/backfill`, 'POST', {}),
  alerts: (key: string) => call<AlertGroups>(`/alerts?project=${encodeURIComponent(key)}`),
  alertRules: () => call<AlertRule[]>('/alerts/rules'),
  createAlertRule: (body: unknown) => call<AlertRule>('/alerts/rules', 'POST', body),
  putAlertRule: (id: number, body: unknown) => call<AlertRule>(`/alerts/rules/${id}`, 'PUT', body),
  deleteAlertRule: (id: number) => call<unknown>(`/alerts/rules/${id}`, 'DELETE'),
  destinations: () => call<Destination[]>('/alerts/destinations'),
  createDestination: (body: unknown) => call<Destination>('/alerts/destinations', 'POST', body),
  putDestination: (id: number, body: unknown) => call<Destination>(`/alerts/destinations/${id}`, 'PUT', body),
  deleteDestination: (id: number) => call<unknown>(`/alerts/destinations/${id}`, 'DELETE'),
  // The test route takes no body (the backend caps it at 0 bytes).
  testDestination: (id: number) => call<TestQueued>(`/alerts/destinations/${id}/test`, 'POST'),
  testResult: (id: number, testId: string) =>
    call<TestResult>(`/alerts/destinations/${id}/tests/${encodeURIComponent(testId)}`),
  timeInStatus: (issueKey: string) => call<Visits>(`/issues/${encodeURIComponent(issueKey)}/time-in-status`),
  sprintReport: (key: string, asOf: string | null = null) => call<SprintReports>(`${p(key)}/sprints/report${qs({ asOf })}`),
};
