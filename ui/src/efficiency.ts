/* efficiency.ts - the Overview's flow efficiency panel (issue #15): of the
 * cycle time of the items done in the window, the share spent in active
 * statuses and not blocked; the mean of the items' ratios beside it, the
 * blocked share, and the window before for the trend (docs/metrics.md). */
import type { Dashboard } from './api';
import { h } from './dom';

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
