/* flow.ts - the Flow tab: WIP aging bubbles, cumulative flow and the
 * cycle-time scatter (Apache ECharts, only the parts we use). */
import * as echarts from 'echarts/core';
import { ScatterChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, DataZoomComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api, ApiError, type Cfd, type Scatter, type WipAging } from './api';
import { openIssue } from './bridge';
import { h, stateMsg, days } from './dom';

echarts.use([ScatterChart, LineChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, DataZoomComponent, CanvasRenderer]);

const PALETTE = ['#0C66E4', '#22A06B', '#E56910', '#8F7EE7', '#C9372C', '#1D7AFC', '#6A9A23', '#CF9F02', '#AE4787', '#2898BD', '#626F86', '#94C748'];
const FONT = { fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif', color: '#44546F' };

function chartBox(title: string, testid: string, extra?: HTMLElement): { card: HTMLElement; box: HTMLElement } {
  const box = h('div', { class: 'chart', 'data-testid': `${testid}-chart` });
  const card = h('section', { class: 'card', 'data-testid': testid }, h('div', { class: 'card-head' }, h('h3', {}, title), extra ?? null), box);
  return { card, box };
}

function mount(box: HTMLElement, option: echarts.EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(box, undefined, { renderer: 'canvas' });
  chart.setOption({ textStyle: FONT, animation: false, ...option });
  new ResizeObserver(() => chart.resize()).observe(box);
  return chart;
}

function wipAging(box: HTMLElement, data: WipAging): void {
  if (data.items.length === 0) { box.replaceWith(stateMsg('empty', 'No work in progress right now.')); return; }
  const statuses = [...new Set(data.items.map((i) => i.status))];
  const byAssignee = new Map<string, WipAging['items']>();
  for (const it of data.items) {
    const who = it.assignee ?? 'Unassigned';
    if (!byAssignee.has(who)) byAssignee.set(who, []);
    byAssignee.get(who)!.push(it);
  }
  box.dataset.points = String(data.items.length);
  // WIP limits (the project's, else the tenant-wide one: the backend resolves
  // it) show under each column as "current / limit".
  const idOf = new Map(data.items.map((i) => [i.status, String(i.statusId)]));
  const count = (name: string) => data.items.filter((i) => i.status === name).length;
  const limitOf = (name: string) => data.wipLimits.find((l) => String(l.statusId) === idOf.get(name))?.limit ?? null;
  const axisLabel = (name: string) => { const l = limitOf(name); return l == null ? name : `${name}\n${count(name)} / ${l}${count(name) > l ? ' over' : ''}`; };
  const limited = statuses.filter((n) => limitOf(n) != null);
  box.dataset.limits = limited.map((n) => `${idOf.get(n)}:${count(n)}/${limitOf(n)}`).join(',');
  box.after(h('p', { class: 'subtle chart-note', 'data-testid': 'wip-aging-limits' }, ...(limited.length === 0 ? ['No WIP limits set for these statuses (Settings).']
    : ['WIP now / limit: ', ...limited.flatMap((n, i) => [i ? ' · ' : '', h('span', { class: count(n) > limitOf(n)! ? 'change-bad' : '', 'data-status-id': idOf.get(n)! }, `${n} ${count(n)} / ${limitOf(n)}`)])])));
  const p95 = data.referenceP95Days;
  const chart = mount(box, {
    color: PALETTE,
    legend: { type: 'scroll', top: 0 },
    grid: { left: 56, right: 24, top: 52, bottom: 64 },
    tooltip: { formatter: (p: { data: [number, number, number, string, string, string] }) =>
      `<b>${p.data[3]}</b> · ${p.data[4]}<br/>${days(p.data[1])} in status${p.data[5] ? ` · ${p.data[5]}` : ''}<br/>${p.data[2] == null ? '—' : Number(p.data[2]).toFixed(1)} points · click to open` },
    // A value axis carries the jittered points (status i at i + 0.5); a category
    // axis over the same span only draws the status names under their columns.
    xAxis: [
      { type: 'value', min: 0, max: statuses.length, interval: 1, axisLabel: { show: false }, axisTick: { show: false }, splitLine: { show: true, lineStyle: { color: '#091E420F' } } },
      { type: 'category', data: statuses, position: 'bottom', axisLabel: { interval: 0, rotate: statuses.length > 5 ? 20 : 0, formatter: axisLabel } },
    ],
    // Log scale: a few year-old backlog items must not flatten the live work.
    yAxis: { type: 'log', logBase: 10, min: 0.01, name: 'days in status (log scale)', nameTextStyle: { align: 'left' } },
    series: [...byAssignee.entries()].map(([who, items], idx) => ({
      name: who, type: 'scatter', xAxisIndex: 0,
      symbolSize: (v: number[]) => 8 + 4 * Math.sqrt(Math.max(0, v[2] ?? 1)),
      data: items.map((i, n) => [statuses.indexOf(i.status) + 0.5 + (((n * 37) % 11) / 10 - 0.5) * 0.6, Math.max(0.01, i.daysInStatus), i.size, i.key, i.status, i.agingPastNormal ? 'aging past normal flow' : '']),
      ...(idx === 0 && p95 != null ? { markLine: { symbol: 'none', silent: true, lineStyle: { color: '#C9372C', type: 'dashed' },
        label: { formatter: `P95 ${days(p95)} (n=${data.referenceN})`, position: 'insideEndTop' }, data: [{ yAxis: p95 }] } } : {}),
    })),
  });
  chart.on('click', (p) => { const key = (p.data as unknown[])?.[3]; if (typeof key === 'string') void openIssue(key); });
}

function cfd(box: HTMLElement, data: Cfd): void {
  if (data.days.length === 0 || data.bands.length === 0) { box.replaceWith(stateMsg('empty', 'No cumulative flow data for this period.')); return; }
  box.dataset.days = String(data.days.length);
  mount(box, {
    color: PALETTE,
    legend: { type: 'scroll', top: 0 },
    grid: { left: 56, right: 24, top: 52, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'category', boundaryGap: false, data: data.days.map((d) => d.date) },
    yAxis: { type: 'value', name: 'issues' },
    series: data.bands.map((b, i) => ({ name: b.name, type: 'line', stack: 'cfd', areaStyle: { opacity: 0.85 }, symbol: 'none', lineStyle: { width: 0.5 },
      data: data.days.map((d) => d.counts[i] ?? 0) })),
  });
}

function scatter(box: HTMLElement, data: Scatter, mode: 'lead' | 'cycle'): void {
  const pts = data.points.filter((p) => (mode === 'lead' ? p.leadDays : p.cycleDays) != null);
  if (pts.length === 0) { box.replaceChildren(stateMsg('empty', 'No issues were completed in this window.')); return; }
  box.dataset.points = String(pts.length);
  box.dataset.mode = mode;
  const stat = mode === 'lead' ? data.lead : data.cycle;
  const types = [...new Set(pts.map((p) => p.issueType))];
  const lines = [['P50', stat.p50Days, '#22A06B'], ['P85', stat.p85Days, '#E56910'], ['P95', stat.p95Days, '#C9372C']]
    .filter(([, v]) => v != null)
    .map(([n, v, c]) => ({ yAxis: v, lineStyle: { color: c }, label: { formatter: `${n} ${days(v as number)}`, position: 'insideEndTop' } }));
  echarts.getInstanceByDom(box)?.dispose();
  mount(box, {
    color: PALETTE,
    legend: { top: 0 },
    grid: { left: 56, right: 24, top: 52, bottom: 40 },
    tooltip: { formatter: (p: { data: [number, number, string] }) => `<b>${p.data[2]}</b>: ${days(p.data[1])}` },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', name: mode === 'lead' ? 'cycle time (created → done), days' : 'started → done, days', nameTextStyle: { align: 'left' } },
    series: types.map((t, i) => ({
      name: t, type: 'scatter', symbolSize: 8,
      data: pts.filter((p) => p.issueType === t).map((p) => [Date.parse(p.doneAt), mode === 'lead' ? p.leadDays : p.cycleDays, p.key]),
      ...(i === 0 ? { markLine: { symbol: 'none', silent: true, lineStyle: { type: 'dashed' }, data: lines } } : {}),
    })),
  });
}

/** Renders the tab; each chart loads on its own so one failure leaves the others. */
export function renderFlow(projectKey: string, window: string): HTMLElement {
  const aging = chartBox('WIP aging', 'wip-aging', h('span', { class: 'subtle' }, 'size = story points · colour = assignee · click opens the issue'));
  const flow = chartBox('Cumulative flow (last 30 days)', 'cfd');
  let mode: 'lead' | 'cycle' = 'lead';
  let scatterData: Scatter | null = null;
  const toggle = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Time measure' });
  const sc = chartBox('Cycle-time scatter', 'scatter', toggle);
  const setMode = (m: 'lead' | 'cycle') => {
    mode = m;
    for (const b of toggle.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.getAttribute('data-mode') === m));
    if (scatterData) scatter(sc.box, scatterData, mode);
  };
  toggle.append(
    h('button', { 'data-mode': 'lead', 'aria-pressed': 'true', onclick: () => setMode('lead') }, 'Created → done'),
    h('button', { 'data-mode': 'cycle', 'aria-pressed': 'false', onclick: () => setMode('cycle') }, 'Started → done'));
  const fail = (box: HTMLElement) => (e: unknown) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e)));
  for (const b of [aging.box, flow.box, sc.box]) b.append(stateMsg('loading', 'Loading chart…'));
  api.wipAging(projectKey).then((d) => { aging.box.replaceChildren(); wipAging(aging.box, d); }, fail(aging.box));
  api.cfd(projectKey).then((d) => { flow.box.replaceChildren(); cfd(flow.box, d); }, fail(flow.box));
  api.scatter(projectKey, window).then((d) => { scatterData = d; sc.box.replaceChildren(); scatter(sc.box, d, mode); }, fail(sc.box));
  return h('div', { class: 'flow', 'data-testid': 'flow' }, aging.card, flow.card, sc.card);
}
