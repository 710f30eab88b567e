/* runs.test.js - the Flow tab's run charts (ui/src/runs.ts) in headless
 * Debian chromium against a real backend with the demo data (stack.js):
 * each series drawn is the API's (points, mean, limits, signalled points),
 * with axis titles, a legend, a tooltip with the numbers and a one-line
 * summary; the picker switches series. Screenshot: test-artifacts/flow-runs.png. */
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

/** The chart's number format (runs.ts fmt). */
const fmt = (v, unit) => (v === null || v === undefined ? '—' : unit === 'days' ? `${Number(v.toFixed(1))}d` : String(Number(v.toFixed(1))));
const attr = (p, name) => p.getAttribute('[data-testid=runs-chart]', name);

test('run charts draw the API series with limits, signals, axes, legend and tooltip', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/charts/runs?window=30d', 'PAY');
  assert.equal(api.series.length, 6);
  const p = await openPage(browser, `${stack.host.url}/project/PAY?tab=flow`);
  await p.waitForSelector('[data-testid=runs-chart][data-series=throughputPerWeek] canvas');
  assert.match(await p.textContent('[data-testid=runs-title]'), /^Run charts with process limits · /);
  for (const name of ['throughputPerWeek', 'throughputPerDay', 'wipPerDay', 'cycleTime', 'ageAverage']) {
    const s = api.series.find((x) => x.name === name);
    await p.click(`[data-testid=runs] button[data-series=${name}]`);
    await p.waitForSelector(`[data-testid=runs-chart][data-series=${name}]`);
    assert.equal(await p.getAttribute(`[data-testid=runs] button[data-series=${name}]`, 'aria-pressed'), 'true');
    assert.equal(await attr(p, 'data-points'), String(s.points.length), `${name} points`);
    assert.equal(await attr(p, 'data-upper'), s.upper === null ? '' : String(s.upper), `${name} upper`);
    assert.equal(await attr(p, 'data-lower'), s.lower === null ? '' : String(s.lower), `${name} lower`);
    assert.equal(await attr(p, 'data-mean'), s.mean === null ? '' : String(s.mean), `${name} mean`);
    assert.equal(await attr(p, 'data-signals'), String(s.signalledPoints), `${name} signals`);
    assert.ok((await attr(p, 'data-x-name')).length > 0, `${name} has an x axis title`);
    assert.ok((await attr(p, 'data-y-name')).length > 0, `${name} has a y axis title`);
    const summary = await p.textContent('[data-testid=runs-summary]');
    if (s.points.length === 0) {
      assert.match(summary, /no point in this window/);
      continue;
    }
    await p.waitForSelector('[data-testid=runs-chart] canvas');
    const last = s.points[s.points.length - 1];
    assert.ok(summary.includes(`: ${fmt(last.value, s.unit)}, `), `${name} summary has the last value: ${summary}`);
    assert.ok(summary.includes(`${s.signalledPoints} of ${s.points.length} points in a signal`), summary);
    if (s.upper !== null) {
      assert.ok(summary.includes(`limits ${fmt(s.lower, s.unit)}…${fmt(s.upper, s.unit)}`), summary);
      const legend = JSON.parse(await attr(p, 'data-legend'));
      assert.deepEqual(legend.slice(1), ['signal', 'upper limit', 'mean', 'lower limit']);
    }
    // The first point's tooltip carries its value and the limits.
    const tip = await attr(p, 'data-tip0');
    assert.ok(tip.includes(`<b>${fmt(s.points[0].value, s.unit)}</b>`), tip);
    assert.ok(tip.includes(`mean ${fmt(s.mean, s.unit)}`), tip);
    if (name === 'cycleTime') assert.ok(tip.includes(s.points[0].key), tip);
  }
  // Hovering a point shows the tooltip with the numbers.
  await p.click('[data-testid=runs] button[data-series=throughputPerDay]');
  await p.waitForSelector('[data-testid=runs-chart][data-series=throughputPerDay] canvas');
  await p.locator('[data-testid=runs]').scrollIntoViewIfNeeded();
  const box = await p.locator('[data-testid=runs-chart] canvas').first().boundingBox();
  let shown = false;
  for (let x = box.x + 66; x < box.x + box.width - 96 && !shown; x += 4) {
    for (const y of [box.y + box.height - 57, box.y + box.height / 2]) {
      await p.mouse.move(x, y);
      const t = await p.evaluate(() => [...document.querySelectorAll('div')].find((d) => d.style.zIndex === '9999999' && d.style.display !== 'none' && d.textContent.includes('mean'))?.textContent ?? '');
      if (t.includes('limits')) { shown = true; break; }
    }
  }
  assert.ok(shown, 'a tooltip with the mean and limits on hover');
  await p.screenshot({ path: path.join(ARTIFACTS, 'flow-runs.png'), fullPage: true });
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('the admin page turns the bottleneck XmR input on and off', async () => {
  const admin = await openPage(browser, `${stack.host.url}/admin`);
  try {
    const box = '[data-testid=input-bottleneck\\.xmrSignal]';
    await admin.waitForSelector(box);
    assert.equal(await admin.isChecked(box), false, 'off by default');
    await admin.check(box);
    await admin.click('[data-testid=save-tenant]');
    await admin.waitForSelector('[data-testid=tenant-settings-msg] .msg-ok');
    let s = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
    assert.equal(s.fields['bottleneck.xmrSignal'].value, true);
    assert.equal(s.fields['bottleneck.xmrSignal'].default, false);
    await admin.uncheck(box);
    await admin.click('[data-testid=save-tenant]');
    // The first save's message is still there: wait for the stored value instead.
    for (let i = 0; i < 100; i++) {
      s = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
      if (s.fields['bottleneck.xmrSignal'].value === false) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(s.fields['bottleneck.xmrSignal'].value, false);
    assert.equal(s.fields['bottleneck.xmrSignal'].overridden, true);
    assert.deepEqual(admin.errors, []);
  } finally {
    await stack.put('de00', '/api/v1/tenant/settings', { bottleneck: null }, 'PAY').catch(() => {});
    await admin.close();
  }
});
