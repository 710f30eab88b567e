/* columns.ts - the Flow tab's column-level view (issue #15): with a board,
 * the dashboard's `columns` left to right (time in column P50/P85, visits,
 * throughput, WIP average and now against the column's limit) beside the
 * status table; the status table lists `statuses` exactly in the
 * dashboard's order, the project's status order (docs/metrics.md, "Column
 * order"): never re-sorted here. */
import type { ColumnRow, Dashboard, StatusRow } from './api';
import { days, h, num } from './dom';
import { L, wipNowLabel } from './labels';
import { loadCells } from './overview';

/** What a column's items are: work in progress, a queue before it, or done. */
type ColumnKind = 'wip' | 'queue' | 'done';

function kindOf(c: ColumnRow, byId: Map<string, StatusRow>): ColumnKind {
  const sts = c.statusIds.map((id) => byId.get(id)).filter((s): s is StatusRow => s !== undefined);
  if (sts.length > 0 && sts.every((s) => s.role === 'done' || s.terminal)) return 'done';
  if (sts.length > 0 && sts.every((s) => s.role === 'backlog' && !s.terminal)) return 'queue';
  return 'wip';
}

/** A time figure, "—" for an empty sample (no visit is no time). */
const t = (v: number | null | undefined, count: number) => (count > 0 ? days(v) : '—');

function columnWip(c: ColumnRow, kind: ColumnKind): HTMLElement[] {
  if (kind === 'done') {
    const title = 'The done part of the board: finished work, not work in progress';
    return [h('td', { class: 'num subtle', 'data-col': 'wipAvg', title }, '—'), h('td', { class: 'num subtle', 'data-col': 'wipCurrent', title }, '—')];
  }
  if (kind === 'queue') {
    const title = 'A queue before work starts: waiting, not work in progress';
    return [h('td', { class: 'num subtle', 'data-col': 'wipAvg', title }, `${num(c.wip.avg)} waiting`),
      h('td', { class: 'num subtle', 'data-col': 'wipCurrent', title }, `${c.wip.current} waiting`)];
  }
  const { limit, current } = c.wip;
  const state = limit == null ? 'ok' : current > limit ? 'over' : current >= 0.8 * limit ? 'approaching' : 'ok';
  return [h('td', { class: 'num', 'data-col': 'wipAvg' }, num(c.wip.avg)),
    h('td', { class: `num wip-${state}`, 'data-col': 'wipCurrent', title: limit == null ? 'No column limit on the board' : 'Column limit (the board’s maximum)' },
      limit == null ? String(current) : `${current} / ${limit}${current > limit ? ' over' : ''}`)];
}

/** The columns table (only with a board). */
export function columnsTable(d: Dashboard): HTMLElement | null {
  const cols = d.columns;
  if (!cols || cols.length === 0) return null;
  const byId = new Map(d.statuses.map((s) => [s.id, s]));
  return h('section', { class: 'card', 'data-testid': 'columns' },
    h('h3', {}, 'Board columns'),
    h('p', { class: 'subtle' }, 'A visit is a run of moves inside one column; WIP now against the board’s column limit.'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stages' },
      h('thead', {}, h('tr', {}, ...['Column', 'Statuses', 'Time in column P50', 'P85', L.visits, L.throughput, L.wipAvg, `${wipNowLabel(d)} / limit`].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...cols.map((c, i) => {
        const kind = kindOf(c, byId);
        const tc = c.timeInColumn;
        return h('tr', { 'data-column': c.name, 'data-index': i, 'data-kind': kind },
          h('td', { 'data-col': 'name' }, c.name),
          h('td', { class: 'subtle', 'data-col': 'statuses' }, c.statusIds.map((id) => byId.get(id)?.name ?? id).join(', ')),
          h('td', { class: 'num', 'data-col': 'p50Days' }, t(tc.p50Days, tc.count)),
          h('td', { class: 'num', 'data-col': 'p85Days' }, t(tc.p85Days, tc.count)),
          h('td', { class: 'num', 'data-col': 'count' }, String(tc.count)),
          h('td', { class: 'num', 'data-col': 'throughput' }, String(c.throughput)),
          ...columnWip(c, kind));
      })))));
}

/** The status table, in the dashboard's order, each status with its column. */
export function statusTable(d: Dashboard): HTMLElement {
  const colOf = new Map<string, string>();
  for (const c of d.columns ?? []) for (const id of c.statusIds) if (!colOf.has(id)) colOf.set(id, c.name);
  const board = (d.columns?.length ?? 0) > 0;
  const note = board ? 'In the board’s order: its columns left to right, statuses not on the board after them.'
    : 'No board is known for this project: statuses in the order the moves give (most common forward order).';
  if (d.statuses.length === 0) return h('section', { class: 'card', 'data-testid': 'flow-statuses' }, h('h3', {}, 'Statuses'), h('p', { class: 'subtle' }, 'No status history in this window yet.'));
  return h('section', { class: 'card', 'data-testid': 'flow-statuses', 'data-frame': board ? 'columns' : 'statuses' },
    h('h3', {}, 'Statuses'),
    h('p', { class: 'subtle' }, note),
    h('div', { class: 'table-wrap' }, h('table', { class: 'stages' },
      h('thead', {}, h('tr', {}, ...['Status', ...(board ? ['Column'] : []), 'Role', 'Time in status P50', 'P85', L.throughput, L.wipAvg, wipNowLabel(d)].map((c) => h('th', {}, c)))),
      h('tbody', {}, ...d.statuses.map((s) => h('tr', { 'data-status-id': s.id },
        h('td', { 'data-col': 'name' }, s.name, d.statuses.filter((x) => x.name === s.name).length > 1 ? h('span', { class: 'subtle' }, ` (${s.id})`) : null),
        board ? h('td', { class: colOf.has(s.id) ? '' : 'subtle', 'data-col': 'column' }, colOf.get(s.id) ?? 'not on the board') : null,
        h('td', { 'data-col': 'role' }, s.role + (s.terminal ? ', terminal' : '') + (s.external ? ', external' : '')),
        h('td', { class: 'num', 'data-col': 'p50Days' }, t(s.timeInStatus.p50Days, s.timeInStatus.count)),
        h('td', { class: 'num', 'data-col': 'p85Days' }, t(s.timeInStatus.p85Days, s.timeInStatus.count)),
        h('td', { class: 'num', 'data-col': 'throughput' }, String(s.throughput)),
        ...loadCells(s)))))));
}

/** The column-level view beside the status table (the status table alone without a board). */
export function columnView(d: Dashboard): HTMLElement {
  const cols = columnsTable(d);
  return h('div', { class: cols ? 'grid-cols' : '', 'data-testid': 'column-view', 'data-columns': d.columns?.length ?? 0 }, cols, statusTable(d));
}
