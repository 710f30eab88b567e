/* forecast.test.js - the project page's Forecast tab in the browser (issue
 * 14, item 5), against the real backend with the demo data (stack.js):
 * the defaults (N = work in progress now, start = today, basis = the API's
 * 30 days), the headline "85% chance the 40 items are done by <date>" and
 * every percentile, input and histogram bar equal to
 * GET /projects/PAY/forecast for the same query, a changed input changing the
 * answer, the API's 400 message shown next to the field for N = 0, the
 * histogram's tooltip, and the tab only reading (GET); on the real DevLake
 * data (installation de01), "nothing done in the basis" today and a forecast
 * as of 2020-07-15. Writes
 * docs/screenshots/forecast.png. Run: cd ui && npm run build && node --test
 * test/forecast.test.js. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startStack, token, ROOT } from './stack.js';
import { launchBrowser, openPage } from './browser.js';

const SHOTS = path.join(ROOT, 'docs/screenshots');
let stack, browser;

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const page = (url) => openPage(browser, stack.host.url + url);
/** The forecast as the API answers it (the project page's token); status and body. */
async function forecast(query, key = 'PAY', inst = 'de00') {
  const r = await fetch(`${stack.backend}/api/v1/projects/${key}/forecast?${query}`, {
    headers: { authorization: `Bearer ${token(stack, inst, key)}` },
  });
  return { status: r.status, body: await r.json() };
}
/** The UI's count format: thousands apart by a space. */
const int = (n) => n.toLocaleString('en-US').replace(/,/g, ' ');
const text = (p, sel) => p.textContent(sel).then((t) => t.trim());
/** Waits for the card to show an answer whose inputs line contains `needle`. */
const answered = (p, card, needle) => p.waitForFunction(([c, n]) => {
  const el = document.querySelector(`[data-testid=${c}]`);
  return el?.dataset.state === 'ok' && (el.querySelector('[data-testid=fc-inputs]')?.textContent ?? '').includes(n);
}, [card, needle]);

/** The card shows exactly the API's answer f: sentence, percentiles, inputs, bars. */
async function sameAsApi(p, card, f) {
  const p85 = f.percentiles.find((x) => x.p === 85);
  const sentence = f.kind === 'when' ? `85% chance the ${int(f.inputs.items)} items are done by ${p85.date}`
    : `85% chance of at least ${int(p85.value)} items by ${f.inputs.by}`;
  assert.equal(await text(p, `[data-testid=${card}-sentence]`), sentence);
  for (const pt of f.percentiles) {
    const row = p.locator(`[data-testid=${card}] [data-testid=fc-percentiles] tr[data-p="${pt.p}"]`);
    if (f.kind === 'when') {
      assert.equal(await row.locator('[data-col=date]').textContent(), pt.date, `P${pt.p} date`);
      assert.equal(await row.locator('[data-col=value]').textContent(), String(pt.value), `P${pt.p} days`);
    } else {
      assert.equal(await row.locator('[data-col=value]').textContent(), `at least ${int(pt.value)}`, `P${pt.p} items`);
    }
  }
  const i = f.inputs;
  const inputs = p.locator(`[data-testid=${card}] [data-testid=fc-inputs]`);
  assert.equal(await inputs.locator('[data-input=basis]').textContent(), `basis ${i.basisFrom} – ${i.basisTo}`);
  assert.equal(await inputs.locator('[data-input=days-sampled]').textContent(), `${i.daysSampled} ${i.workingDays ? 'working' : 'calendar'} days sampled`);
  assert.equal(await inputs.locator('[data-input=zero-days]').textContent(), `${i.zeroThroughputDays} with nothing done`);
  assert.equal(await inputs.locator('[data-input=trials]').textContent(), `${int(i.trials)} trials`);
  assert.equal(await inputs.locator('[data-input=seed]').textContent(), `seed ${i.seed}`);
  const box = p.locator(`[data-testid=${card}-histogram]`);
  await p.waitForSelector(`[data-testid=${card}-histogram][data-buckets] canvas`);
  const bars = f.histogram.buckets;
  assert.equal(await box.getAttribute('data-buckets'), String(bars.length));
  assert.equal(await box.getAttribute('data-width'), String(f.histogram.width));
  assert.equal(Number(await box.getAttribute('data-total')) + (f.histogram.notReached ?? 0), i.trials, 'every trial is on a bar or not reached');
  // Each percentile is marked on the bar that holds its value.
  const marks = JSON.parse(await box.getAttribute('data-markers'));
  for (const pt of f.percentiles) {
    const at = bars.findIndex((b) => pt.value >= b.from && pt.value <= b.to);
    assert.ok(marks.some(([label, index]) => index === at && label.split(' · ').includes(`P${pt.p}`)), `P${pt.p} marked on bar ${at}: ${JSON.stringify(marks)}`);
  }
  assert.match(await box.getAttribute('data-x-name'), f.kind === 'when' ? /^simulated (working )?days from \d{4}-\d\d-\d\d until \d+ done$/ : /^items done from /);
}

test('the Forecast tab answers "when" and "how many" with the API\'s numbers; inputs change the answer; N = 0 is refused next to the field', async () => {
  const dash = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
  const wip = dash.statuses.reduce((s, x) => s + (x.role === 'active' && x.wip ? x.wip.current : 0), 0);
  const p = await page('/project/PAY?tab=forecast');
  const calls = [];
  p.on('request', (r) => { if (r.url().endsWith('/__bridge/invoke')) calls.push(JSON.parse(r.postData() ?? '{}')); });
  try {
    await p.waitForSelector('button[data-tab=forecast][aria-selected=true]');
    assert.equal(await text(p, 'button[data-tab=forecast]'), 'Forecast');
    await answered(p, 'fc-when', 'seed');
    // Defaults: N = work in progress now (10 without any), start = today in the project's zone, basis = 30.
    const from = await p.inputValue('[data-testid=fc-when-from]');
    assert.equal(await p.inputValue('[data-testid=fc-when-items]'), String(wip >= 1 ? wip : 10));
    assert.equal(await p.inputValue('[data-testid=fc-when-basis]'), '30');
    const plain = await forecast(`items=${wip >= 1 ? wip : 10}`);
    assert.equal(from, plain.body.inputs.from, 'the start date shown is the API\'s default start (today)');
    assert.equal(plain.body.inputs.basisTo, await text(p, '[data-testid=fc-when] [data-input=basis]').then((t) => t.slice(-10)));

    // "When will 40 items be done?"
    await p.fill('[data-testid=fc-when-items]', '40');
    await p.click('[data-testid=fc-when-run]');
    await p.waitForFunction(() => /the 40 items/.test(document.querySelector('[data-testid=fc-when-sentence]')?.textContent ?? ''));
    await answered(p, 'fc-when', 'seed');
    const f40 = await forecast(`items=40&from=${from}&basis=30`);
    assert.equal(f40.status, 200);
    assert.equal(f40.body.state, 'ok', 'the demo project has throughput in the last 30 days');
    await sameAsApi(p, 'fc-when', f40.body);
    assert.match(await text(p, '[data-testid=fc-when-sentence]'), /^85% chance the 40 items are done by \d{4}-\d\d-\d\d$/);

    // The tooltip gives the numbers of a bar.
    // Pointing at the P85 bar, the tooltip gives that bar's numbers.
    const bars40 = f40.body.histogram.buckets;
    const p85 = f40.body.percentiles.find((x) => x.p === 85).value;
    const at = bars40.findIndex((b) => p85 >= b.from && p85 <= b.to);
    await p.locator('[data-testid=fc-when-histogram]').scrollIntoViewIfNeeded();
    const box = await p.locator('[data-testid=fc-when-histogram]').boundingBox();
    const x = JSON.parse(await p.getAttribute('[data-testid=fc-when-histogram]', 'data-bar-x'))[at];
    await p.mouse.move(box.x + 8, box.y + 8);
    await p.mouse.move(box.x + x, box.y + box.height / 2, { steps: 4 });
    const label = bars40[at].from === bars40[at].to ? `${bars40[at].from}` : `${bars40[at].from}–${bars40[at].to}`;
    await p.waitForFunction((l) => new RegExp(`^${l} (working )?days`).test((document.querySelector('[data-testid=fc-when-histogram]')?.innerText ?? '').trim()), label);
    // "20 days", "done on 2026-12-25", "1 124 of 10 000 trials (11.2%)", "done within 20 days: 87.1% of trials".
    const tip = (await p.locator('[data-testid=fc-when-histogram]').innerText()).trim().split('\n').map((l) => l.trim()).filter(Boolean);
    const range = /^(\d+)(?:–(\d+))? (?:working )?days$/.exec(tip[0]);
    const count = /^(\d[\d ]*) of 10 000 trials \(([\d.]+)%\)$/.exec(tip[2] ?? '');
    const share = /^done within (\d+) (?:working )?days: ([\d.]+)% of trials$/.exec(tip[3] ?? '');
    assert.ok(range && count && share, `tooltip: ${tip.join(' | ')}`);
    assert.deepEqual([Number(range[1]), Number(range[2] ?? range[1])], [bars40[at].from, bars40[at].to], `the tooltip is the P85 bar's: ${tip[0]}`);
    assert.equal(Number(count[1].replace(/ /g, '')), bars40[at].count);
    assert.equal(count[2], String(Number((bars40[at].count / 100).toFixed(1))));
    assert.equal(Number(share[1]), bars40[at].to);
    const within = bars40.slice(0, at + 1).reduce((s, b) => s + b.count, 0);
    assert.equal(share[2], String(Number((within / 100).toFixed(1))), 'the share done within the bar\'s last day');
    assert.ok(tip[1].includes(bars40[at].fromDate), 'the bar\'s date');
    await p.screenshot({ path: path.join(SHOTS, 'forecast.png'), fullPage: true });

    // A longer basis: the answer changes, and it is again the API's.
    const before = await text(p, '[data-testid=fc-when] [data-input=days-sampled]');
    await p.fill('[data-testid=fc-when-basis]', '90');
    await p.press('[data-testid=fc-when-basis]', 'Enter');
    const f90 = await forecast(`items=40&from=${from}&basis=90`);
    await answered(p, 'fc-when', `basis ${f90.body.inputs.basisFrom} `);
    assert.notEqual(await text(p, '[data-testid=fc-when] [data-input=days-sampled]'), before);
    await sameAsApi(p, 'fc-when', f90.body);

    // N = 0: the API's 400 message, next to the items field; no answer shown.
    await p.fill('[data-testid=fc-when-items]', '0');
    await p.click('[data-testid=fc-when-run]');
    await p.waitForSelector('[data-testid=fc-when][data-state=error]');
    const zero = await forecast(`items=0&from=${from}&basis=90`);
    assert.equal(zero.status, 400);
    assert.equal(await text(p, '[data-testid=fc-when-items-error]'), zero.body.error.message);
    assert.match(zero.body.error.message, /^items: /);
    assert.equal(await p.locator('[data-testid=fc-when-sentence]').count(), 0, 'no stale answer under an error');
    assert.equal(await text(p, '[data-testid=fc-when-basis-error]'), '');
    // An emptied N: the API's "items, by: ..." goes under N too.
    await p.fill('[data-testid=fc-when-items]', '');
    await p.click('[data-testid=fc-when-run]');
    await p.waitForFunction(() => /^items, by: /.test(document.querySelector('[data-testid=fc-when-items-error]')?.textContent ?? ''));
    // Corrected: the error goes, the answer comes back.
    await p.fill('[data-testid=fc-when-items]', '40');
    await p.click('[data-testid=fc-when-run]');
    await answered(p, 'fc-when', `basis ${f90.body.inputs.basisFrom} `);
    assert.equal(await text(p, '[data-testid=fc-when-items-error]'), '');

    // "How many items by date D?": D defaults to two weeks after the start.
    await answered(p, 'fc-many', 'seed');
    const by = await p.inputValue('[data-testid=fc-many-by]');
    assert.equal(by, new Date(Date.parse(`${from}T00:00:00Z`) + 14 * 86400000).toISOString().slice(0, 10));
    const many = await forecast(`by=${by}&from=${from}&basis=30`);
    await sameAsApi(p, 'fc-many', many.body);
    // A D before the start: the API's message under the D field.
    await p.fill('[data-testid=fc-many-by]', from);
    await p.click('[data-testid=fc-many-run]');
    await p.waitForSelector('[data-testid=fc-many][data-state=error]');
    assert.match(await text(p, '[data-testid=fc-many-by-error]'), /^by: must be after from/);

    // Read-only: the tab only reads.
    assert.ok(calls.length > 0);
    assert.deepEqual([...new Set(calls.map((c) => c.method ?? 'GET'))], ['GET']);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('the Forecast tab on the real DevLake data: nothing done lately says so; as of 2020-07-15 it forecasts from the day after', async () => {
  const p = await page('/project/EE?installation=de01&tab=forecast');
  try {
    // The captures end in 2020: the 30 days before today saw nothing done.
    await p.waitForSelector('[data-testid=fc-when][data-state=no_throughput]');
    const now = await forecast('items=10', 'EE', 'de01');
    assert.equal(now.body.state, 'no_throughput');
    assert.equal(await p.locator('[data-testid=fc-when-sentence]').count(), 0);
    assert.match(await text(p, '[data-testid=fc-when] .state-msg'), new RegExp(`^Nothing was done in the basis window \\(${now.body.inputs.basisFrom} – ${now.body.inputs.basisTo}\\)`));
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
  const q = await page('/project/EE?installation=de01&tab=forecast&asOf=2020-07-15');
  try {
    await answered(q, 'fc-when', 'seed');
    // As of a day, the view's now is that day's end: the forecast starts the day after, as the API's default does.
    assert.equal(await q.inputValue('[data-testid=fc-when-from]'), '2020-07-16');
    const items = await q.inputValue('[data-testid=fc-when-items]');
    const plain = await forecast(`items=${items}&asOf=2020-07-15`, 'EE', 'de01');
    assert.equal(plain.body.inputs.from, '2020-07-16');
    const f = await forecast(`items=${items}&from=2020-07-16&basis=30&asOf=2020-07-15`, 'EE', 'de01');
    assert.equal(f.body.state, 'ok', 'the DevLake project has throughput in the 30 days to 2020-07-15');
    assert.equal(f.body.inputs.basisTo, '2020-07-15');
    await sameAsApi(q, 'fc-when', f.body);
    assert.deepEqual(q.errors, []);
  } finally {
    await q.close();
  }
});
