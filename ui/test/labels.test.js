/* labels.test.js - issue 19 in the browser: every label says what it
 * measures (lead time = created → done, cycle time = started → done, "WIP at
 * end of window" for a past window, chart titles with the window's dates, "—"
 * for n = 0), the palette (12 distinct colours, then one "other"), the WIP
 * aging's "Include backlog" toggle, the issue panel's "since done", the
 * unknown statuses of the real DevLake data (installation de01, project EE)
 * named with the way to assign their role, the settings form's effective
 * roles and schedule switches, and the "as of" picker.
 *
 * Tests named "[asOf backend]" need the backend's ?asOf / asOf /
 * lastActivityAt (lead: verify after the merge); they fail before it.
 * Same set-up as ui.test.js; the README's screenshots are written to
 * docs/screenshots/. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startStack, ROOT } from './stack.js';
import { launchBrowser, openPage } from './browser.js';

const SHOTS = path.join(ROOT, 'docs/screenshots');
const LEAD = 'Lead time (created → done)';
const CYCLE = 'Cycle time (started → done)';
let stack, browser;

/** The UI's day format (dom.ts days()). */
const days = (v) => (v === null || v === undefined ? '—' : `${Number(v.toFixed(2))}d`);

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const page = (url) => openPage(browser, stack.host.url + url);
const get = (inst, p, key, issue) => stack.get(inst, p, key, issue);

test('the Overview names lead time and cycle time as product.md defines them, "—" where n = 0', async () => {
  const api = await get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
  const p = await page('/project/PAY');
  try {
    await p.waitForSelector('[data-testid=overview]');
    assert.equal(await p.textContent('[data-testid=sys-lead-label]'), `${LEAD}, P85`);
    assert.equal(await p.textContent('[data-testid=sys-cycle-label]'), `${CYCLE}, P85`);
    assert.equal(await p.textContent('[data-testid=sys-lead-p85]'), api.leadTime.count ? days(api.leadTime.p85Days) : '—');
    assert.equal(await p.textContent('[data-testid=sys-cycle-p85]'), api.cycleTime.count ? days(api.cycleTime.p85Days) : '—');
    const text = await p.textContent('body');
    assert.ok(!/cycle time \(created/i.test(text), 'lead time is never called cycle time');
    assert.match(await p.textContent('[data-testid=window-text]'), /^Window: last 30 days, \d{1,2} [A-Z][a-z]{2} \d{4} – \d{1,2} [A-Z][a-z]{2} \d{4}$/);
    const heads = await p.locator('[data-testid=stages] thead th').allTextContents();
    assert.equal(heads.at(-1), 'WIP now', 'a window ending now counts WIP now');
    // A status with no visit in the window shows "—", never 0.00d.
    for (const s of api.statuses.filter((x) => x.timeInStatus.count === 0)) {
      const row = p.locator(`[data-testid=stages] tr[data-status-id="${s.id}"]`);
      for (const c of ['avgDays', 'p50Days', 'p90Days']) assert.equal(await row.locator(`[data-col=${c}]`).textContent(), '—', `${s.name} ${c}`);
    }
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
  // The DevLake project has no issue done in the last 30 days: n = 0 everywhere.
  const ee = await get('de01', '/api/v1/projects/EE/dashboard?window=30d', 'EE');
  assert.equal(ee.leadTime.count, 0);
  const q = await page('/project/EE?installation=de01');
  try {
    await q.waitForSelector('[data-testid=overview]');
    for (const id of ['sys-lead-p85', 'sys-lead-avg', 'sys-cycle-p85', 'sys-cycle-avg']) assert.equal(await q.textContent(`[data-testid=${id}]`), '—', id);
    assert.match(await q.textContent('[data-testid=sys-lead]'), /n=0/);
  } finally {
    await q.close();
  }
});

test('a past window says "WIP at end of window"; the sprint window shows its dates', async () => {
  const api = await get('de00', '/api/v1/projects/PAY/dashboard?window=sprint-last', 'PAY');
  const p = await page('/project/PAY?window=sprint-last');
  try {
    await p.waitForSelector('[data-testid=stages]');
    const heads = await p.locator('[data-testid=stages] thead th').allTextContents();
    assert.equal(heads.at(-1), 'WIP at end of window');
    const w = await p.textContent('[data-testid=window-text]');
    assert.match(w, /^Window: last sprint/);
    // The window's first day, in its zone, with a month name.
    const [y, m, d] = api.window.from.slice(0, 10).split('-').map(Number);
    const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1];
    assert.ok(w.includes(`${d} ${mon} ${y}`), `${w} names the sprint's start`);
    if (api.window.sprintName) assert.ok(w.includes(api.window.sprintName), 'the sprint name when the backend gives it');
  } finally {
    await p.close();
  }
});

test('the Flow tab: titles follow the window, the scatter axis and toggle name lead and cycle time, the CFD covers the window', async () => {
  const api = await get('de00', '/api/v1/projects/PAY/dashboard?window=7d', 'PAY');
  const p = await page('/project/PAY?tab=flow&window=7d');
  try {
    await p.waitForSelector('[data-testid=scatter-chart][data-points] canvas');
    await p.waitForSelector('[data-testid=cfd-chart][data-days] canvas');
    assert.match(await p.textContent('[data-testid=cfd-title]'), /^Cumulative flow · last 7 days, /);
    assert.match(await p.textContent('[data-testid=scatter-title]'), /· last 7 days, /);
    assert.equal(await p.textContent('[data-testid=wip-aging-title]'), 'WIP aging (now)');
    const from = await p.getAttribute('[data-testid=cfd-chart]', 'data-from');
    const to = await p.getAttribute('[data-testid=cfd-chart]', 'data-to');
    assert.equal(from, api.window.from.slice(0, 10), 'UTC demo: the window\'s first day');
    const cfd = await get('de00', `/api/v1/projects/PAY/charts/cfd?from=${from}&to=${to}`, 'PAY');
    assert.equal(await p.getAttribute('[data-testid=cfd-chart]', 'data-days'), String(cfd.days.length));
    assert.ok(cfd.days.length >= 7 && cfd.days.length <= 8, `7 days of flow, got ${cfd.days.length}`);
    assert.equal(await p.getAttribute('[data-testid=scatter-chart]', 'data-y-name'), 'lead time (created → done), days');
    assert.equal(await p.textContent('button[data-mode=lead]'), LEAD);
    assert.equal(await p.textContent('button[data-mode=cycle]'), CYCLE);
    await p.click('button[data-mode=cycle]');
    await p.waitForSelector('[data-testid=scatter-chart][data-mode=cycle]');
    assert.equal(await p.getAttribute('[data-testid=scatter-chart]', 'data-y-name'), 'cycle time (started → done), days');
    // P50 / P85 / P95 labels sit at the start, middle and end of their lines: never on one another.
    const spots = JSON.parse(await p.getAttribute('[data-testid=scatter-chart]', 'data-line-labels')).map((x) => x[1]);
    assert.equal(new Set(spots).size, spots.length, `distinct label places ${spots}`);
    assert.match(await p.textContent('[data-testid=scatter-lines]'), /^Cycle time \(started → done\), n=\d+: P50 /);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('the CSV export\'s header names what each column is', async () => {
  const p = await page('/project/PAY');
  try {
    await p.waitForSelector('[data-testid=overview]');
    const [dl] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=export-csv]')]);
    const header = readFileSync(await dl.path(), 'utf8').split(/\r?\n/)[0];
    assert.deepEqual(header.split(','), ['issue_key', 'summary', 'project', 'current_status', 'created', 'done', 'slice_status', 'start', 'end', 'duration_seconds', 'open', 'external', 'terminal']);
    assert.ok(!/cycle/i.test(header), 'no column calls a created → done span cycle time');
  } finally {
    await p.close();
  }
});

test('palette: 12 distinct colours then one "other"; assignees and CFD bands never share a colour', async () => {
  const p = await page('/project/PAY?tab=flow');
  try {
    await p.waitForSelector('[data-testid=wip-aging-chart][data-points] canvas');
    await p.waitForSelector('[data-testid=cfd-chart][data-days] canvas');
    const palette = JSON.parse(await p.getAttribute('[data-testid=flow]', 'data-palette')).map((c) => c.toLowerCase());
    const other = (await p.getAttribute('[data-testid=flow]', 'data-other')).toLowerCase();
    assert.equal(palette.length, 12);
    assert.equal(new Set(palette).size, 12, 'no repeated colour among 12 series');
    assert.ok(!palette.includes(other), 'the "other" colour is none of the 12');
    // Aging with the backlog: every assignee (and Unassigned) has its own colour.
    await p.check('[data-testid=aging-backlog]');
    await p.waitForSelector('[data-testid=wip-aging-chart][data-backlog=true][data-points] canvas');
    const aging = JSON.parse(await p.getAttribute('[data-testid=wip-aging-chart]', 'data-colours'));
    const cfd = JSON.parse(await p.getAttribute('[data-testid=cfd-chart]', 'data-colours'));
    for (const [what, list] of [['aging', aging], ['cfd', cfd]]) {
      const cols = list.slice(0, 12).map((x) => x[1].toLowerCase());
      assert.deepEqual(cols, palette.slice(0, cols.length), `${what}: the palette in order`);
      assert.equal(new Set(cols).size, cols.length, `${what}: ${JSON.stringify(list)}`);
      for (const [, c] of list.slice(12)) assert.equal(c.toLowerCase(), other, `${what}: beyond 12 the other colour`);
    }
    const colourOf = (name) => aging.find((x) => x[0] === name)?.[1];
    if (colourOf('Unassigned') && colourOf('Alice Martin')) assert.notEqual(colourOf('Unassigned'), colourOf('Alice Martin'));
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('WIP aging: "Include backlog" adds the never-started items (the ?backlog=true count)', async () => {
  const wip = await get('de00', '/api/v1/projects/PAY/charts/wip-aging', 'PAY');
  const all = await get('de00', '/api/v1/projects/PAY/charts/wip-aging?backlog=true', 'PAY');
  assert.ok(all.items.length > wip.items.length, 'the demo has backlog items');
  const p = await page('/project/PAY?tab=flow');
  try {
    const sel = '[data-testid=wip-aging-chart]';
    await p.waitForSelector(`${sel}[data-points] canvas`);
    assert.equal(await p.getAttribute(sel, 'data-points'), String(wip.items.length));
    assert.equal(await p.isChecked('[data-testid=aging-backlog]'), false, 'off by default');
    await p.check('[data-testid=aging-backlog]');
    await p.waitForSelector(`${sel}[data-backlog=true]`);
    assert.equal(await p.getAttribute(sel, 'data-points'), String(all.items.length));
    await p.uncheck('[data-testid=aging-backlog]');
    await p.waitForSelector(`${sel}[data-backlog=false]`);
    assert.equal(await p.getAttribute(sel, 'data-points'), String(wip.items.length));
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('the issue panel: the total stops at done, the time since done apart and labelled', async () => {
  const api = await get('de00', '/api/v1/issues/PAY-12/time-in-status', 'PAY', 'PAY-12');
  assert.ok(api.doneAt, 'PAY-12 is done');
  const p = await page('/issue/PAY-12');
  try {
    await p.waitForSelector('[data-testid=issue-panel]');
    assert.equal(await p.textContent('[data-testid=visits-total]'), days(api.totalDays));
    assert.match(await p.textContent('[data-testid=visits-total-label]'), /^Total up to done \(\d+ visits\)$/);
    assert.match(await p.textContent('[data-testid=since-done]'), /^Since done \(.+\), not counted above/);
    assert.equal(await p.textContent('[data-testid=since-done-days]'), days(api.sinceDoneDays));
    await p.setViewportSize({ width: 560, height: 600 });
    await p.screenshot({ path: path.join(SHOTS, 'issue-panel.png'), fullPage: true });
  } finally {
    await p.close();
  }
});

test('the DevLake data: the Overview names the unknown statuses and links to assigning their roles', async () => {
  const d = await get('de01', '/api/v1/projects/EE/dashboard?window=30d', 'EE');
  const f = d.dataQuality.findings.find((x) => x.kind === 'unknown_status');
  assert.deepEqual(f.statuses.map((s) => s.name).sort(), ['Inbox', 'Ready for Dev', 'Resolved', 'To Do']);
  const p = await page('/project/EE?installation=de01');
  let a;
  try {
    await p.waitForSelector('[data-testid=unknown-statuses]');
    const names = await p.textContent('[data-testid=unknown-status-names]');
    for (const s of f.statuses) assert.ok(names.includes(`${s.name} (${s.id})`), `${s.name} (${s.id}) named`);
    assert.ok(names.includes('To Do (10000)'), 'the unknown To Do by its id');
    // The twin "To Do" rows of the stages table show their ids.
    assert.match(await p.textContent('[data-testid=stages] tr[data-status-id="10000"] [data-col=name]'), /To Do \(10000\)/);
    const href = await p.getAttribute('[data-testid=assign-roles]', 'href');
    assert.match(href, /^\/admin\?installation=de01&assign=/);
    a = await page(href);
    await a.waitForSelector('[data-testid=assign-note]');
    for (const s of f.statuses) {
      const row = a.locator(`[data-testid=status-role-${s.id}]`);
      assert.equal(await row.getAttribute('class'), 'needs-role', `${s.name} row marked`);
      assert.match(await row.textContent(), new RegExp(`^${s.name} \\(${s.id}\\)`));
      assert.equal(await a.locator(`[data-testid=role-source-${s.id}]`).textContent(), 'no role yet');
      assert.equal(await row.locator('input[data-role]:checked').count(), 0);
    }
    await a.screenshot({ path: path.join(SHOTS, 'assign-roles.png') });
    assert.deepEqual([...p.errors, ...a.errors], []);
  } finally {
    await p.close();
    await a?.close();
  }
});

test('site settings: each status shows its effective role as the checked box; the schedule\'s dependents follow "Use a schedule"', async () => {
  const before = await get('de00', '/api/v1/tenant/settings', 'PAY');
  await stack.put('de00', '/api/v1/tenant/settings', { 'statusRoles.external': ['10005'] }, 'PAY');
  const p = await page('/admin');
  try {
    const s = await get('de00', '/api/v1/tenant/settings', 'PAY');
    await p.waitForSelector('[data-testid=tenant-settings]');
    for (const r of ['active', 'backlog', 'done', 'terminal', 'external']) {
      for (const id of (s.fields[`statusRoles.${r}`].value ?? []).map(String)) {
        assert.equal(await p.isChecked(`input[data-role=${r}][data-status="${id}"]`), true, `${id} ${r} checked`);
        assert.equal(await p.getAttribute(`[data-testid=status-role-${id}]`, 'data-effective-role'), r);
        assert.match(await p.textContent(`[data-testid=role-source-${id}]`), new RegExp(`^${r} · (default|set here)$`));
      }
    }
    assert.match(await p.textContent('[data-testid=role-source-10005]'), /^external · set here$/);
    const on = await p.isChecked('[data-testid=input-ws\\.on]');
    assert.equal(await p.isDisabled('[data-testid=input-ws\\.working]'), !on, 'working time only is disabled without a schedule');
    await p.setChecked('[data-testid=input-ws\\.on]', !on);
    assert.equal(await p.isDisabled('[data-testid=input-ws\\.working]'), on);
    // A backend that says it has no model key: "unavailable: no API key" (absent flag: nothing claimed).
    const tenant = await get('de00', '/api/v1/tenant', 'PAY');
    const flag = tenant.ai?.available ?? tenant.settings?.aiAvailable;
    assert.equal(await p.locator('[data-testid=ai-unavailable]').count(), flag === false ? 1 : 0);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await stack.put('de00', '/api/v1/tenant/settings', { 'statusRoles.external': before.fields['statusRoles.external'].overridden ? before.fields['statusRoles.external'].value : null }, 'PAY');
  }
});

test('a project never synced says "No history loaded yet" and offers the backfill request', async () => {
  const inst = randomBytes(5).toString('hex');
  await stack.post(inst, '/forge/lifecycle', { eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/ns' });
  const p = await page(`/project/NEW?installation=${inst}`);
  try {
    await p.waitForSelector('[data-testid=no-history]');
    assert.equal(await p.textContent('[data-testid=no-history] h2'), 'No history loaded yet');
    await p.click('[data-testid=no-history] [data-testid=backfill-request]');
    await p.waitForSelector('[data-testid=backfill] .msg-ok', { timeout: 10000 });
    const req = await stack.get(inst, '/forge/backfill/requests', 'NEW');
    assert.deepEqual(req.projects, ['NEW']);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('screenshots: Overview and Flow on the demo data', async () => {
  for (const [url, file, wait] of [['/project/PAY', 'dashboard.png', '[data-testid=overview]'],
    ['/project/PAY?tab=flow', 'flow.png', '[data-testid=scatter-chart][data-points] canvas']]) {
    const p = await page(url);
    try {
      await p.waitForSelector(wait);
      if (url.includes('flow')) await p.waitForSelector('[data-testid=cfd-chart][data-days] canvas');
      await p.screenshot({ path: path.join(SHOTS, file), fullPage: true });
    } finally {
      await p.close();
    }
  }
});

test('[asOf backend] the "as of" picker shows the DevLake project at 2020-07-15, every view at that day', async () => {
  const api = await get('de01', '/api/v1/projects/EE/dashboard?window=30d&asOf=2020-07-15', 'EE');
  const p = await page('/project/EE?installation=de01');
  const asked = [];
  p.on('request', (r) => { if (r.url().endsWith('/__bridge/invoke')) asked.push(JSON.parse(r.postData() ?? '{}').path); });
  try {
    await p.waitForSelector('[data-testid=overview]');
    await p.fill('[data-testid=as-of]', '2020-07-15');
    await p.waitForSelector('[data-testid=as-of-picker][data-as-of="2020-07-15"]');
    await p.waitForFunction(() => /as of 2020-07-15/.test(document.querySelector('[data-testid=window-text]')?.textContent ?? ''));
    assert.equal(await p.textContent('[data-testid=sys-throughput]'), String(api.throughput.total));
    const heads = await p.locator('[data-testid=stages] thead th').allTextContents();
    assert.equal(heads.at(-1), 'WIP at end of window', 'as of a past day: WIP at its end');
    await p.screenshot({ path: path.join(SHOTS, 'dashboard-devlake.png'), fullPage: true });
    await p.click('button[data-tab=flow]');
    await p.waitForSelector('[data-testid=scatter-chart][data-points]');
    await p.waitForSelector('[data-testid=wip-aging-chart][data-points]');
    assert.equal(await p.textContent('[data-testid=wip-aging-title]'), 'WIP aging (as of 15 Jul 2020)');
    await p.waitForTimeout(300);
    await p.screenshot({ path: path.join(SHOTS, 'flow-devlake.png'), fullPage: true });
    for (const route of ['/dashboard?', '/charts/wip-aging', '/charts/cfd', '/charts/scatter']) {
      assert.ok(asked.some((q) => q.includes(route) && q.includes('asOf=2020-07-15')), `${route} called with asOf: ${asked.join(' ')}`);
    }
    // The backend says which day it computed (a backend without ?asOf does not).
    assert.equal(api.asOf, '2020-07-15');
    assert.ok(api.throughput.total > 0, 'the DevLake project has flow in the 30 days to 2020-07-15');
    assert.equal(await p.locator('[data-testid=as-of-unsupported]').count(), 0);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
  const q = await page('/issue/EE-17?installation=de01');
  try {
    await q.waitForSelector('[data-testid=issue-panel]');
    await q.setViewportSize({ width: 560, height: 700 });
    await q.screenshot({ path: path.join(SHOTS, 'issue-panel-devlake.png'), fullPage: true });
  } finally {
    await q.close();
  }
});

test('[asOf backend] an empty window says when the last activity was and offers "Show as of" that day', async () => {
  const d = await get('de01', '/api/v1/projects/EE/dashboard?window=30d', 'EE');
  assert.ok(d.lastActivityAt, 'the dashboard names the project\'s last activity');
  const day = d.lastActivityAt.slice(0, 10);
  const p = await page('/project/EE?installation=de01');
  try {
    await p.waitForSelector('[data-testid=last-activity]');
    assert.equal(await p.textContent('[data-testid=show-as-of]'), `Show as of ${day}`);
    await p.click('[data-testid=show-as-of]');
    await p.waitForSelector(`[data-testid=as-of-picker][data-as-of="${day}"]`);
    const then = await get('de01', `/api/v1/projects/EE/dashboard?window=30d&asOf=${day}`, 'EE');
    await p.waitForFunction((n) => document.querySelector('[data-testid=sys-throughput]')?.textContent === String(n), then.throughput.total);
    // That day shows the project moving: its last move left a status then.
    assert.equal(then.lastActivityAt, d.lastActivityAt);
    assert.ok(then.statuses.some((s) => s.throughput > 0), 'the last active day has flow');
  } finally {
    await p.close();
  }
});
