/* labels.ts - every metric label the UI prints, in one place (product.md,
 * "Status roles": lead time = created → done, cycle time = started → done;
 * the reference product calls lead time "cycle time", we do not). Tiles,
 * axes, tooltips, table headers and chart titles take their words from here,
 * and the browser tests check these strings. */
import type { Dashboard } from './api';

export const L = {
  leadTime: 'Lead time (created → done)',
  cycleTime: 'Cycle time (started → done)',
  leadShort: 'Lead time',
  cycleShort: 'Cycle time',
  leadToggle: 'Lead time',
  cycleToggle: 'Cycle time',
  leadAxis: 'lead time (created → done), days',
  cycleAxis: 'cycle time (started → done), days',
  doneInWindow: 'Done in window',
  avgTime: 'Avg time in status',
  priorAvg: 'Prior avg',
  p50: 'P50',
  p90: 'P90',
  visits: 'Visits',
  throughput: 'Throughput',
  priorThroughput: 'Prior',
  wipAvg: 'WIP avg',
  wipNow: 'WIP now',
  wipEnd: 'WIP at end of window',
  daysInStatus: 'days in status (log scale)',
  wipAging: 'WIP aging',
  cfd: 'Cumulative flow',
  cfdDayAxis: 'Day',
  cfdItemsAxis: 'Items (cumulative)',
  cfdCorrections: 'Moved back (correction)',
  scatter: 'Lead / cycle time scatter',
  empty: '—',
} as const;

/** Metric names of trend rows (dashboard `trends[].metric`). */
export const METRIC_LABEL: Record<string, string> = {
  timeInStatus: 'Avg time in status', wip: 'WIP', throughput: 'Throughput', leadTime: L.leadTime, cycleTime: L.cycleTime,
};

/** True when the window ends in the past (a closed sprint, or any "as of"):
 * its counts are at the window's end, not now. */
export function pastWindow(d: Pick<Dashboard, 'window' | 'asOf'>): boolean {
  const k = d.window.kind ?? '';
  return Boolean(d.asOf) || k === 'sprint-last' || k === 'sprint-last3';
}

/** "WIP now" for a window ending now, "WIP at end of window" otherwise. */
export const wipNowLabel = (d: Pick<Dashboard, 'window' | 'asOf'>): string => (pastWindow(d) ? L.wipEnd : L.wipNow);

const WINDOW_NAME: Record<string, string> = {
  '7d': 'last 7 days', '30d': 'last 30 days', '90d': 'last 90 days', mtd: 'month to date', qtd: 'quarter to date',
  'sprint-current': 'current sprint', 'sprint-last': 'last sprint', 'sprint-last3': 'last 3 sprints',
};

/** A calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(iso: string, tz = 'UTC'): string {
  let zone = tz || 'UTC';
  try { new Intl.DateTimeFormat('en-CA', { timeZone: zone }); } catch { zone = 'UTC'; }
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "12 Mar 2026" from YYYY-MM-DD (month names, never a bare number). */
export function shortDate(ymd: string): string {
  const [y, m, d] = ymd.split('-').map(Number);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1] ?? '?';
  return `${d} ${mon} ${y}`;
}

/** The window's first and last calendar day in its time zone (the end is
 * exclusive: a window ending at midnight ends the day before). */
export function windowDates(w: Dashboard['window']): { from: string; to: string } {
  const toMs = Date.parse(w.to) - 1;
  return { from: localDate(w.from, w.tz), to: localDate(new Date(toMs).toISOString(), w.tz) };
}

/** "last 30 days, 5 Feb 2026 – 6 Mar 2026"; a sprint window "last sprint
 * "Sprint 12", 1 Feb 2026 – 14 Feb 2026" when the backend names it. */
export function windowText(d: Pick<Dashboard, 'window'>, picked: string): string {
  const w = d.window;
  const name = WINDOW_NAME[w.kind === 'days' || !w.kind ? picked : w.kind] ?? WINDOW_NAME[picked] ?? (/^\d+d?$/.test(picked) ? `last ${parseInt(picked, 10)} days` : picked);
  const sprint = w.sprints?.length ? ` ${w.sprints.map((s) => `“${s.name}”`).join(', ')}` : w.sprintName ? ` “${w.sprintName}”` : '';
  const { from, to } = windowDates(w);
  return `${name}${sprint}, ${shortDate(from)} – ${shortDate(to)}`;
}
