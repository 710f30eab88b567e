/* runs.ts - the Flow tab's run charts: throughput per day and week, WIP,
 * cycle time and work item age over the window, each with its XmR natural
 * process limits (mean ± 2.66 × average moving range) and the points that
 * are part of a signal (docs/metrics.md, "Run charts and process limits").
 * One chart at a time, picked with a segmented control; the data comes from
 * GET /charts/runs and is drawn as sent (the backend decides limits and
 * signals; nothing is recomputed here). */
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api, ApiError, type RunSeries, type Runs } from './api';
import { h, stateMsg } from './dom';
import { L, shortDate } from './labels';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

const FONT = { fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif', color: '#44546F' };
const COLOUR = { value: '#0C66E4', mean: '#22A06B', limit: '#C9372C', signal: '#E56910' };

/** What each series is called, its axes and how its latest point reads. */
const SERIES: Record<string, { label: string; x: string; y: string; last: string }> = {
  throughputPerDay: { label: 'Throughput / day', x: 'Day', y: 'Items done', last: 'last day' },
  throughputPerWeek: { label: 'Throughput / week', x: 'Week (starting Monday)', y: 'Items done', last: 'last week' },
  wipPerDay: { label: 'WIP', x: "Day (at the day's end)", y: 'Items in progress', last: "last day's end" },
  cycleTime: { label: L.cycleTime, x: 'Item (in done order)', y: L.cycleAxis, last: 'last item done' },
  ageTotal: { label: 'WIP age (total)', x: "Day (at the day's end)", y: 'Total age of WIP (days)', last: "last day's end" },
  ageAverage: { label: 'WIP age (average)', x: "Day (at the day's end)", y: 'Average age of WIP (days)', last: "last day's end" },
};
const SIGNAL_TEXT: Record<string, string> = { outside: 'outside a limit', run: '8+ in a row on one side', zone: '3 of 4 beyond ⅔ of the limit' };

/** A number as the charts print it: items whole when whole, days with 1 decimal. */
const fmt = (v: number | null | undefined, unit: string) =>
  v == null ? '—' : unit === 'days' ? `${Number(v.toFixed(1))}d` : String(Number(v.toFixed(1)));
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Point = RunSeries['points'][number];

/** The tooltip: where the point is, its value, the limits and its signals. */
export function runTip(s: RunSeries, p: Point): string {
  const where = p.key ? `<b>${esc(p.key)}</b> · done ${shortDate(p.date)}` : `<b>${shortDate(p.date)}</b>`;
  const lines = [where, `${esc(SERIES[s.name]?.y ?? s.name)}: <b>${fmt(p.value, s.unit)}</b>`,
    `mean ${fmt(s.mean, s.unit)} · limits ${fmt(s.lower, s.unit)} … ${fmt(s.upper, s.unit)}`];
  if (p.signals.length) lines.push(`<span style="color:${COLOUR.signal}">signal: ${p.signals.map((x) => SIGNAL_TEXT[x] ?? x).join('; ')}</span>`);
  return lines.join('<br/>');
}

/** One line under the chart: the latest point against the limits, and the count of signalled points. */
export function runSummary(s: RunSeries): string {
  const meta = SERIES[s.name];
  if (s.points.length === 0) return `${meta?.label ?? s.name}: no point in this window.`;
  const last = s.points[s.points.length - 1];
  const where = s.upper == null ? 'no limits yet (one point)'
    : `${last.signals.includes('outside') ? 'outside' : 'within'} limits ${fmt(s.lower, s.unit)}…${fmt(s.upper, s.unit)}`;
  return `${meta?.label ?? s.name}, ${meta?.last ?? 'last'}: ${fmt(last.value, s.unit)}, ${where} (mean ${fmt(s.mean, s.unit)}; ${s.signalledPoints} of ${s.points.length} points in a signal).`;
}

function draw(box: HTMLElement, note: HTMLElement, s: RunSeries): void {
  const meta = SERIES[s.name] ?? { label: s.name, x: '', y: s.unit, last: 'last' };
  box.dataset.series = s.name;
  box.dataset.points = String(s.points.length);
  box.dataset.xName = meta.x;
  box.dataset.yName = meta.y;
  box.dataset.mean = s.mean == null ? '' : String(s.mean);
  box.dataset.upper = s.upper == null ? '' : String(s.upper);
  box.dataset.lower = s.lower == null ? '' : String(s.lower);
  box.dataset.signals = String(s.signalledPoints);
  note.textContent = runSummary(s);
  echarts.getInstanceByDom(box)?.dispose();
  if (s.points.length === 0) {
    box.replaceChildren(stateMsg('empty', 'No point in this window: the first and last days are partial and left out.'));
    return;
  }
  box.replaceChildren();
  box.dataset.tip0 = runTip(s, s.points[0]);
  const labels = s.points.map((p) => (p.key ? p.key : shortDate(p.date)));
  const limit = (name: string, v: number | null, colour: string, dashed = true) => (v == null ? null : {
    name, yAxis: v, lineStyle: { color: colour, type: dashed ? 'dashed' : 'solid' },
    label: { formatter: `${name} ${fmt(v, s.unit)}`, position: 'insideEndTop', color: colour },
  });
  const marks = [limit('upper limit', s.upper, COLOUR.limit), limit('mean', s.mean, COLOUR.mean, false), limit('lower limit', s.lower, COLOUR.limit)]
    .filter((m) => m !== null);
  box.dataset.legend = JSON.stringify([meta.label, 'signal', ...marks.map((m) => m!.name)]);
  const chart = echarts.init(box, undefined, { renderer: 'canvas' });
  chart.setOption({
    textStyle: FONT, animation: false,
    legend: { top: 0, data: [meta.label, 'signal'] },
    grid: { left: 64, right: 96, top: 40, bottom: 56 },
    tooltip: { trigger: 'item', formatter: (p: { dataIndex: number }) => runTip(s, s.points[p.dataIndex]) },
    xAxis: { type: 'category', data: labels, name: meta.x, nameLocation: 'middle', nameGap: 32, axisLabel: { hideOverlap: true } },
    // The upper limit stays in view even when no point reaches it.
    yAxis: { type: 'value', name: meta.y, nameTextStyle: { align: 'left' }, min: 0,
      max: (v: { max: number }) => Math.ceil(Math.max(v.max, s.upper ?? 0) * 1.05) || 1 },
    series: [
      { name: meta.label, type: 'line', symbolSize: 6, itemStyle: { color: COLOUR.value }, data: s.points.map((p) => p.value),
        markLine: { symbol: 'none', silent: true, data: marks } },
      // Signals on top of the line, one point each; the tooltip is the point's.
      { name: 'signal', type: 'scatter', symbolSize: 11, itemStyle: { color: COLOUR.signal }, z: 3,
        data: s.points.map((p) => (p.signals.length ? p.value : null)) },
    ],
  });
  new ResizeObserver(() => chart.resize()).observe(box);
}

/** The run-charts card for the Flow tab: loads GET /charts/runs for the window (and "as of" day). */
export function runsCard(projectKey: string, window: string, asOf: string | null, title: string): HTMLElement {
  const box = h('div', { class: 'chart', 'data-testid': 'runs-chart' });
  const note = h('p', { class: 'subtle chart-note', 'data-testid': 'runs-summary' });
  const picker = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Run chart' });
  const head = h('div', { class: 'card-head' }, h('h3', { 'data-testid': 'runs-title' }, title), picker);
  const help = h('p', { class: 'subtle chart-note' },
    'Natural process limits: mean ± 2.66 × average moving range. Orange points are signals: a point outside a limit, ',
    '8 in a row on one side of the mean, or 3 of 4 beyond ⅔ of the way to a limit. Whole days only; working days when the schedule is on.');
  const card = h('section', { class: 'card', 'data-testid': 'runs' }, head, box, note, help);
  box.append(stateMsg('loading', 'Loading chart…'));
  api.runs(projectKey, window, asOf).then((r: Runs) => {
    let current = 'throughputPerWeek';
    const pick = (name: string) => {
      current = name;
      for (const b of picker.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.getAttribute('data-series') === name));
      const s = r.series.find((x) => x.name === name);
      if (s) draw(box, note, s);
    };
    picker.append(...r.series.map((s) => h('button', { 'data-series': s.name, 'aria-pressed': 'false', onclick: () => pick(s.name) }, SERIES[s.name]?.label ?? s.name)));
    pick(current);
  }, (e: unknown) => box.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e))));
  return card;
}
