/* cfd.test.js - the cumulative flow diagram (issue #15) in the browser,
 * against the real stack with the demo data (stack.js): bands stacked
 * bottom-up with the done band at the bottom, the stack's top equal to the
 * API's arrivals line, correction marks counted, axis titles, the legend and
 * a tooltip, and the summary line with the flow debt. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startStack } from './stack.js';
import { ARTIFACTS, launchBrowser, openPage } from './browser.js';

let stack, browser;

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('the CFD draws cumulative bands bottom-up, done at the bottom, with marks and a summary', async () => {
  const p = await openPage(browser, `${stack.host.url}/project/PAY?tab=flow`);
  try {
    await p.waitForSelector('[data-testid=cfd-chart][data-days] canvas');
    const from = await p.getAttribute('[data-testid=cfd-chart]', 'data-from');
    const to = await p.getAttribute('[data-testid=cfd-chart]', 'data-to');
    const cfd = await stack.get('de00', `/api/v1/projects/PAY/charts/cfd?from=${from}&to=${to}`, 'PAY');
    assert.ok(cfd.bands.length >= 2, 'a frame of several bands');
    // No line ever falls: every band's top is non-decreasing day to day.
    for (let d = 1; d < cfd.days.length; d++)
      cfd.days[d].reached.forEach((v, b) => assert.ok(v >= cfd.days[d - 1].reached[b], `band ${b} falls on ${cfd.days[d].date}`));
    // Bottom-up: the rightmost (done) band first, the first band last (on top).
    const stackOrder = JSON.parse(await p.getAttribute('[data-testid=cfd-chart]', 'data-stack'));
    assert.deepEqual(stackOrder, cfd.bands.map((b) => b.name).reverse());
    if (cfd.doneBand !== null) assert.equal(cfd.bands[cfd.bands.length - 1].done, true, 'the done part is at the right, drawn at the bottom');
    assert.equal(await p.getAttribute('[data-testid=cfd-chart]', 'data-corrections'), String(cfd.corrections.length));
    assert.equal(await p.getAttribute('[data-testid=cfd-chart]', 'data-flow-debt'), String(cfd.flowDebt));
    assert.equal(cfd.flowDebt, cfd.arrivals - cfd.departures);
    const summary = await p.textContent('[data-testid=cfd-summary]');
    assert.match(summary, new RegExp(`^Arrived ${cfd.arrivals} · departed ${cfd.departures} · flow debt ${cfd.flowDebt > 0 ? '\\+' : ''}${cfd.flowDebt}`));
    // Axis titles and the legend (bands left to right, then the marks when any).
    assert.equal(await p.getAttribute('[data-testid=cfd-chart]', 'data-x-name'), `Day (${cfd.tz})`);
    // The axis starts below the lowest line of the window (never hiding a
    // band's top) and says so in its name when it does not start at 0.
    const low = Math.min(...cfd.days.map((d) => d.reached[cfd.bands.length - 1]));
    const yMin = Number(await p.getAttribute('[data-testid=cfd-chart]', 'data-y-min'));
    assert.ok(yMin <= low && yMin >= 0, `axis from ${yMin}, lowest line ${low}`);
    if (low >= 20) assert.ok(yMin >= Math.floor(low * 0.9 / 10) * 10 && yMin > 0, 'a large done band does not flatten the chart');
    assert.equal(await p.getAttribute('[data-testid=cfd-chart]', 'data-y-name'), yMin > 0 ? `Items (cumulative) (from ${yMin})` : 'Items (cumulative)');
    const legend = JSON.parse(await p.getAttribute('[data-testid=cfd-chart]', 'data-legend'));
    const marked = cfd.corrections.some((c) => cfd.days.some((d) => d.date === c.startDate));
    assert.deepEqual(legend, [...cfd.bands.map((b) => b.name), ...(marked ? ['Moved back (correction)'] : [])]);
    // The tooltip of a day names each band's width and top.
    const box = await p.locator('[data-testid=cfd-chart] canvas').first().boundingBox();
    await p.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await p.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 5 });
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid=cfd-chart] div')].some((d) => /reached it or beyond/.test(d.textContent ?? '')), null, { timeout: 5000 });
    const tip = await p.evaluate(() => [...document.querySelectorAll('[data-testid=cfd-chart] div')].map((d) => d.textContent ?? '').find((t) => /reached it or beyond/.test(t)));
    assert.match(tip, /arrived \d+ · departed \d+/);
    for (const b of cfd.bands) assert.ok(tip.includes(b.name), `tooltip names ${b.name}`);
    await p.screenshot({ path: path.join(ARTIFACTS, 'cfd.png'), fullPage: true });
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});
