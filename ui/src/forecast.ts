/* forecast.ts - the Forecast tab: Monte Carlo "when will N items be done?"
 * and "how many items by date D?" (GET /projects/{key}/forecast; docs/metrics.md,
 * "Forecasts"). Each form has its inputs editable; the answer is the
 * percentiles 50/70/85/95 with an 85% headline sentence, the inputs the
 * backend used (basis window, days sampled, zero-throughput days, seed,
 * trials) and the histogram of the trials' outcomes (Apache ECharts bars, the
 * percentiles marked). A 4xx names its parameter ("items: expected 1..10000"):
 * the message is shown next to that field. The numbers are the API's, never
 * recomputed here; only dates and counts are formatted. */
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, MarkLineComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { api, ApiError, type Dashboard, type Forecast, type ForecastQuery } from './api';
import { h, stateMsg } from './dom';
import { localDate } from './labels';

echarts.use([BarChart, GridComponent, TooltipComponent, MarkLineComponent, CanvasRenderer]);

const FONT = { fontFamily: '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif', color: '#44546F' };
/** The API's default basis window (days before today; docs/api.md). */
export const BASIS_DEFAULT = 30;
/** The API's bounds, so the browser's spinners stay inside them (the API still judges). */
const MAX_ITEMS = 10000;
const MAX_BASIS = 365;
/** "How many by D": D defaults to two weeks after the start. */
const HORIZON_DEFAULT_DAYS = 14;
/** N when the project has no work in progress to count. */
const ITEMS_FALLBACK = 10;
/** The headline's chance; the table shows all four. */
const HEADLINE_P = 85;
const MARK_COLOURS: Record<number, string> = { 50: '#22A06B', 70: '#1F77B4', 85: '#E56910', 95: '#C9372C' };
const BAR = '#579DFF';
const MS_PER_DAY = 86400000;

/** What the tab needs from the page: the "as of" day (null = today) and the dashboard. */
export interface ForecastCtx { asOf: string | null; dash: Dashboard | null }

type Kind = 'when' | 'how_many';
interface Values { items: string; by: string; from: string; basis: string }

/** The last inputs per project and "as of" day, so a re-render (window or
 * tab change) keeps what the reader typed. */
const remembered = new Map<string, Record<Kind, Values>>();

const fmtInt = (n: number) => n.toLocaleString('en-US').replace(/,/g, ' ');
const addDays = (ymd: string, n: number) => new Date(Date.parse(`${ymd}T00:00:00Z`) + n * MS_PER_DAY).toISOString().slice(0, 10);

/** The API's default start: the day of the view's now in the project's zone
 * (today; the day after the "as of" day, whose end is the view's now). */
function startDefault(ctx: ForecastCtx): string {
  if (ctx.dash) return localDate(ctx.dash.generatedAt, ctx.dash.window.tz);
  return new Date().toISOString().slice(0, 10);
}

/** Current work in progress (active statuses) of the dashboard, else ITEMS_FALLBACK. */
export function wipCount(d: Dashboard | null): number {
  const n = (d?.statuses ?? []).reduce((sum, s) => sum + (s.role === 'active' && s.wip ? s.wip.current : 0), 0);
  return n >= 1 ? Math.min(n, MAX_ITEMS) : ITEMS_FALLBACK;
}

/** The headline: "85% chance the 40 items are done by 2026-12-24" / "85% chance of at least 31 items by 2026-12-24". */
export function headline(f: Forecast): string {
  const pt = f.percentiles.find((x) => x.p === HEADLINE_P);
  if (!pt) return '';
  if (f.kind === 'how_many') return `${HEADLINE_P}% chance of at least ${fmtInt(pt.value ?? 0)} item${pt.value === 1 ? '' : 's'} by ${f.inputs.by}`;
  const n = f.inputs.items ?? 0;
  const what = n === 1 ? 'the 1 item is' : `the ${fmtInt(n)} items are`;
  return pt.reached && pt.date ? `${HEADLINE_P}% chance ${what} done by ${pt.date}`
    : `Less than ${HEADLINE_P}% chance ${what} done within the simulation's limit of 3 660 days`;
}

/** "11–15" for a bar of more than one outcome, "12" for one. */
const barLabel = (b: { from: number; to: number }) => (b.from === b.to ? String(b.from) : `${b.from}–${b.to}`);

function inputsLine(f: Forecast): HTMLElement {
  const i = f.inputs;
  const unit = i.workingDays ? 'working' : 'calendar';
  const parts: Array<[string, string]> = [
    ['basis', `basis ${i.basisFrom} – ${i.basisTo}`],
    ['days-sampled', `${i.daysSampled} ${unit} days sampled`],
    ['zero-days', `${i.zeroThroughputDays} with nothing done`],
    ['total-done', `${fmtInt(i.totalDone)} done (at most ${i.maxPerDay} a day)`],
    ['from', f.kind === 'when' ? `from ${i.from}` : `days ${i.from} to ${i.by} (excluded): ${i.simulatedDays} simulated`],
    ['trials', `${fmtInt(i.trials)} trials`],
    ['seed', `seed ${i.seed}`],
  ];
  return h('p', { class: 'subtle fc-inputs', 'data-testid': 'fc-inputs' }, 'Used: ',
    ...parts.flatMap(([k, t], n) => [n ? ' · ' : '', h('span', { 'data-input': k }, t)]));
}

function table(f: Forecast): HTMLElement {
  const when = f.kind === 'when';
  const rows = f.percentiles.map((pt) => h('tr', { 'data-p': pt.p, class: pt.p === HEADLINE_P ? 'fc-headline-row' : '' },
    h('td', {}, `${pt.p}%`),
    ...(when ? [h('td', { 'data-col': 'date' }, pt.reached && pt.date ? pt.date : 'not within 3 660 days'),
      h('td', { 'data-col': 'value' }, pt.reached && pt.value != null ? String(pt.value) : '—')]
      : [h('td', { 'data-col': 'value' }, `at least ${fmtInt(pt.value ?? 0)}`)])));
  return h('table', { class: 'fc-table', 'data-testid': 'fc-percentiles' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Chance'), ...(when ? [h('th', {}, 'Done by'), h('th', {}, 'Simulated days')] : [h('th', {}, 'Items done')]))),
    h('tbody', {}, ...rows));
}

/** The bar of each percentile's value (index), grouped: one marker line per bar. */
function markers(f: Forecast, bars: NonNullable<Forecast['histogram']>['buckets']): Array<{ index: number; label: string; colour: string }> {
  const byBar = new Map<number, number[]>();
  for (const pt of f.percentiles) {
    if (pt.value == null || (f.kind === 'when' && !pt.reached)) continue;
    const i = bars.findIndex((b) => pt.value! >= b.from && pt.value! <= b.to);
    if (i >= 0) byBar.set(i, [...(byBar.get(i) ?? []), pt.p]);
  }
  return [...byBar.entries()].map(([index, ps]) => ({ index, label: ps.map((p) => `P${p}`).join(' · '), colour: MARK_COLOURS[ps[ps.length - 1]] ?? '#44546F' }));
}

function histogram(box: HTMLElement, note: HTMLElement, f: Forecast): void {
  const hist = f.histogram;
  echarts.getInstanceByDom(box)?.dispose();
  if (!hist || hist.buckets.length === 0) {
    box.dataset.buckets = '0';
    box.replaceChildren(stateMsg('empty', hist ? 'No trial finished within the simulation\'s limit: nothing to draw.' : 'This BottleneckIQ service does not send the histogram of outcomes yet.'));
    note.textContent = '';
    return;
  }
  box.replaceChildren();
  const bars = hist.buckets;
  const trials = f.inputs.trials;
  const when = f.kind === 'when';
  const total = bars.reduce((s, b) => s + b.count, 0);
  const marks = markers(f, bars);
  box.dataset.buckets = String(bars.length);
  box.dataset.total = String(total);
  box.dataset.width = String(hist.width);
  box.dataset.markers = JSON.stringify(marks.map((m) => [m.label, m.index]));
  const unit = f.inputs.workingDays ? 'working days' : 'days';
  const xName = when ? `simulated ${unit} from ${f.inputs.from} until ${f.inputs.items} done` : `items done from ${f.inputs.from} to ${f.inputs.by}`;
  box.dataset.xName = xName;
  // Cumulative shares for the tooltip: "done within" (when), "at least" (how many).
  const upTo: number[] = [];
  bars.reduce((s, b, i) => (upTo[i] = s + b.count), 0);
  const pct = (n: number) => `${Number(((100 * n) / trials).toFixed(1))}%`;
  const tip = (i: number): string => {
    const b = bars[i];
    const head = when ? `<b>${barLabel(b)} ${unit}</b>${b.fromDate ? `<br/>${b.fromDate === b.toDate ? `done on ${b.fromDate}` : `done ${b.fromDate} – ${b.toDate}`}` : ''}`
      : `<b>${barLabel(b)} items</b>`;
    const share = when ? `done within ${b.to} ${unit}: <b>${pct(upTo[i] ?? 0)}</b> of trials`
      : `at least ${b.from} items: <b>${pct(trials - (i > 0 ? upTo[i - 1] : 0))}</b> of trials`;
    return `${head}<br/>${fmtInt(b.count)} of ${fmtInt(trials)} trials (${pct(b.count)})<br/>${share}`;
  };
  const chart = echarts.init(box, undefined, { renderer: 'canvas' });
  chart.setOption({
    textStyle: FONT, animation: false,
    grid: { left: 64, right: 24, top: 40, bottom: 64 },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, formatter: (ps: Array<{ dataIndex: number }>) => tip(ps[0]?.dataIndex ?? 0) },
    xAxis: { type: 'category', data: bars.map(barLabel), name: xName, nameLocation: 'middle', nameGap: 36, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: `trials (of ${fmtInt(trials)})`, nameTextStyle: { align: 'left' }, minInterval: 1 },
    series: [{
      type: 'bar', name: 'trials', barCategoryGap: '8%', itemStyle: { color: BAR }, data: bars.map((b) => b.count),
      markLine: { symbol: 'none', silent: true, lineStyle: { type: 'dashed', width: 2 },
        data: marks.map((m, n) => ({ xAxis: m.index, lineStyle: { color: m.colour },
          label: { formatter: m.label, color: m.colour, fontWeight: 600, position: n % 2 ? 'insideEndBottom' : 'end', backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] } })) },
    }],
  });
  // Where each bar's centre is drawn (px from the box's left), so a test can point at one.
  const centres = () => { box.dataset.barX = JSON.stringify(bars.map((_, i) => Math.round(Number(chart.convertToPixel({ xAxisIndex: 0 }, i))))); };
  centres();
  new ResizeObserver(() => { chart.resize(); centres(); }).observe(box);
  const missed = hist.notReached ?? 0;
  note.replaceChildren(`${fmtInt(total)} trials in ${bars.length} bars of ${hist.width} ${when ? (hist.width === 1 ? 'day' : unit) : hist.width === 1 ? 'item' : 'items'}; dashed lines mark the percentiles`,
    missed ? h('span', { 'data-testid': 'fc-not-reached' }, ` · ${fmtInt(missed)} trials not done within 3 660 days (not drawn)`) : '', '.');
}

/** One form (when / how many) with its result below; runs on submit and on a changed input. */
function forecastCard(projectKey: string, ctx: ForecastCtx, kind: Kind, vals: Values): HTMLElement {
  const id = kind === 'when' ? 'fc-when' : 'fc-many';
  const errs: Record<string, HTMLElement> = {};
  const field = (name: keyof Values, label: string, attrs: Record<string, string | number>, hint = '') => {
    const input = h('input', { name, 'data-testid': `${id}-${name}`, value: vals[name], 'aria-describedby': `${id}-${name}-error`, ...attrs }) as HTMLInputElement;
    input.addEventListener('change', () => { vals[name] = input.value; void run(); });
    errs[name] = h('span', { class: 'msg-error fc-field-error', id: `${id}-${name}-error`, 'data-testid': `${id}-${name}-error`, role: 'alert' });
    return h('label', { class: 'field' }, label, input, hint ? h('span', { class: 'default-hint' }, hint) : null, errs[name]);
  };
  const fields = kind === 'when'
    ? [field('items', 'Items (N)', { type: 'number', min: 1, max: MAX_ITEMS, step: 1 }, 'default: work in progress now'),
      field('from', 'Start date', { type: 'date' }, 'day 1 of the forecast'),
      field('basis', 'Basis window (days)', { type: 'number', min: 1, max: MAX_BASIS, step: 1 }, `throughput of the days before today; default ${BASIS_DEFAULT}`)]
    : [field('by', 'By date (D, not counted)', { type: 'date' }, 'items done before this day'),
      field('from', 'Start date', { type: 'date' }, 'first day counted'),
      field('basis', 'Basis window (days)', { type: 'number', min: 1, max: MAX_BASIS, step: 1 }, `throughput of the days before today; default ${BASIS_DEFAULT}`)];
  const submit = h('button', { type: 'submit', class: 'btn-primary', 'data-testid': `${id}-run` }, 'Forecast');
  const form = h('form', { class: 'fc-form', novalidate: true, 'data-testid': `${id}-form` }, h('div', { class: 'row' }, ...fields, h('div', { class: 'fc-submit' }, submit))) as HTMLFormElement;
  const sentence = h('p', { class: 'fc-sentence', 'data-testid': `${id}-sentence` });
  const result = h('div', { class: 'fc-result', 'data-testid': `${id}-result` });
  const chartBox = h('div', { class: 'chart fc-chart', 'data-testid': `${id}-histogram` });
  const chartNote = h('p', { class: 'subtle chart-note', 'data-testid': `${id}-histogram-note` });
  const body = h('div', { class: 'fc-body' });
  const title = kind === 'when' ? 'When will N items be done?' : 'How many items by date D?';
  const card = h('section', { class: 'card fc-card', 'data-testid': id }, h('h3', {}, title), form, body);
  let seq = 0;

  async function run(): Promise<void> {
    const my = ++seq;
    for (const e of Object.values(errs)) e.textContent = '';
    card.dataset.state = 'loading';
    body.replaceChildren(stateMsg('loading', 'Running 10 000 trials…'));
    const q: ForecastQuery = kind === 'when' ? { items: vals.items.trim(), from: vals.from, basis: vals.basis.trim() }
      : { by: vals.by, from: vals.from, basis: vals.basis.trim() };
    // An emptied field asks for nothing of its own: N or D then reads as missing.
    if (kind === 'when' && !q.items) q.items = undefined;
    try {
      const f = await api.forecast(projectKey, q, ctx.asOf);
      if (my !== seq) return;
      show(f);
    } catch (e) {
      if (my !== seq) return;
      card.dataset.state = 'error';
      const msg = e instanceof ApiError ? e.detail : '';
      // "items: ...", "items, by: ...", "from: ..." name the field the message belongs to.
      const name = e instanceof ApiError && e.status >= 400 && e.status < 500 ? (/^(\w+)/.exec(msg)?.[1] ?? '') : '';
      const target = name === 'items' || name === 'by' ? (kind === 'when' ? 'items' : 'by') : name;
      if (errs[target]) {
        errs[target].textContent = msg;
        body.replaceChildren(stateMsg('info', 'Correct the marked field to see the forecast.'));
      } else {
        body.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e), e instanceof ApiError && e.detail !== e.message ? e.detail : ''));
      }
    }
  }

  function show(f: Forecast): void {
    card.dataset.state = f.state;
    if (f.state === 'no_throughput') {
      body.replaceChildren(stateMsg('empty', `Nothing was done in the basis window (${f.inputs.basisFrom} – ${f.inputs.basisTo}): there is no throughput to forecast from. Try a longer basis window.`), inputsLine(f));
      return;
    }
    sentence.textContent = headline(f);
    result.replaceChildren(table(f), inputsLine(f));
    body.replaceChildren(sentence, result, h('h4', { class: 'fc-chart-title' }, `Histogram of outcomes: ${kind === 'when' ? 'days until done' : 'items done'} in ${fmtInt(f.inputs.trials)} trials`), chartBox, chartNote);
    histogram(chartBox, chartNote, f);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    for (const el of form.querySelectorAll('input')) vals[(el as HTMLInputElement).name as keyof Values] = (el as HTMLInputElement).value;
    void run();
  });
  void run();
  return card;
}

/** Renders the tab; the two forecasts load on their own. */
export function renderForecast(projectKey: string, ctx: ForecastCtx): HTMLElement {
  const memo = `${projectKey}@${ctx.asOf ?? ''}`;
  let v = remembered.get(memo);
  if (!v) {
    const from = startDefault(ctx);
    const base = { from, basis: String(BASIS_DEFAULT) };
    v = { when: { ...base, items: String(wipCount(ctx.dash)), by: '' }, how_many: { ...base, items: '', by: addDays(from, HORIZON_DEFAULT_DAYS) } };
    remembered.set(memo, v);
  }
  const intro = h('p', { class: 'subtle fc-intro' },
    'Monte Carlo forecasts from the team\'s own daily throughput: each trial draws days of the basis window at random, one per day ahead. ',
    'Assumes the next days look like the basis (same team, same policies) and the items are already split. Same inputs and seed, same answer.');
  return h('div', { class: 'forecast', 'data-testid': 'forecast' }, intro,
    forecastCard(projectKey, ctx, 'when', v.when), forecastCard(projectKey, ctx, 'how_many', v.how_many));
}
