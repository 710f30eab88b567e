/* efficiency.ts - the Overview's flow efficiency panel (issue #15): of the
 * cycle time of the items done in the window, the share spent in active
 * statuses and not blocked; the mean of the items' ratios beside it, the
 * blocked share, and the window before for the trend (docs/metrics.md).
 * Beside it the flow debt card: arrivals against departures per day and
 * their difference over the window (the dashboard's `flowDebt`). */
import type { Dashboard, FlowDebt } from './api';
import { h, num } from './dom';

/** A share as a whole percent ("—" when there is none). */
export const share = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);

export function efficiencyPanel(d: Dashboard): HTMLElement | null {
  const e = d.efficiency;
  if (!e) return null;
  const delta = e.value !== null && e.previous.value !== null ? Math.round(e.value * 100) - Math.round(e.previous.value * 100) : null;
  const trend = delta === null ? 'no previous value' : delta === 0 ? 'unchanged' : `${delta > 0 ? '▲' : '▼'} ${Math.abs(delta)} points vs. prior ${share(e.previous.value)}`;
  return h('section', { class: 'card', 'data-testid': 'efficiency' },
    h('h3', {}, 'Flow efficiency'),
    e.n === 0 ? h('p', { class: 'subtle', 'data-testid': 'efficiency-empty' }, 'No started item was done in this window.') :
      h('div', { class: 'tiles' },
        h('div', {}, h('div', { class: 'tile-label' }, 'Active, unblocked ÷ cycle time'),
          h('div', { class: 'tile-value', 'data-testid': 'efficiency-value' }, share(e.value)),
          h('div', { class: 'tile-prev', 'data-testid': 'efficiency-trend', 'data-delta': delta ?? '' }, trend)),
        h('div', {}, h('div', { class: 'tile-label' }, 'Mean of the items’ ratios'),
          h('div', { class: 'tile-value', 'data-testid': 'efficiency-mean' }, share(e.meanOfRatios)),
          h('div', { class: 'tile-prev' }, `n=${e.n}`)),
        h('div', {}, h('div', { class: 'tile-label' }, 'Blocked (flagged or blocked by an open issue)'),
          h('div', { class: 'tile-value', 'data-testid': 'efficiency-blocked' }, share(e.blockedShare)),
          h('div', { class: 'tile-prev' }, 'of cycle time, counted once'))));
}

/** A count with its sign: "+12", "−4" (a true minus), "0". */
export const signed = (n: number): string => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

/** "in 30 days" / "in 1 day" for the window's length (a sprint window may be fractional). */
const inDays = (n: number): string => { const v = Number(n.toFixed(1)); return `in ${v} day${v === 1 ? '' : 's'}`; };

/** The card's one-line reading of the flow debt (docs/metrics.md, "Cumulative flow"). */
export function flowDebtReading(f: FlowDebt, windowDays: number): string {
  if (f.arrivals === 0 && f.departures === 0) return `No item arrived or left ${inDays(windowDays)}.`;
  if (f.debt > 0) return `More work arrived than left: ${signed(f.debt)} items ${inDays(windowDays)}`;
  if (f.debt < 0) return `More work left than arrived: ${signed(f.debt)} items ${inDays(windowDays)}`;
  return `As much work left as arrived ${inDays(windowDays)}`;
}

/** Arrivals vs. departures (throughput at the done band) per day, and the flow debt. */
export function flowDebtPanel(d: Dashboard): HTMLElement | null {
  const f = d.flowDebt;
  if (!f) return null;
  const max = Math.max(f.arrivalsPerDay, f.departuresPerDay, 1e-9);
  const bar = (label: string, testid: string, count: number, perDay: number, cls: string) =>
    h('div', { class: 'rate-row', 'data-testid': testid },
      h('span', { class: 'rate-label' }, label),
      h('span', { class: 'rate-track' }, h('span', { class: `rate-bar ${cls}`, style: `width:${Math.round((perDay / max) * 100)}%` })),
      h('span', { class: 'rate-num' }, h('b', { 'data-testid': `${testid}-per-day` }, num(perDay)), '/day · ',
        h('span', { 'data-testid': `${testid}-count` }, String(count)), ' in all'));
  const cls = f.debt > 0 ? 'change-bad' : f.debt < 0 ? 'change-good' : '';
  return h('section', { class: 'card', 'data-testid': 'flow-debt', 'data-arrivals': f.arrivals, 'data-departures': f.departures, 'data-debt': f.debt },
    h('h3', {}, 'Arrivals vs. throughput'),
    bar('Arrived', 'flow-debt-arrivals', f.arrivals, f.arrivalsPerDay, 'rate-in'),
    bar('Left (done)', 'flow-debt-departures', f.departures, f.departuresPerDay, 'rate-out'),
    h('div', { class: 'flow-debt-figure' }, h('span', { class: 'tile-label' }, 'Flow debt (arrived − left)'), ' ',
      h('span', { class: `tile-value ${cls}`, 'data-testid': 'flow-debt-value' }, signed(f.debt))),
    h('p', { class: 'subtle', 'data-testid': 'flow-debt-reading' }, flowDebtReading(f, d.window.days)),
    h('p', { class: 'subtle small-print' }, 'Arrived: first seen on the board (or workflow); left: reached its done part, cancelled items too.'));
}
