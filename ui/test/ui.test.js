/* ui.test.js - browser tests of the Custom UI: headless Debian chromium
 * (playwright-core, never a downloaded browser) against the dev host and a
 * real backend with the demo data (stack.js). Screenshots go to
 * ui/test-artifacts/. Run: cd ui && npm test. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { startStack, ROOT } from './stack.js';
import { ARTIFACTS, launchBrowser, openPage } from './browser.js';
import { startDevhost } from '../../tools/devhost/server.js';

let stack, browser; // browser: the persistent context

/** The UI's day format (dom.ts days()). */
const days = (v) => (v === null || v === undefined ? '—' : `${Number(v.toFixed(2))}d`);
/** The stages table's time cells: "—" for an empty sample. */
const tdays = (v, n) => (n > 0 ? days(v) : '—');

before(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

const page = (url) => openPage(browser, stack.host.url + url);

test('overview renders every widget with the API numbers', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
  const p = await page('/project/PAY');
  await p.waitForSelector('[data-testid=overview]');
  for (const id of ['insight', 'system', 'changes', 'stages', 'alerts', 'window-picker', 'last-sync', 'export-csv']) {
    assert.ok(await p.isVisible(`[data-testid=${id}]`), `${id} visible`);
  }
  if (api.bottleneck.statusId) {
    assert.equal(await p.textContent('[data-testid=bottleneck-name]'), api.bottleneck.statusName);
    assert.equal(await p.textContent('[data-testid=bottleneck-confidence]'), `${api.bottleneck.confidence} confidence`);
    assert.equal(await p.textContent('[data-testid=bottleneck-explanation]'), api.bottleneck.explanation);
    assert.equal(await p.locator('[data-testid=bottleneck-reasons] li').count(), api.bottleneck.reasons.length);
    assert.equal(await p.textContent('[data-testid=bd-avgtime-current]'), days(api.bottleneck.breakdown.avgTime.current));
    assert.equal(await p.textContent('[data-testid=bd-throughput-current]'), String(Number(api.bottleneck.breakdown.throughput.current.toFixed(0))));
  } else {
    assert.equal(await p.textContent('[data-testid=insight-message]'), api.bottleneck.message);
  }
  const rows = p.locator('[data-testid=stages] tbody tr');
  assert.equal(await rows.count(), api.statuses.length);
  for (const s of api.statuses) {
    const row = p.locator(`[data-testid=stages] tr[data-status-id="${s.id}"]`);
    assert.equal(await row.locator('[data-col=avgDays]').textContent(), tdays(s.timeInStatus.avgDays, s.timeInStatus.count), `${s.name} avg`);
    assert.equal(await row.locator('[data-col=p90Days]').textContent(), tdays(s.timeInStatus.p90Days, s.timeInStatus.count), `${s.name} p90`);
    assert.equal(await row.locator('[data-col=count]').textContent(), String(s.timeInStatus.count), `${s.name} count`);
    assert.equal(await row.locator('[data-col=throughput]').textContent(), String(s.throughput), `${s.name} throughput`);
  }
  const partial = ['running', 'queued', 'capped', 'failed'].includes(api.sync.backfill.state) || (api.dataQuality?.truncated_history ?? 0) > 0;
  assert.equal(await p.isVisible('[data-testid=partial-banner]'), partial, 'partial-history banner iff the API says so');
  assert.match(await p.textContent('[data-testid=last-sync]'), /^Last sync /);
  const alerts = await stack.get('de00', '/api/v1/alerts?project=PAY', 'PAY');
  if (alerts.groups.length === 0) await p.waitForSelector('[data-testid=alerts-empty]');
  else await p.waitForFunction((n) => document.querySelectorAll('[data-testid=alert-group]').length === n, alerts.groups.length);
  const nonStable = api.trends.filter((t) => t.verdict !== 'stable').length;
  assert.equal(await p.locator('[data-testid=change-row]').count(), Math.min(8, nonStable));
  await p.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overview.png'), fullPage: true });
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('flow charts render the API data', async () => {
  const aging = await stack.get('de00', '/api/v1/projects/PAY/charts/wip-aging', 'PAY');
  const sc = await stack.get('de00', '/api/v1/projects/PAY/charts/scatter?window=30d', 'PAY');
  const p = await page('/project/PAY?tab=flow');
  await p.waitForSelector('[data-testid=wip-aging-chart][data-points] canvas');
  await p.waitForSelector('[data-testid=cfd-chart][data-days] canvas');
  // The CFD covers the picked window's days (the dashboard's window, in its zone).
  const from = await p.getAttribute('[data-testid=cfd-chart]', 'data-from');
  const to = await p.getAttribute('[data-testid=cfd-chart]', 'data-to');
  const cfd = await stack.get('de00', `/api/v1/projects/PAY/charts/cfd?from=${from}&to=${to}`, 'PAY');
  await p.waitForSelector('[data-testid=scatter-chart][data-points] canvas');
  assert.equal(await p.getAttribute('[data-testid=wip-aging-chart]', 'data-points'), String(aging.items.length));
  assert.equal(await p.getAttribute('[data-testid=cfd-chart]', 'data-days'), String(cfd.days.length));
  assert.equal(await p.getAttribute('[data-testid=scatter-chart]', 'data-points'), String(sc.points.length));
  await p.click('button[data-mode=cycle]');
  await p.waitForSelector('[data-testid=scatter-chart][data-mode=cycle]');
  assert.equal(await p.getAttribute('[data-testid=scatter-chart]', 'data-points'), String(sc.points.filter((x) => x.cycleDays != null).length));
  await p.screenshot({ path: path.join(ARTIFACTS, 'dashboard-flow.png'), fullPage: true });
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('the window picker reloads the dashboard for that window', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=7d', 'PAY');
  const p = await page('/project/PAY');
  await p.waitForSelector('[data-testid=overview]');
  await p.selectOption('[data-testid=window-picker]', '7d');
  await p.waitForFunction((n) => document.querySelector('[data-testid=sys-throughput]')?.textContent === String(n), api.throughput.total);
  for (const s of api.statuses) {
    const row = p.locator(`[data-testid=stages] tr[data-status-id="${s.id}"]`);
    assert.equal(await row.locator('[data-col=count]').textContent(), String(s.timeInStatus.count), `${s.name} count (7d)`);
  }
  // Sprint windows are offered when the project has sprints (the demo's do).
  await p.waitForSelector('[data-testid=window-picker] option[value=sprint-last]', { state: 'attached' });
  await p.close();
});

test('export CSV downloads the slice export', async () => {
  const p = await page('/project/PAY');
  await p.waitForSelector('[data-testid=overview]');
  const [dl] = await Promise.all([p.waitForEvent('download'), p.click('[data-testid=export-csv]')]);
  assert.equal(dl.suggestedFilename(), 'PAY-30d.csv');
  const text = readFileSync(await dl.path(), 'utf8');
  assert.match(text, /^issue_key,summary,project,current_status/);
  await p.close();
});

test('a site setting changed on the admin page re-renders the project page with new numbers', async () => {
  const before = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
  const admin = await page('/admin');
  let p;
  try {
    await admin.waitForSelector('[data-testid=input-thresholds\\.time]');
    await admin.fill('[data-testid=input-thresholds\\.time]', '9.5');
    await admin.click('[data-testid=save-tenant]');
    await admin.waitForSelector('[data-testid=tenant-settings-msg] .msg-ok');
    const settings = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
    assert.equal(settings.fields['thresholds.time'].value, 9.5);
    assert.equal(settings.fields['thresholds.time'].overridden, true);
    const afterApi = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
    assert.notDeepEqual(afterApi.bottleneck, before.bottleneck, 'the threshold changes the bottleneck');
    p = await page('/project/PAY');
    await p.waitForSelector('[data-testid=insight]');
    if (afterApi.bottleneck.statusId) assert.equal(await p.textContent('[data-testid=bottleneck-name]'), afterApi.bottleneck.statusName);
    else assert.equal(await p.textContent('[data-testid=insight-message]'), afterApi.bottleneck.message);
    // Reset from the admin page: back to the default and the original bottleneck.
    await admin.click('[data-testid=reset-thresholds\\.time]');
    await admin.waitForSelector('[data-testid=tenant-settings-msg] .msg-ok');
    const reset = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
    assert.equal(reset.fields['thresholds.time'].overridden, false);
    await p.reload();
    await p.waitForSelector('[data-testid=insight]');
    if (before.bottleneck.statusId) assert.equal(await p.textContent('[data-testid=bottleneck-name]'), before.bottleneck.statusName);
  } finally {
    await stack.put('de00', '/api/v1/tenant/settings', { thresholds: null }, 'PAY').catch(() => {});
    await admin.close();
    await p?.close();
  }
});

test('a WIP limit set on the project settings page shows against the current WIP', async () => {
  const d = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
  const s = d.statuses.find((x) => x.role === 'active');
  const settings = await page('/project/PAY/settings');
  let p;
  try {
    await settings.fill(`[data-testid=wip-limit-${s.id}]`, '1');
    await settings.click('[data-testid=save-project]');
    await settings.waitForSelector('[data-testid=project-settings-msg] .msg-ok');
    p = await page('/project/PAY');
    const sel = `[data-testid=stages] tr[data-status-id="${s.id}"] [data-col=wipCurrent]`;
    await p.waitForFunction((q) => / \/ 1$/.test(document.querySelector(q)?.textContent ?? ''), sel, { timeout: 10000 });
    const api = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=30d', 'PAY');
    const st = api.statuses.find((x) => x.id === s.id);
    assert.equal(st.wip.limit, 1);
    assert.equal(await p.textContent(sel), `${st.wip.current} / 1`);
  } finally {
    const ps = await stack.get('de00', '/api/v1/projects/PAY/settings', 'PAY');
    await stack.put('de00', '/api/v1/projects/PAY/settings', { wipLimits: null, excludedIssueTypes: null }, 'PAY').catch(() => {});
    await settings.close();
    await p?.close();
    assert.equal(ps.fields.excludedIssueTypes.overridden, false, 'an untouched field stays at its default');
  }
});

test('the project page is read-only: no settings, rule or destination control, only "Request backfill"', async () => {
  for (const tab of ['overview', 'flow', 'sync']) {
    const p = await page(`/project/PAY?tab=${tab}`);
    try {
      await p.waitForSelector('#app[data-loaded]');
      await p.waitForSelector(`button[data-tab=${tab}][aria-selected=true]`);
      if (tab === 'sync') await p.waitForSelector('[data-testid=backfill-request]');
      assert.equal(await p.locator('button[data-tab=settings]').count(), 0, 'no Settings tab');
      for (const id of ['tenant-settings', 'project-settings', 'save-tenant', 'save-project', 'alert-rules', 'rule-new', 'destinations', 'dest-new', 'backfill-any']) {
        assert.equal(await p.locator(`[data-testid=${id}]`).count(), 0, `${tab}: no ${id}`);
      }
      // What can be pressed: tabs, the window picker, Export CSV, chart toggles, and on Sync "Request backfill".
      // The only inputs are view controls: the "as of" date and the aging chart's "Include backlog".
      const forms = await p.locator('form, input:not([type=hidden]):not([data-testid=as-of]):not([data-testid=aging-backlog]), textarea').count();
      assert.equal(forms, 0, `${tab}: no form or input`);
      const buttons = await p.locator('button:not([role=tab])').allTextContents();
      const allowed = ['Export CSV', 'Request backfill', 'Lead time (created → done)', 'Cycle time (started → done)', 'today',
        // The run charts' series picker (runs.ts).
        'Throughput / day', 'Throughput / week', 'WIP', 'WIP age (total)', 'WIP age (average)'];
      for (const b of buttons) assert.ok(allowed.includes(b.trim()), `${tab}: unexpected button "${b}"`);
      if (tab === 'sync') {
        assert.deepEqual(buttons.filter((b) => b !== 'Export CSV' && b !== 'today'), ['Request backfill']);
        assert.match(await p.textContent('[data-testid=settings-hint]'), /Project settings → BottleneckIQ/);
      }
      assert.deepEqual(p.errors, []);
    } finally {
      await p.close();
    }
  }
});

test('the backfill progress bar advances to done', async () => {
  const inst = randomBytes(5).toString('hex'); // a fresh installation each run
  await stack.post(inst, '/forge/lifecycle', { eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/bf' });
  const gen = mkdtempSync(path.join(os.tmpdir(), 'biq-ui-gen-'));
  try {
    execFileSync(path.join(ROOT, 'build/biq'), ['gen', '--seed', '11', '--issues', '400', '--projects', '1', '--out', gen], { stdio: 'ignore' });
    const files = readdirSync(gen);
    const pages = files.filter((f) => /-page-\d+\.json$/.test(f)).sort();
    const key = pages[0].replace(/-page-.*/, '');
    const read = (f) => readFileSync(path.join(gen, f), 'utf8');
    await stack.post(inst, '/forge/catalog', `{"statuses":${read('statuses.json')},"sprints":${read('sprints.json')}}`, key);
    const total = pages.reduce((n, f) => n + JSON.parse(read(f)).issues.length, 0);
    await stack.post(inst, `/forge/backfill/${key}`, { total, fields: { storyPoints: 'customfield_10016', sprint: 'customfield_10020' } }, key);
    const p = await page(`/project/${key}?installation=${inst}&tab=sync`);
    await p.waitForSelector('[data-testid=backfill][data-percent]');
    const seen = [Number(await p.getAttribute('[data-testid=backfill]', 'data-percent'))];
    for (const f of pages) {
      await stack.post(inst, `/forge/backfill/${key}/page`, read(f), key);
      const last = seen[seen.length - 1];
      await p.waitForFunction((prev) => Number(document.querySelector('[data-testid=backfill]').dataset.percent) > prev, last, { timeout: 15000 });
      seen.push(Number(await p.getAttribute('[data-testid=backfill]', 'data-percent')));
    }
    for (const f of files.filter((x) => x.startsWith('changelog-'))) {
      await stack.post(inst, `/forge/issues/${f.slice(10, -5)}/changelog`, read(f), key);
    }
    // The backend settles the state on a page post only (a changelog page does
    // not): the Forge side delivers the last page again, which is idempotent.
    await stack.post(inst, `/forge/backfill/${key}/page`, read(pages[pages.length - 1]), key);
    const api = await stack.get(inst, `/api/v1/projects/${key}/dashboard`, key);
    await p.waitForFunction((st) => document.querySelector('[data-testid=backfill]').dataset.state === st, api.sync.backfill.state, { timeout: 15000 });
    assert.equal(seen[seen.length - 1], 100, `progress ${seen.join(' → ')}`);
    assert.ok(seen.length >= 3 && seen.every((v, i) => i === 0 || v > seen[i - 1]), `progress advances: ${seen.join(' → ')}`);
    assert.equal(api.sync.backfill.state, 'complete', 'the backend reports the backfill complete');
    await p.waitForSelector('[data-testid=backfill][data-state=complete]');
    await p.close();
  } finally {
    rmSync(gen, { recursive: true, force: true });
  }
});

test('"Request backfill" on the project page files a request the Forge side picks up', async () => {
  const inst = randomBytes(5).toString('hex');
  await stack.post(inst, '/forge/lifecycle', { eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/rq' });
  const p = await page(`/project/MOB?installation=${inst}&tab=sync`);
  try {
    await p.click('[data-testid=backfill-request]');
    await p.waitForSelector('[data-testid=backfill] .msg-ok', { timeout: 10000 });
    assert.match(await p.textContent('[data-testid=backfill] .msg-ok'), /Backfill requested/);
    const req = await stack.get(inst, '/forge/backfill/requests', 'MOB');
    assert.deepEqual(req.projects, ['MOB']);
  } finally {
    await p.close();
  }
});

test('the issue panel shows the API visits and total', async () => {
  const api = await stack.get('de00', '/api/v1/issues/PAY-12/time-in-status', 'PAY', 'PAY-12');
  const p = await page('/issue/PAY-12');
  await p.waitForSelector('[data-testid=issue-panel]');
  assert.equal(await p.locator('[data-testid=visit]').count(), api.visits.length);
  const durations = await p.locator('[data-testid=visit] [data-col=duration]').allTextContents();
  assert.deepEqual(durations, api.visits.map((v) => days(v.durationDays)));
  const statuses = await p.locator('[data-testid=visit] [data-col=status]').allTextContents();
  assert.deepEqual(statuses, api.visits.map((v) => v.status));
  assert.equal(await p.textContent('[data-testid=visits-total]'), days(api.totalDays));
  assert.match(await p.textContent('[data-testid=visits-total-label]'), api.doneAt ? /^Total up to done/ : /^Total so far, not done/);
  await p.setViewportSize({ width: 560, height: 600 });
  await p.screenshot({ path: path.join(ARTIFACTS, 'issue-panel.png'), fullPage: true });
  await p.close();
});

test('an expired token shows a readable message', async () => {
  const p = await page('/project/PAY?token=expired');
  const msg = await p.waitForSelector('[data-state=error]');
  assert.match(await msg.textContent(), /session has expired/);
  await p.close();
  const q = await page('/issue/PAY-12?token=expired');
  assert.match(await (await q.waitForSelector('[data-state=error]')).textContent(), /session has expired/);
  await q.close();
});

test('a backend that is down shows a readable message', async () => {
  const net = await import('node:net');
  const port = await new Promise((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const a = s.address().port; s.close(() => r(a)); }); });
  const host = await startDevhost({ port: 0, backend: `http://127.0.0.1:${port}`, keysDir: stack.keysDir, dist: path.join(ROOT, 'ui/dist'), appId: stack.appId });
  const p = await browser.newPage();
  try {
    await p.goto(`${host.url}/project/PAY`);
    const msg = await p.waitForSelector('[data-state=error]');
    assert.match(await msg.textContent(), /cannot be reached/);
  } finally {
    await p.close();
    await host.close();
  }
});

// NEEDS THE ISSUE-11 BACKEND (lead: verify after the merge). Until then the
// backend admits every valid token on every route, so the write below is
// accepted (200/201) and this test fails; with the caller classes it must be
// refused with 403 and nothing changed.
test('[issue-11 backend] a viewer token calling site-admin writes through the bridge gets the 403, shown readably', async () => {
  const before = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
  const destsBefore = await stack.get('de00', '/api/v1/alerts/destinations', 'PAY');
  try {
    await viewerWrites();
  } finally {
    const now = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
    if (now.version !== before.version) await stack.put('de00', '/api/v1/tenant/settings', { aiExplanations: null, notificationEmail: null }, 'PAY').catch(() => {});
    for (const d of await stack.get('de00', '/api/v1/alerts/destinations', 'PAY')) {
      if (!destsBefore.some((x) => x.id === d.id)) await stack.del('de00', `/api/v1/alerts/destinations/${d.id}`, 'PAY').catch(() => {});
    }
  }
  // Nothing changed (with the issue-11 backend the writes were refused: the clean-up above had nothing to undo).
  const after = await stack.get('de00', '/api/v1/tenant/settings', 'PAY');
  assert.deepEqual(after.fields, before.fields);
});

async function viewerWrites() {
  // 1. From the project page (its token: jira:projectPage, biq-project-page), straight through the bridge.
  const p = await page('/project/PAY');
  try {
    await p.waitForSelector('#app[data-loaded]');
    const answer = await p.evaluate(async () => {
      const r = await fetch('/__bridge/invoke', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: '/api/v1/tenant/settings', method: 'PUT', body: { aiExplanations: false, notificationEmail: 'x@example.com' }, page: '/project/PAY' }) });
      return r.json();
    });
    assert.equal(answer.status, 403, `the backend refuses a viewer's site-settings write: ${JSON.stringify(answer.body)}`);
    assert.equal(typeof answer.body?.error?.message, 'string', 'a JSON error naming the class that is needed');
  } finally {
    await p.close();
  }
  // 2. The admin page's own forms, but signed with the project page's token (?as=): the UI shows the refusal.
  const q = await page('/admin?as=biq-project-page&project=PAY');
  try {
    await q.waitForSelector('[data-testid=dest-new]');
    await q.click('[data-testid=dest-new]');
    await q.selectOption('[data-testid=dest-kind]', 'slack');
    await q.fill('[data-testid=dest-name]', 'Not mine to add');
    await q.fill('[data-testid=dest-target]', 'https://hooks.slack.com/services/T0000/B0000/viewer12');
    await q.click('[data-testid=dest-save]');
    const err = await q.waitForSelector('[data-testid=dest-form-msg] .msg-error');
    assert.match(await err.textContent(), /^You do not have permission to make this change here\./);
    assert.deepEqual(q.errors, []);
  } finally {
    await q.close();
  }
}

test('the aging chart draws the bands per status, the SLE line and each item\'s pace', async () => {
  await stack.put('de00', '/api/v1/projects/PAY/settings', { sle: { percentile: 85, days: 5 } }, 'PAY');
  let p;
  try {
    const api = await stack.get('de00', '/api/v1/projects/PAY/charts/wip-aging', 'PAY');
    assert.deepEqual(api.sle.setting, { percentile: 85, days: 5 });
    // The rectangles the chart must draw: per column with finished items, each
    // of 0..P50, P50..P70, P70..P85, P85..P95 that is not empty (ties draw none).
    const columns = new Set(api.items.map((i) => i.status));
    let rects = 0;
    for (const b of api.bands.statuses) {
      if (!columns.has(b.status) || b.n === 0) continue;
      const e = [0.01, b.p50Days, b.p70Days, b.p85Days, b.p95Days].map((v) => Math.max(0.01, v ?? 0.01));
      for (let k = 0; k < 4; k++) rects += e[k + 1] > e[k] ? 1 : 0;
    }
    assert.ok(rects > 0, 'the demo data has bands to draw');
    p = await page('/project/PAY?tab=flow');
    const box = '[data-testid=wip-aging-chart]';
    await p.waitForSelector(`${box}[data-points][data-bands] canvas`);
    assert.equal(await p.getAttribute(box, 'data-y-axis'), 'started');
    assert.equal(await p.getAttribute(box, 'data-bands'), String(rects));
    assert.equal(await p.getAttribute(box, 'data-sle'), '5');
    assert.equal(await p.getAttribute(box, 'data-at-risk'), String(api.items.filter((i) => i.atRisk).length));
    assert.equal(await p.textContent('[data-testid=aging-sle]'), ` · SLE: 85% within 5d, ${api.atRisk.length} at risk`);
    await p.locator('[data-testid=wip-aging]').screenshot({ path: path.join(ARTIFACTS, 'wip-aging-bands.png') });
    assert.deepEqual(p.errors, []);
  } finally {
    await stack.put('de00', '/api/v1/projects/PAY/settings', { sle: null }, 'PAY').catch(() => {});
    await p?.close();
  }
});
