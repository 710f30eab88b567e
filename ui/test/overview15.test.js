/* overview15.test.js - issue #15's remaining screens in the browser, against
 * the real backend with the demo data (stack.js: boards, flags, blockers and
 * sprint scope change from `biq gen`): the Overview's flow debt card
 * (arrivals vs. throughput per day, the debt and its reading) equal to the
 * dashboard's `flowDebt`; the WIP aging chart's blocked marker on the API's
 * blocked items, with a tooltip that says so; the Flow tab's column-level
 * view, its rows the dashboard's `columns` in order; and the status tables in
 * the dashboard's `statuses` order (the board's, never re-sorted). Writes the
 * README's docs/screenshots/efficiency.png, cfd.png, sprints.png,
 * columns.png and aging-bands.png.
 * Run: cd ui && npm run build && node --test test/overview15.test.js. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startStack, ROOT } from './stack.js';
import { launchBrowser, openPage } from './browser.js';

const SHOTS = path.join(ROOT, 'docs/screenshots');
let stack, browser;

/** The UI's formats (dom.ts days() and num(), efficiency.ts signed()). */
const days = (v) => (v === null || v === undefined ? '—' : `${Number(v.toFixed(2))}d`);
const tdays = (v, n) => (n > 0 ? days(v) : '—');
const num = (v) => String(Number(v.toFixed(2)));
const signed = (n) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const page = (url) => openPage(browser, stack.host.url + url);
const text = (p, sel) => p.textContent(sel).then((t) => t.trim());

test('the Overview shows arrivals vs. throughput and the flow debt of the API', async () => {
  for (const [key, window] of [['PAY', '30d'], ['WEB', '90d']]) {
    const api = await stack.get('de00', `/api/v1/projects/${key}/dashboard?window=${window}`, key);
    const f = api.flowDebt;
    assert.ok(f, 'the dashboard has flowDebt');
    assert.equal(f.debt, f.arrivals - f.departures);
    const p = await page(`/project/${key}?window=${window}`);
    try {
      await p.waitForSelector('[data-testid=flow-debt]');
      // Beside the efficiency panel, in one row.
      assert.equal(await p.locator('[data-testid=overview-flow] > [data-testid=efficiency] + [data-testid=flow-debt]').count(), 1);
      const card = p.locator('[data-testid=flow-debt]');
      assert.equal(await card.getAttribute('data-arrivals'), String(f.arrivals));
      assert.equal(await card.getAttribute('data-departures'), String(f.departures));
      assert.equal(await card.getAttribute('data-debt'), String(f.debt));
      assert.equal(await text(p, '[data-testid=flow-debt-arrivals-count]'), String(f.arrivals));
      assert.equal(await text(p, '[data-testid=flow-debt-departures-count]'), String(f.departures));
      assert.equal(await text(p, '[data-testid=flow-debt-arrivals-per-day]'), num(f.arrivalsPerDay));
      assert.equal(await text(p, '[data-testid=flow-debt-departures-per-day]'), num(f.departuresPerDay));
      assert.equal(await text(p, '[data-testid=flow-debt-value]'), signed(f.debt));
      const d = api.window.days;
      const reading = f.arrivals === 0 && f.departures === 0 ? `No item arrived or left in ${d} days.`
        : f.debt > 0 ? `More work arrived than left: ${signed(f.debt)} items in ${d} days`
          : f.debt < 0 ? `More work left than arrived: ${signed(f.debt)} items in ${d} days` : `As much work left as arrived in ${d} days`;
      assert.equal(await text(p, '[data-testid=flow-debt-reading]'), reading);
      if (key === 'PAY') await p.locator('[data-testid=overview-flow]').screenshot({ path: path.join(SHOTS, 'efficiency.png') });
      assert.deepEqual(p.errors, []);
    } finally {
      await p.close();
    }
  }
});

test('the WIP aging chart marks the API\'s blocked items, and the tooltip says so', async () => {
  let api, key;
  for (const k of ['PAY', 'WEB', 'MOB']) {
    api = await stack.get('de00', `/api/v1/projects/${k}/charts/wip-aging`, k);
    if (api.items.some((i) => i.blocked)) { key = k; break; }
  }
  assert.ok(key, 'the demo data has a blocked item in progress');
  const blocked = api.items.filter((i) => i.blocked);
  const p = await page(`/project/${key}?tab=flow`);
  try {
    const box = '[data-testid=wip-aging-chart]';
    await p.waitForSelector(`${box}[data-points][data-blocked-at] canvas`);
    assert.equal(await p.getAttribute(box, 'data-blocked'), String(blocked.length));
    assert.deepEqual(JSON.parse(await p.getAttribute(box, 'data-blocked-keys')), blocked.map((i) => i.key));
    assert.deepEqual(JSON.parse(await p.getAttribute(box, 'data-flagged-keys')), blocked.filter((i) => i.flagged).map((i) => i.key));
    const f = blocked.filter((i) => i.flagged).length;
    assert.equal(await p.textContent('[data-testid=aging-blocked]'), ` · ⚑ ${blocked.length} blocked${f ? ` (${f} flagged)` : ''}`);
    // The bands and the pace rings are still drawn (the chart's own attributes).
    assert.equal(await p.getAttribute(box, 'data-y-axis'), api.bands ? 'started' : 'status');
    assert.ok(Number(await p.getAttribute(box, 'data-bands')) > 0 || !api.bands, 'bands still drawn');
    // Hover a marker: the tooltip names the item and says it is blocked.
    const at = JSON.parse(await p.getAttribute(box, 'data-blocked-at'));
    const rect = await p.locator(box).boundingBox();
    let tip = null, hit = null;
    for (const [k, x, y] of at) {
      await p.mouse.move(rect.x + 5, rect.y + rect.height - 5);
      await p.mouse.move(rect.x + x, rect.y + y, { steps: 4 });
      tip = await p.waitForFunction((k) => [...document.querySelectorAll('[data-testid=wip-aging-chart] div')]
        .map((d) => d.textContent ?? '').find((t) => t.startsWith(k) && /blocked/.test(t)) ?? null, k, { timeout: 2000 }).then((h) => h.jsonValue(), () => null);
      if (tip) { hit = api.items.find((i) => i.key === k); break; }
    }
    assert.ok(tip, 'a blocked marker shows its item\'s tooltip');
    assert.match(tip, hit.flagged ? /⚑ blocked: flagged \(impediment\)/ : /⚑ blocked: blocked by an open issue/);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
  // The screenshot: the aging chart with its bands, SLE line, pace rings and blocked markers.
  await stack.put('de00', `/api/v1/projects/${key}/settings`, { sle: { percentile: 85, days: 5 } }, key);
  const q = await page(`/project/${key}?tab=flow`);
  try {
    await q.waitForSelector('[data-testid=wip-aging-chart][data-points][data-blocked-at][data-sle="5"] canvas');
    await q.mouse.move(0, 0);
    await q.locator('[data-testid=wip-aging]').screenshot({ path: path.join(SHOTS, 'aging-bands.png') });
    assert.deepEqual(q.errors, []);
  } finally {
    await stack.put('de00', `/api/v1/projects/${key}/settings`, { sle: null }, key).catch(() => {});
    await q.close();
  }
});

/** The dashboard's statuses that a column holds, as the UI classes the column. */
function kindOf(c, byId) {
  const sts = c.statusIds.map((id) => byId.get(id)).filter(Boolean);
  if (sts.length && sts.every((s) => s.role === 'done' || s.terminal)) return 'done';
  if (sts.length && sts.every((s) => s.role === 'backlog' && !s.terminal)) return 'queue';
  return 'wip';
}

test('the Flow tab\'s columns table is the dashboard\'s columns, in order, beside the status table', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
  assert.ok(api.columns?.length > 1, 'the demo project has a board');
  const byId = new Map(api.statuses.map((s) => [s.id, s]));
  const p = await page('/project/PAY?tab=flow');
  try {
    await p.waitForSelector('[data-testid=column-view] [data-testid=columns] + [data-testid=flow-statuses]');
    const rows = p.locator('[data-testid=columns] tbody tr');
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.column)), api.columns.map((c) => c.name));
    for (const [i, c] of api.columns.entries()) {
      const row = rows.nth(i);
      const cell = (col) => row.locator(`[data-col=${col}]`).textContent();
      const tc = c.timeInColumn;
      assert.equal(await cell('name'), c.name);
      assert.equal(await cell('statuses'), c.statusIds.map((id) => byId.get(id)?.name ?? id).join(', '));
      assert.equal(await cell('p50Days'), tdays(tc.p50Days, tc.count), `${c.name} P50`);
      assert.equal(await cell('p85Days'), tdays(tc.p85Days, tc.count), `${c.name} P85`);
      assert.equal(await cell('count'), String(tc.count));
      assert.equal(await cell('throughput'), String(c.throughput));
      const kind = kindOf(c, byId);
      assert.equal(await row.getAttribute('data-kind'), kind);
      if (kind === 'wip') {
        assert.equal(await cell('wipAvg'), num(c.wip.avg));
        const { current, limit } = c.wip;
        assert.equal(await cell('wipCurrent'), limit == null ? String(current) : `${current} / ${limit}${current > limit ? ' over' : ''}`);
      } else if (kind === 'queue') {
        assert.equal(await cell('wipCurrent'), `${c.wip.current} waiting`);
      } else {
        assert.equal(await cell('wipCurrent'), '—');
      }
    }
    assert.ok(api.columns.some((c) => c.wip.limit != null), 'the demo board has a column limit');
    // Each status row names its column (the first that lists it).
    for (const s of api.statuses) {
      const col = api.columns.find((c) => c.statusIds.includes(s.id));
      assert.equal(await p.locator(`[data-testid=flow-statuses] tr[data-status-id="${s.id}"] [data-col=column]`).textContent(), col ? col.name : 'not on the board');
    }
    await p.locator('[data-testid=column-view]').screenshot({ path: path.join(SHOTS, 'columns.png') });
    // The new CFD of the same tab.
    await p.waitForSelector('[data-testid=cfd-chart][data-days] canvas');
    await p.locator('[data-testid=cfd]').screenshot({ path: path.join(SHOTS, 'cfd.png') });
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('the status tables list the dashboard\'s statuses in its order (the board\'s)', async () => {
  for (const key of ['PAY', 'MOB', 'WEB']) {
    const api = await stack.get('de00', `/api/v1/projects/${key}/dashboard?window=30d`, key);
    const ids = api.statuses.map((s) => s.id);
    // The dashboard's order is the board's: columns left to right, then the rest.
    const onBoard = api.columns.flatMap((c) => c.statusIds).filter((id, i, a) => ids.includes(id) && a.indexOf(id) === i);
    assert.deepEqual(ids.slice(0, onBoard.length), onBoard, `${key}: the board's statuses first, in column order`);
    const p = await page(`/project/${key}`);
    try {
      await p.waitForSelector('[data-testid=stages] tbody tr');
      assert.deepEqual(await p.locator('[data-testid=stages] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.statusId)), ids, `${key}: Overview`);
      await p.click('[data-tab=flow]');
      await p.waitForSelector('[data-testid=flow-statuses] tbody tr');
      assert.deepEqual(await p.locator('[data-testid=flow-statuses] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.statusId)), ids, `${key}: Flow`);
      assert.equal(await p.getAttribute('[data-testid=flow-statuses]', 'data-frame'), 'columns');
      assert.deepEqual(p.errors, []);
    } finally {
      await p.close();
    }
  }
});

test('screenshot: the sprint report', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/sprints/report', 'PAY');
  const newest = api.sprints[api.sprints.length - 1];
  const p = await page('/project/PAY?tab=sprints');
  try {
    await p.waitForSelector(`[data-testid=sprint-report][data-sprint-id="${newest.id}"]`);
    await p.screenshot({ path: path.join(SHOTS, 'sprints.png'), fullPage: true });
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});
