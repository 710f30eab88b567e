/* flow.ts - the Flow tab: WIP aging bubbles, cumulative flow and the
 * lead / cycle time scatter (Apache ECharts, only the parts we use). Every
 * title names the window it shows (with its dates) and the "as of" day. */
import * as echarts from 'echarts/core';
import { ScatterChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, MarkAreaComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api, ApiError, type Cfd, type Dashboard, type Scatter, type WipAging } from './api';
import { openIssue } from './bridge';
import { h, stateMsg, days } from './dom';
import { L, shortDate, windowDates, windowText } from './labels';
import { colourAt, OTHER, PALETTE } from './palette';
import { runsCard } from './runs';
import { columnView } from './columns';

echarts.use([ScatterChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, MarkAreaComponent, DataZoomComponent, CanvasRenderer]);

const FONT = { fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif', color: '#44546F' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Time-axis labels with month names: "5 Mar", "Mar 2026" at a month, the year at a year. */
const TIME_LABELS = { year: '{yyyy}', month: '{MMM} {yyyy}', day: '{d} {MMM}', hour: '{d} {MMM}', minute: '{d} {MMM}', second: '{d} {MMM}', millisecond: '{d} {MMM}', none: '{d} {MMM}' };
/** "5 Mar" for a YYYY-MM-DD category label ("Mar 2026" on the 1st). */
const dayLabel = (ymd: string) => { const [y, m, d] = ymd.split('-').map(Number); return d === 1 ? `${MONTHS[m - 1]} ${y}` : `${d} ${MONTHS[m - 1]}`; };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const dateOf = (iso: string | null | undefined) => (iso ? shortDate(iso.slice(0, 10)) : '—');

/** What the Flow tab shows: the picked window, the "as of" day and the dashboard of both. */
export interface FlowCtx { window: string; asOf: string | null; dash: Dashboard | null }

function chartBox(title: string, testid: string, extra?: HTMLElement): { card: HTMLElement; box: HTMLElement; title: HTMLElement } {
  const box = h('div', { class: 'chart', 'data-testid': `${testid}-chart` });
  const t = h('h3', { 'data-testid': `${testid}-title` }, title);
  const card = h('section', { class: 'card', 'data-testid': testid }, h('div', { class: 'card-head' }, t, extra ?? null), box);
  return { card, box, title: t };
}

function mount(box: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  echarts.getInstanceByDom(box)?.dispose();
  const chart = echarts.init(box, undefined, { renderer: 'canvas' });
  chart.setOption({ textStyle: FONT, animation: false, ...option });
  new ResizeObserver(() => chart.resize()).observe(box);
  return chart;
}

type AgingItem = WipAging['items'][number];

/** The aging tooltip: key, type, summary, status, dates and the figures (what the item carries). */
function agingTip(i: AgingItem): string {
  const lines = [`<b>${esc(i.key)}</b> · ${esc(i.issueType || '—')}${i.summary ? `<br/>${esc(i.summary)}` : ''}`,
    `${esc(i.status)}: <b>${days(i.daysInStatus)}</b> in status${i.enteredAt ? ` (since ${dateOf(i.enteredAt)})` : ''}`,
    `started: ${i.daysSinceStarted == null ? 'not started' : `${days(i.daysSinceStarted)} ago`}${i.startedAt ? ` (${dateOf(i.startedAt)})` : ''}`,
    `created: ${days(i.daysSinceCreated)} ago${i.createdAt ? ` (${dateOf(i.createdAt)})` : ''}`,
    `${esc(i.assignee ?? 'Unassigned')} · ${i.size == null ? '—' : Number(i.size.toFixed(1))} points`];
  if (i.pace != null) lines.push(`pace: older than <b>${Math.round(i.pace * 100)}%</b> of finished items`);
  if (i.blocked) lines.push(`<span style="color:#C9372C">${BLOCKED_MARK} <b>blocked</b>: ${i.flagged ? 'flagged (impediment)' : 'blocked by an open issue'}</span>`);
  if (i.atRisk) lines.push('<span style="color:#C9372C">at risk of missing the SLE</span>');
  if (i.agingPastNormal) lines.push('<span style="color:#C9372C">aging past normal flow</span>');
  lines.push('<span style="color:#626F86">click to open</span>');
  return lines.join('<br/>');
}

/** The blocked marker's glyph in the tooltip and the note. */
const BLOCKED_MARK = '⚑';
/** The marker drawn above a blocked item: a flag when flagged, a bar ("no entry") when blocked by an open issue. */
const FLAG_SYMBOL = 'path://M0,0H2V14H0Z M2,0H11L8.5,3.5L11,7H2Z';
const LINK_SYMBOL = 'path://M0,0H10V4H0Z';
const BLOCKED_COLOUR = '#C9372C';
/** Pixels the marker stands above its item's centre. */
const MARK_LIFT = 14;

/** The ring of a point by its pace: at risk red, else darker as it ages past the bands. */
function paceColour(i: AgingItem): string {
  if (i.atRisk) return '#C9372C';
  if (i.pace == null) return '#FFFFFF';
  return i.pace > 0.85 ? '#E56910' : i.pace > 0.7 ? '#F5CD47' : i.pace > 0.5 ? '#94C748' : '#22A06B';
}

/** Band shades, P50 lightest to P95 (green to red, as ActionableAgile reads them). */
const BAND_FILL = ['#22A06B22', '#94C74826', '#F5CD472E', '#E5691033'];

/** markArea rectangles of the per-status bands (column i spans x i..i+1): 0..P50, P50..P70, P70..P85, P85..P95. */
function bandAreas(data: WipAging, statuses: string[]): unknown[] {
  const out: unknown[] = [];
  for (const b of data.bands?.statuses ?? []) {
    const col = statuses.indexOf(b.status ?? '');
    if (col < 0 || b.n === 0) continue;
    const edges = [0.01, b.p50Days, b.p70Days, b.p85Days, b.p95Days].map((v) => Math.max(0.01, v ?? 0.01));
    for (let k = 0; k < 4; k++) {
      if (edges[k + 1] <= edges[k]) continue; // a tie at a band edge: nothing to shade
      out.push([{ xAxis: col, yAxis: edges[k], itemStyle: { color: BAND_FILL[k] } }, { xAxis: col + 1, yAxis: edges[k + 1] }]);
    }
  }
  return out;
}

function wipAging(box: HTMLElement, note: HTMLElement, data: WipAging, backlog: boolean): void {
  note.replaceChildren();
  if (data.items.length === 0) {
    echarts.getInstanceByDom(box)?.dispose();
    box.dataset.points = '0';
    box.replaceChildren(stateMsg('empty', backlog ? 'No open work, started or not.' : 'No work in progress (started, not done) at this time.'));
    return;
  }
  box.replaceChildren();
  const statuses = [...new Set(data.items.map((i) => i.status))];
  const byAssignee = new Map<string, AgingItem[]>();
  for (const it of data.items) {
    const who = it.assignee ?? 'Unassigned';
    if (!byAssignee.has(who)) byAssignee.set(who, []);
    byAssignee.get(who)!.push(it);
  }
  // Largest first, so past the twelfth the shared "other" grey goes to the smallest.
  const groups = [...byAssignee.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  box.dataset.points = String(data.items.length);
  box.dataset.backlog = String(backlog);
  box.dataset.colours = JSON.stringify(groups.map(([who], i) => [who, colourAt(i)]));
  // WIP limits (the project's, else the tenant-wide one: the backend resolves
  // it) show under each column as "current / limit".
  const idOf = new Map(data.items.map((i) => [i.status, String(i.statusId)]));
  const count = (name: string) => data.items.filter((i) => i.status === name).length;
  const limitOf = (name: string) => data.wipLimits.find((l) => String(l.statusId) === idOf.get(name))?.limit ?? null;
  const axisLabel = (name: string) => { const l = limitOf(name); return l == null ? name : `${name}\n${count(name)} / ${l}${count(name) > l ? ' over' : ''}`; };
  const limited = statuses.filter((n) => limitOf(n) != null);
  box.dataset.limits = limited.map((n) => `${idOf.get(n)}:${count(n)}/${limitOf(n)}`).join(',');
  note.replaceChildren(...(limited.length === 0 ? ['No WIP limits set for these statuses (Settings).']
    : ['WIP / limit: ', ...limited.flatMap((n, i) => [i ? ' · ' : '', h('span', { class: count(n) > limitOf(n)! ? 'change-bad' : '', 'data-status-id': idOf.get(n)! }, `${n} ${count(n)} / ${limitOf(n)}`)])]),
  groups.length > PALETTE.length ? ` · ${groups.length - PALETTE.length} more assignees in grey` : '');
  const p95 = data.referenceP95Days;
  const byKey = new Map(data.items.map((i) => [i.key, i]));
  // With bands (work in progress only) points stand at their age since
  // started, the axis the bands, pace and SLE are measured on; the backlog
  // view keeps days in status (items never started have no such age).
  const banded = !backlog && data.bands != null;
  const yOf = (i: AgingItem) => Math.max(0.01, banded ? i.daysSinceStarted ?? i.daysInStatus : i.daysInStatus);
  const areas = banded ? bandAreas(data, statuses) : [];
  const sle = banded ? data.sle?.setting ?? null : null;
  box.dataset.yAxis = banded ? 'started' : 'status';
  box.dataset.bands = String(areas.length);
  box.dataset.sle = sle ? String(sle.days) : '';
  box.dataset.atRisk = String(data.items.filter((i) => i.atRisk).length);
  if (banded) {
    const sug = data.sle?.suggestion;
    note.append(h('span', { 'data-testid': 'aging-sle' }, sle
      ? ` · SLE: ${sle.percentile}% within ${sle.days}d, ${data.atRisk?.length ?? 0} at risk`
      : sug ? ` · SLE: none (suggested ${sug.percentile}% within ${sug.days}d)` : ' · SLE: none'),
    h('span', { class: 'subtle' }, ' · shades: P50/70/85/95 per status · ring: pace (red: at risk)'));
  }
  const lines: unknown[] = [];
  if (p95 != null) lines.push({ yAxis: p95, lineStyle: { color: '#C9372C', type: 'dashed' }, label: { formatter: `P95 of ${L.leadShort.toLowerCase()} ${days(p95)} (n=${data.referenceN})`, position: 'insideEndTop' } });
  if (sle) lines.push({ yAxis: sle.days, lineStyle: { color: '#AE2E24', type: 'solid', width: 2 }, label: { formatter: `SLE ${sle.percentile}% ≤ ${sle.days}d`, position: 'insideStartTop' } });
  // One jittered x per item, shared by its point and its blocked marker.
  const xOf = new Map<string, number>();
  for (const [, items] of groups) items.forEach((i, n) => xOf.set(i.key, statuses.indexOf(i.status) + 0.5 + (((n * 37) % 11) / 10 - 0.5) * 0.6));
  const pointOf = (i: AgingItem) => [xOf.get(i.key)!, yOf(i), i.size, i.key, i.status, i.agingPastNormal ? 'aging past normal flow' : ''];
  // Blocked items (flagged, or blocked by an open blocker now) get a marker
  // above the point; the point itself keeps its assignee fill and pace ring.
  const blocked = data.items.filter((i) => i.blocked);
  const flagged = blocked.filter((i) => i.flagged), byLink = blocked.filter((i) => !i.flagged);
  box.dataset.blocked = String(blocked.length);
  box.dataset.blockedKeys = JSON.stringify(blocked.map((i) => i.key));
  box.dataset.flaggedKeys = JSON.stringify(flagged.map((i) => i.key));
  if (blocked.length) note.append(h('span', { 'data-testid': 'aging-blocked' }, ` · ${BLOCKED_MARK} ${blocked.length} blocked${flagged.length ? ` (${flagged.length} flagged)` : ''}`));
  const markers = [['Blocked: flagged', flagged, FLAG_SYMBOL, [14, 18]], ['Blocked by an open issue', byLink, LINK_SYMBOL, [14, 6]]] as const;
  const markerSeries = markers.filter(([, items]) => items.length > 0).map(([name, items, symbol, size]) => ({
    name, type: 'scatter', xAxisIndex: 0, symbol, symbolSize: size, symbolOffset: [0, -MARK_LIFT], z: 5,
    itemStyle: { color: BLOCKED_COLOUR, borderColor: '#FFFFFF', borderWidth: 1 },
    data: items.map((i) => ({ value: pointOf(i) })),
  }));
  const chart = mount(box, {
    color: [...groups.map((_, i) => colourAt(i)), ...markerSeries.map(() => BLOCKED_COLOUR)],
    legend: { type: 'scroll', top: 0 },
    grid: { left: 56, right: 24, top: 52, bottom: 64 },
    tooltip: { formatter: (p: { value: unknown[] }) => { const it = byKey.get(String(p.value?.[3])); return it ? agingTip(it) : ''; } },
    // A value axis carries the jittered points (status i at i + 0.5); a category
    // axis over the same span only draws the status names under their columns.
    xAxis: [
      { type: 'value', min: 0, max: statuses.length, interval: 1, axisLabel: { show: false }, axisTick: { show: false }, splitLine: { show: true, lineStyle: { color: '#091E420F' } } },
      { type: 'category', data: statuses, position: 'bottom', axisLabel: { interval: 0, rotate: statuses.length > 5 ? 20 : 0, formatter: axisLabel } },
    ],
    // Log scale: a few old items must not flatten the live work.
    yAxis: { type: 'log', logBase: 10, min: 0.01, name: banded ? 'days since started (log scale)' : L.daysInStatus, nameTextStyle: { align: 'left' } },
    series: groups.map(([who, items], idx) => ({
      name: who, type: 'scatter', xAxisIndex: 0, itemStyle: { color: colourAt(idx) },
      symbolSize: (v: number[]) => 8 + 4 * Math.sqrt(Math.max(0, v[2] ?? 1)),
      // The ring is the pace (paceColour); the fill stays the assignee's.
      data: items.map((i) => ({ value: pointOf(i),
        itemStyle: banded ? { borderColor: paceColour(i), borderWidth: i.atRisk ? 3 : 2 } : {} })),
      ...(idx === 0 && lines.length > 0 ? { markLine: { symbol: 'none', silent: true, data: lines } } : {}),
      ...(idx === 0 && areas.length > 0 ? { markArea: { silent: true, data: areas } } : {}),
    })).concat(markerSeries as never[]),
  });
  // Where each blocked marker is drawn (CSS pixels in the chart box), for tests and tools.
  const place = () => {
    box.dataset.blockedAt = JSON.stringify(blocked.map((i) => {
      const [x, y] = chart.convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [xOf.get(i.key)!, yOf(i)]) as number[];
      return [i.key, Math.round(x), Math.round(y - MARK_LIFT)];
    }));
  };
  place();
  chart.on('finished', place);
  chart.on('click', (p) => { const key = (p.value as unknown[])?.[3]; if (typeof key === 'string') void openIssue(key); });
}

/** The CFD tooltip for one day: each band's top and width, the day's arrivals
 * and departures, and the corrections that began that day. */
function cfdTip(data: Cfd, d: number): string {
  const day = data.days[d];
  if (!day) return '';
  const lines = [`<b>${esc(shortDate(day.date))}</b> (end of day, ${esc(data.tz)})`];
  for (let b = 0; b < data.bands.length; b++) {
    const top = day.reached[b] ?? 0, width = top - (day.reached[b + 1] ?? 0);
    lines.push(`${esc(data.bands[b].name)}: <b>${width}</b> in it · ${top} reached it or beyond`);
  }
  lines.push(`arrived ${day.arrivals} · departed ${day.departures}`);
  const corr = data.corrections.filter((c) => c.startDate === day.date);
  for (const c of corr) lines.push(`<span style="color:#C9372C">correction: ${esc(c.key)} ${esc(c.from)} → ${esc(c.to ?? 'off the board')}</span>`);
  return lines.join('<br/>');
}

/** The cumulative flow diagram: bands drawn bottom-up with the done band at
 * the bottom (its top is the departures line) and the first band on top (its
 * top is the arrivals line); moves back are marks, not dips. */
function cfd(box: HTMLElement, data: Cfd): void {
  if (data.days.length === 0 || data.bands.length === 0) { box.replaceChildren(stateMsg('empty', 'No cumulative flow data for this period.')); return; }
  box.dataset.days = String(data.days.length);
  box.dataset.colours = JSON.stringify(data.bands.map((b, i) => [b.name, colourAt(i)]));
  const order = data.bands.map((_, i) => i).reverse(); // bottom-up: rightmost (done) first
  box.dataset.stack = JSON.stringify(order.map((i) => data.bands[i].name));
  box.dataset.corrections = String(data.corrections.length);
  box.dataset.flowDebt = String(data.flowDebt);
  const dates = data.days.map((d) => d.date);
  const width = (d: Cfd['days'][number], b: number) => (d.reached[b] ?? 0) - (d.reached[b + 1] ?? 0);
  const marks = data.corrections.filter((c) => dates.includes(c.startDate))
    .map((c) => { const d = dates.indexOf(c.startDate); return [c.startDate, data.days[d].reached[0] ?? 0, c.key]; });
  const legend = [...data.bands.map((b) => b.name), ...(marks.length ? [L.cfdCorrections] : [])];
  box.dataset.legend = JSON.stringify(legend);
  box.dataset.xName = `${L.cfdDayAxis} (${data.tz})`;
  // Items done long before the window make the done band most of the
  // chart; the axis starts a little below the lowest line of the window
  // (said in its name) so that the working bands stay readable.
  const low = Math.min(...data.days.map((d) => d.reached[data.bands.length - 1] ?? 0));
  const yMin = low >= 20 ? Math.floor((low * 0.9) / 10) * 10 : 0;
  box.dataset.yMin = String(yMin);
  box.dataset.yName = yMin > 0 ? `${L.cfdItemsAxis} (from ${yMin})` : L.cfdItemsAxis;
  mount(box, {
    color: order.map((i) => colourAt(i)),
    legend: { type: 'scroll', top: 0, data: legend },
    grid: { left: 64, right: 24, top: 52, bottom: 56 },
    tooltip: { trigger: 'axis', formatter: (ps: Array<{ dataIndex: number }>) => cfdTip(data, ps[0]?.dataIndex ?? 0) },
    xAxis: { type: 'category', boundaryGap: false, data: dates, axisLabel: { formatter: dayLabel }, name: box.dataset.xName, nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', name: box.dataset.yName, nameTextStyle: { align: 'left' }, minInterval: 1, min: yMin },
    series: [
      ...order.map((i) => ({ name: data.bands[i].name, type: 'line', stack: 'cfd', areaStyle: { opacity: 0.85, color: colourAt(i) }, itemStyle: { color: colourAt(i) }, symbol: 'none', lineStyle: { width: 0.5, color: colourAt(i) },
        data: data.days.map((d) => width(d, i)) })),
      ...(marks.length ? [{ name: L.cfdCorrections, type: 'scatter', symbol: 'triangle', symbolSize: 10, itemStyle: { color: '#C9372C' }, data: marks }] : []),
    ],
  });
}

type Point = Scatter['points'][number];

function scatterTip(p: Point, mode: 'lead' | 'cycle'): string {
  const above = mode === 'lead' ? (p.leadAboveP95 ? 'outlier (above P95)' : p.leadAboveP85 ? 'longer than usual (above P85)' : '')
    : (p.cycleAboveP95 ? 'outlier (above P95)' : p.cycleAboveP85 ? 'longer than usual (above P85)' : '');
  return [`<b>${esc(p.key)}</b> · ${esc(p.issueType || '—')}${p.summary ? `<br/>${esc(p.summary)}` : ''}`,
    `done ${dateOf(p.doneAt)}${p.createdAt ? ` · created ${dateOf(p.createdAt)}` : ''}${p.startedAt ? ` · started ${dateOf(p.startedAt)}` : ''}`,
    `${mode === 'lead' ? '<b>' : ''}${L.leadShort}: ${days(p.leadDays)}${mode === 'lead' ? '</b>' : ''} (created → done)`,
    `${mode === 'cycle' ? '<b>' : ''}${L.cycleShort}: ${p.cycleDays == null ? 'never started' : days(p.cycleDays)}${mode === 'cycle' ? '</b>' : ''} (started → done)`,
    above ? `<span style="color:#C9372C">${above}</span>` : ''].filter(Boolean).join('<br/>');
}

/** The scatter's percentile lines: labels at the start, middle and end of
 * their lines, so they never sit on one another however close the values. */
const LINE_SPOTS = ['insideStartTop', 'insideMiddleTop', 'insideEndTop'] as const;

function scatter(box: HTMLElement, legend: HTMLElement, data: Scatter, mode: 'lead' | 'cycle'): void {
  const pts = data.points.filter((p) => (mode === 'lead' ? p.leadDays : p.cycleDays) != null);
  box.dataset.mode = mode;
  if (pts.length === 0) { echarts.getInstanceByDom(box)?.dispose(); box.dataset.points = '0'; box.replaceChildren(stateMsg('empty', 'No issues were completed in this window.')); legend.replaceChildren(); return; }
  box.replaceChildren();
  box.dataset.points = String(pts.length);
  const stat = mode === 'lead' ? data.lead : data.cycle;
  const types = [...new Set(pts.map((p) => p.issueType))];
  const spec = ([['P50', stat.p50Days, '#22A06B'], ['P85', stat.p85Days, '#E56910'], ['P95', stat.p95Days, '#C9372C']] as Array<[string, number | null | undefined, string]>);
  const lines = spec.map(([n, v, c], i) => ({ n, v, c, spot: LINE_SPOTS[i] })).filter((x) => x.v != null)
    .map(({ n, v, c, spot }) => ({ yAxis: v, lineStyle: { color: c }, label: { formatter: `${n} ${days(v)}`, position: spot, color: c, fontWeight: 600, backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] } }));
  const byKey = new Map(pts.map((p) => [p.key, p]));
  box.dataset.yName = mode === 'lead' ? L.leadAxis : L.cycleAxis;
  box.dataset.lineLabels = JSON.stringify(lines.map((l) => [l.label.formatter, l.label.position]));
  legend.replaceChildren(`${mode === 'lead' ? L.leadTime : L.cycleTime}, n=${pts.length}: `,
    ...spec.flatMap(([n, v, c], i) => [i ? ' · ' : '', h('span', { style: `color:${c}`, 'data-line': n }, `${n} ${stat.count > 0 ? days(v) : '—'}`)]));
  mount(box, {
    color: types.map((_, i) => colourAt(i)),
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 52, bottom: 40 },
    tooltip: { formatter: (p: { data: unknown[] }) => { const x = byKey.get(String(p.data[2])); return x ? scatterTip(x, mode) : ''; } },
    xAxis: { type: 'time', axisLabel: { formatter: TIME_LABELS, hideOverlap: true } },
    yAxis: { type: 'value', name: mode === 'lead' ? L.leadAxis : L.cycleAxis, nameTextStyle: { align: 'left' } },
    series: types.map((t, i) => ({
      name: t, type: 'scatter', symbolSize: 8, itemStyle: { color: colourAt(i) },
      data: pts.filter((p) => p.issueType === t).map((p) => [Date.parse(p.doneAt), mode === 'lead' ? p.leadDays : p.cycleDays, p.key]),
      ...(i === 0 ? { markLine: { symbol: 'none', silent: true, lineStyle: { type: 'dashed' }, data: lines } } : {}),
    })),
  });
}

/** The CFD's days: the dashboard window's calendar days (at most 366, the route's cap). */
export function cfdRange(d: Dashboard | null): { from: string; to: string } | null {
  if (!d) return null;
  const { from, to } = windowDates(d.window);
  const max = Date.parse(`${to}T00:00:00Z`) - 365 * 86400000;
  return { from: Date.parse(`${from}T00:00:00Z`) < max ? new Date(max).toISOString().slice(0, 10) : from, to };
}

/** Renders the tab; each chart loads on its own so one failure leaves the others. */
export function renderFlow(projectKey: string, ctx: FlowCtx): HTMLElement {
  const when = ctx.asOf ? `as of ${shortDate(ctx.asOf)}` : 'now';
  const win = ctx.dash ? windowText(ctx.dash, ctx.window) : ctx.window;
  const backlogBox = h('input', { type: 'checkbox', 'data-testid': 'aging-backlog' }) as HTMLInputElement;
  const agingExtra = h('span', { class: 'card-tools' },
    h('label', { class: 'check-inline' }, backlogBox, ' Include backlog'),
    h('span', { class: 'subtle' }, ' · size = story points · colour = assignee · click opens the issue'));
  const aging = chartBox(`${L.wipAging} (${when})`, 'wip-aging', agingExtra);
  const agingNote = h('p', { class: 'subtle chart-note', 'data-testid': 'wip-aging-limits' });
  aging.card.append(agingNote);
  const range = cfdRange(ctx.dash);
  const flow = chartBox(`${L.cfd} · ${win}`, 'cfd', h('span', { class: 'subtle' }, ' done at the bottom · arrivals on top · a band\'s width is its WIP'));
  if (range) { flow.box.dataset.from = range.from; flow.box.dataset.to = range.to; }
  const flowNote = h('p', { class: 'subtle chart-note', 'data-testid': 'cfd-summary' });
  flow.card.append(flowNote);
  let mode: 'lead' | 'cycle' = 'lead';
  let scatterData: Scatter | null = null;
  const toggle = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time measure' });
  const sc = chartBox(`${L.scatter} · ${win}`, 'scatter', toggle);
  const scLegend = h('p', { class: 'subtle chart-note', 'data-testid': 'scatter-lines' });
  sc.card.append(scLegend);
  const setMode = (m: 'lead' | 'cycle') => {
    mode = m;
    for (const b of toggle.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.getAttribute('data-mode') === m));
    if (scatterData) scatter(sc.box, scLegend, scatterData, mode);
  };
  toggle.append(
    h('button', { 'data-mode': 'lead', 'aria-pressed': 'true', onclick: () => setMode('lead') }, L.leadTime),
    h('button', { 'data-mode': 'cycle', 'aria-pressed': 'false', onclick: () => setMode('cycle') }, L.cycleTime));
  const fail = (box: HTMLElement) => (e: unknown) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e)));
  for (const b of [aging.box, flow.box, sc.box]) b.append(stateMsg('loading', 'Loading chart…'));
  let agingSeq = 0;
  const loadAging = () => {
    const seq = ++agingSeq;
    const backlog = backlogBox.checked;
    aging.box.dataset.loading = 'true';
    api.wipAging(projectKey, ctx.asOf, backlog).then((d) => {
      if (seq !== agingSeq) return;
      delete aging.box.dataset.loading;
      wipAging(aging.box, agingNote, d, backlog);
    }, (e) => { if (seq === agingSeq) { delete aging.box.dataset.loading; fail(aging.box)(e); } });
  };
  backlogBox.addEventListener('change', loadAging);
  loadAging();
  api.cfd(projectKey, range, ctx.asOf).then((d) => {
    flow.box.replaceChildren();
    cfd(flow.box, d);
    flowNote.textContent = `Arrived ${d.arrivals} · departed ${d.departures} · flow debt ${d.flowDebt > 0 ? '+' : ''}${d.flowDebt}`
      + (d.corrections.length ? ` · ${d.corrections.length} moved back (marked, not subtracted)` : '');
  }, fail(flow.box));
  api.scatter(projectKey, ctx.window, ctx.asOf).then((d) => { scatterData = d; scatter(sc.box, scLegend, d, mode); }, fail(sc.box));
  const runs = runsCard(projectKey, ctx.window, ctx.asOf, `Run charts with process limits · ${win}`);
  return h('div', { class: 'flow', 'data-testid': 'flow', 'data-palette': JSON.stringify([...PALETTE]), 'data-other': OTHER }, aging.card, flow.card,
    ctx.dash ? columnView(ctx.dash) : null, sc.card, runs);
}

