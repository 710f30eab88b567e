/* settings.test.js - browser tests of the admin page (jira:adminPage) and the
 * project settings page (jira:projectSettingsPage): alert destinations
 * (validation, write-only target, "Send test"), alert rules (create bound to
 * a destination, edit, disable, delete; a project's own rules), Jira field
 * ids (override, default, reset), tenant-wide WIP limits (where the project
 * has none, and the project's own limit winning), and CJK text rendering. Same
 * set-up as ui.test.js (stack.js: a real backend with the demo data, the dev
 * host, headless Debian chromium at 1024 px). Screenshots go to
 * ui/test-artifacts/ (README's copies live in docs/screenshots/). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startStack } from './stack.js';
import { ARTIFACTS, launchBrowser, openPage } from './browser.js';

const SLACK_URL = 'https://hooks.slack.com/services/T0000/B0000/XyZ9abcd';
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

const api = {
  get: (p) => stack.get('de00', p, 'PAY'),
  post: (p, b) => stack.post('de00', p, b, 'PAY'),
  put: (p, b) => stack.put('de00', p, b, 'PAY'),
  del: (p) => stack.del('de00', p, 'PAY'),
};
const destRow = (name) => `[data-testid=dest-row][data-name="${name}"]`;
const ruleRow = (name) => `[data-testid=rule-row][data-name="${name}"]`;

/** Deletes every rule and destination (each test starts from none). */
async function clearAlerts() {
  for (const r of await api.get('/api/v1/alerts/rules')) await api.del(`/api/v1/alerts/rules/${r.id}`);
  for (const d of await api.get('/api/v1/alerts/destinations')) await api.del(`/api/v1/alerts/destinations/${d.id}`);
}

test('destinations: a refused webhook host shows the 422, the URL is write-only, "Send test" shows its result', async () => {
  await clearAlerts();
  const p = await page('/admin');
  try {
    await p.waitForSelector('[data-testid=dests-empty]');
    await p.click('[data-testid=dest-new]');
    await p.selectOption('[data-testid=dest-kind]', 'slack');
    await p.fill('[data-testid=dest-name]', 'Team Slack');
    await p.fill('[data-testid=dest-target]', 'https://example.com/x');
    await p.click('[data-testid=dest-save]');
    // The backend's own words, next to the form; nothing was created.
    const err = await p.waitForSelector('[data-testid=dest-form-msg] .msg-error');
    assert.equal(await err.textContent(), 'url: expected an https://hooks.slack.com/ webhook URL');
    assert.deepEqual(await api.get('/api/v1/alerts/destinations'), []);

    await p.fill('[data-testid=dest-target]', SLACK_URL);
    await p.click('[data-testid=dest-save]');
    await p.waitForSelector('[data-testid=dests-msg] .msg-ok');
    assert.equal(await p.isVisible('[data-testid=dest-form]'), false, 'the form closes');
    const row = p.locator(destRow('Team Slack'));
    assert.equal(await row.locator('[data-col=kind]').textContent(), 'Slack');
    assert.equal(await row.locator('[data-col=target]').textContent(), '…abcd');
    assert.equal(await row.locator('[data-col=lastTest]').textContent(), 'never');
    assert.match(await row.locator('[data-col=state]').textContent(), /^active$/);
    assert.ok(!(await p.content()).includes('XyZ9abcd'), 'the stored URL is never shown again');
    const [d] = await api.get('/api/v1/alerts/destinations');
    assert.equal(d.targetHint, 'abcd');

    // Slack cannot be reached from here: the failure must be readable.
    await p.click(`[data-testid=dest-test-${d.id}]`);
    const res = await p.waitForSelector('[data-testid=dest-test-result]', { timeout: 70000 });
    assert.equal(await res.getAttribute('data-ok'), 'false');
    const [after] = await api.get('/api/v1/alerts/destinations');
    assert.equal(after.lastTest.ok, false);
    assert.ok(after.lastTest.detail.length > 0);
    assert.match(await res.textContent(), new RegExp(`^Test to “Team Slack” failed after \\d attempts?: ${after.lastTest.detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`));
    await p.waitForFunction((sel) => document.querySelector(`${sel} [data-col=lastTest]`)?.textContent.startsWith('Failed'), destRow('Team Slack'));
    assert.match(await row.locator('[data-col=lastTest]').textContent(), new RegExp(`^Failed · ${after.lastTest.detail.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · `));
    assert.equal(await row.locator('[data-col=state]').textContent(), `active ${after.consecutiveFailures} failure${after.consecutiveFailures === 1 ? '' : 's'} in a row`);

    // Edit without a URL keeps the stored one; make it the tenant default.
    await p.click(`[data-testid=dest-edit-${d.id}]`);
    assert.equal(await p.inputValue('[data-testid=dest-target]'), '', 'the edit form never holds the stored URL');
    await p.fill('[data-testid=dest-name]', 'Team Slack (eng)');
    await p.check('[data-testid=dest-default]');
    await p.click('[data-testid=dest-save]');
    await p.waitForSelector(`${destRow('Team Slack (eng)')} [data-col=default] .lozenge`);
    const [edited] = await api.get('/api/v1/alerts/destinations');
    assert.equal(edited.targetHint, 'abcd');
    assert.equal(edited.isDefault, true);

    // A local receiver (the stack's fake webhook, admitted by BIQ_ALERT_HOSTS_EXTRA) shows the success path.
    if (stack.hook) {
      const fake = await api.post('/api/v1/alerts/destinations', { kind: 'slack', name: 'Local receiver', url: stack.hook.url('/services/T1/B1/fake9876') });
      await p.reload();
      await p.waitForSelector(destRow('Local receiver'));
      const before = stack.hook.received.length;
      await p.click(`[data-testid=dest-test-${fake.id}]`);
      const ok = await p.waitForSelector('[data-testid=dest-test-result][data-ok=true]');
      assert.equal(await ok.textContent(), 'Test message delivered to “Local receiver” (HTTP 200).');
      assert.equal(stack.hook.received.length, before + 1);
      assert.equal(stack.hook.received[before].path, '/services/T1/B1/fake9876');
      assert.match(JSON.parse(stack.hook.received[before].body).text, /BottleneckIQ test message/);
      assert.match(await p.locator(destRow('Local receiver')).locator('[data-col=lastTest]').textContent(), /^OK · HTTP 200 · /);
    }
    await p.locator('[data-testid=destinations]').screenshot({ path: path.join(ARTIFACTS, 'settings-destinations.png') });

    // Delete asks once more.
    await p.click(`[data-testid=dest-delete-${d.id}]`);
    assert.equal(await p.textContent(`[data-testid=dest-delete-${d.id}]`), 'Confirm delete');
    await p.click(`[data-testid=dest-delete-${d.id}]`);
    await p.waitForSelector(destRow('Team Slack (eng)'), { state: 'detached' });
    assert.ok(!(await api.get('/api/v1/alerts/destinations')).some((x) => x.id === d.id));
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await clearAlerts().catch(() => {});
  }
});

test('alert rules: a stuck-in-status rule bound to a destination is listed after reload, edited, disabled, deleted', async () => {
  await clearAlerts();
  const dest = await api.post('/api/v1/alerts/destinations', { kind: 'slack', name: 'Rules target', url: SLACK_URL });
  const dash = await api.get('/api/v1/projects/PAY/dashboard?window=30d');
  const st = dash.statuses.find((s) => s.role === 'active');
  const p = await page('/admin');
  try {
    await p.waitForSelector('[data-testid=rules-empty]');
    await p.click('[data-testid=rule-new]');
    assert.equal(await p.inputValue('[data-testid=rule-kind]'), 'stuck_in_status');
    await p.fill('[data-testid=rule-name]', 'Stuck in progress');
    // The admin page picks from the site's statuses (GET /tenant lists them);
    // a backend without that list makes it an id field.
    const picker = '[data-testid=rule-param\\.statusId]';
    if (await p.$eval(picker, (e) => e.tagName === 'SELECT')) await p.selectOption(picker, st.id);
    else await p.fill(picker, st.id);
    await p.fill('[data-testid=rule-param\\.thresholdHours]', '0');
    await p.fill('[data-testid=rule-cooldown]', '120');
    await p.check(`[data-testid=rule-dest-${dest.id}]`);
    await p.click('[data-testid=rule-save]');
    const err = await p.waitForSelector('[data-testid=rule-form-msg] .msg-error');
    assert.equal(await err.textContent(), 'params.thresholdHours: expected an integer from 1 to 8760');
    assert.deepEqual(await api.get('/api/v1/alerts/rules'), []);
    await p.fill('[data-testid=rule-param\\.thresholdHours]', '48');
    await p.click('[data-testid=rule-save]');
    await p.waitForSelector('[data-testid=rules-msg] .msg-ok');

    await p.reload();
    const row = p.locator(ruleRow('Stuck in progress'));
    await row.waitFor();
    assert.equal(await row.locator('[data-col=kind]').textContent(), 'Stuck in status');
    // GET /tenant lists the statuses: the condition names the status.
    assert.equal(await row.locator('[data-col=condition]').textContent(), `${st.name} for more than 48 h`);
    assert.equal(await row.locator('[data-col=project]').textContent(), 'All projects');
    assert.equal(await row.locator('[data-col=cooldown]').textContent(), '120 min');
    assert.equal(await row.locator('[data-col=destinations]').textContent(), 'Rules target');
    const [rule] = await api.get('/api/v1/alerts/rules');
    assert.deepEqual({ kind: rule.kind, name: rule.name, enabled: rule.enabled, params: rule.params, cooldownMinutes: rule.cooldownMinutes, destinationIds: rule.destinationIds },
      { kind: 'stuck_in_status', name: 'Stuck in progress', enabled: true, params: { statusId: Number(st.id), thresholdHours: 48 }, cooldownMinutes: 120, destinationIds: [dest.id] });

    // Edit: the form holds the rule; change the threshold and unbind (tenant defaults).
    await p.click(`[data-testid=rule-edit-${rule.id}]`);
    assert.equal(await p.inputValue('[data-testid=rule-param\\.thresholdHours]'), '48');
    assert.equal(await p.inputValue('[data-testid=rule-param\\.statusId]'), st.id);
    assert.equal(await p.isChecked(`[data-testid=rule-dest-${dest.id}]`), true);
    await p.fill('[data-testid=rule-param\\.thresholdHours]', '72');
    await p.uncheck(`[data-testid=rule-dest-${dest.id}]`);
    await p.locator('[data-testid=alert-rules]').screenshot({ path: path.join(ARTIFACTS, 'settings-alerts.png') });
    await p.click('[data-testid=rule-save]');
    await p.waitForFunction((sel) => document.querySelector(`${sel} [data-col=condition]`)?.textContent.endsWith('72 h'), ruleRow('Stuck in progress'));
    assert.equal(await row.locator('[data-col=destinations]').textContent(), 'tenant defaults');

    // Disable from the list.
    await p.uncheck(`[data-testid=rule-toggle-${rule.id}]`);
    await p.waitForFunction(() => /disabled\.$/.test(document.querySelector('[data-testid=rules-msg]')?.textContent ?? ''));
    const [edited] = await api.get('/api/v1/alerts/rules');
    assert.equal(edited.enabled, false);
    assert.deepEqual(edited.params, { statusId: Number(st.id), thresholdHours: 72 });
    assert.deepEqual(edited.destinationIds, []);

    // A kind with other params: trend worsening needs a metric (the 422 says so).
    await p.click('[data-testid=rule-new]');
    await p.selectOption('[data-testid=rule-kind]', 'trend_worsening');
    await p.click('[data-testid=rule-save]');
    assert.equal(await (await p.waitForSelector('[data-testid=rule-form-msg] .msg-error')).textContent(), 'params.metric: expected leadTime, timeInStatus, wip or throughput');
    await p.selectOption('[data-testid=rule-param\\.metric]', 'leadTime');
    await p.click('[data-testid=rule-save]');
    await p.waitForSelector(ruleRow('Trend worsening'));
    assert.equal(await p.locator(ruleRow('Trend worsening')).locator('[data-col=condition]').textContent(), 'Lead time worse by 30% or more (week on week)');

    await p.click(`[data-testid=rule-delete-${rule.id}]`);
    await p.click(`[data-testid=rule-delete-${rule.id}]`);
    await p.waitForSelector(ruleRow('Stuck in progress'), { state: 'detached' });
    assert.deepEqual((await api.get('/api/v1/alerts/rules')).map((r) => r.kind), ['trend_worsening']);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await clearAlerts().catch(() => {});
  }
});

test('field ids: a bad id shows the 422, an override shows its default and resets', async () => {
  const p = await page('/admin');
  try {
    await p.waitForSelector('[data-testid=input-fields\\.storyPoints]');
    assert.equal(await p.textContent('[data-testid=badge-fields\\.storyPoints]'), 'default');
    assert.equal(await p.isVisible('[data-testid=reset-fields\\.storyPoints]'), false);
    await p.fill('[data-testid=input-fields\\.storyPoints]', 'story points');
    await p.click('[data-testid=save-tenant]');
    const err = await p.waitForSelector('[data-testid=tenant-settings-msg] .msg-error');
    assert.match(await err.textContent(), /^fields\.storyPoints: /);
    assert.equal((await api.get('/api/v1/tenant/settings')).fields['fields.storyPoints'].overridden, false);

    await p.fill('[data-testid=input-fields\\.storyPoints]', 'customfield_10106');
    await p.click('[data-testid=save-tenant]');
    await p.waitForSelector('[data-testid=tenant-settings-msg] .msg-ok');
    assert.equal(await p.textContent('[data-testid=badge-fields\\.storyPoints]'), 'override');
    assert.equal(await p.textContent('[data-testid=default-fields\\.storyPoints]'), 'default: as discovered');
    assert.equal(await p.inputValue('[data-testid=input-fields\\.storyPoints]'), 'customfield_10106');
    assert.equal(await p.textContent('[data-testid=badge-fields\\.sprint]'), 'default', 'the other field stays at its default');
    const s = await api.get('/api/v1/tenant/settings');
    assert.deepEqual(s.fields['fields.storyPoints'], { value: 'customfield_10106', default: null, overridden: true });
    assert.equal(s.fields['fields.sprint'].overridden, false);

    await p.click('[data-testid=reset-fields\\.storyPoints]');
    await p.waitForFunction(() => document.querySelector('[data-testid=badge-fields\\.storyPoints]')?.textContent === 'default');
    assert.equal(await p.inputValue('[data-testid=input-fields\\.storyPoints]'), '');
    assert.equal((await api.get('/api/v1/tenant/settings')).fields['fields.storyPoints'].overridden, false);
    assert.deepEqual(p.errors, []);
  } finally {
    await api.put('/api/v1/tenant/settings', { fields: null }).catch(() => {});
    await p.close();
  }
});

test('a tenant-wide WIP limit shows where the project has none; the project limit wins', async () => {
  const dash = await api.get('/api/v1/projects/PAY/dashboard?window=30d');
  const aging = await api.get('/api/v1/projects/PAY/charts/wip-aging');
  // A status with work in flight (so the WIP-aging chart has its column), the bottleneck if it has some.
  const inFlight = (s) => aging.items.some((i) => String(i.statusId) === s.id);
  const st = dash.statuses.find((s) => s.id === dash.bottleneck.statusId && inFlight(s)) ?? dash.statuses.find((s) => s.role === 'active' && inFlight(s));
  const n = aging.items.filter((i) => String(i.statusId) === st.id).length;
  await api.put('/api/v1/projects/PAY/settings', { wipLimits: null });
  // The admin page (site admin): the tenant-wide limit. It has no project, so the status is added by id.
  const p = await page('/admin');
  let q, o;
  try {
    // The site's statuses (GET /tenant) are rows already; without that list
    // the status is added by id.
    await p.waitForSelector(`[data-testid=tenant-wip-limit-${st.id}], [data-testid=add-status-id]`);
    assert.match(await p.textContent('[data-testid=wip-precedence]'), /project's own limit for a status wins over the tenant-wide one/);
    if (!(await p.$(`[data-testid=tenant-wip-limit-${st.id}]`))) {
      await p.fill('[data-testid=add-status-id]', st.id);
      await p.click('[data-testid=add-status]');
    }
    await p.fill(`[data-testid=tenant-wip-limit-${st.id}]`, '2');
    await p.fill(`[data-testid=tenant-wip-breach-${st.id}]`, '90');
    await p.click('[data-testid=save-tenant]');
    await p.waitForSelector('[data-testid=tenant-settings-msg] .msg-ok');
    // After the save the row stays: the settings name the status now.
    assert.equal(await p.inputValue(`[data-testid=tenant-wip-limit-${st.id}]`), '2');
    const ts = await api.get('/api/v1/tenant/settings');
    assert.deepEqual(ts.fields.wipLimits.value.map((l) => [String(l.statusId), l.limit, l.breachMinutes]), [[st.id, 2, 90]]);
    const d2 = await api.get('/api/v1/projects/PAY/dashboard?window=30d');
    const row2 = d2.statuses.find((s) => s.id === st.id);
    assert.equal(row2.wip.limit, 2, 'the backend applies the tenant-wide limit');
    assert.deepEqual(p.errors, []);

    // The project settings page (project admin) shows it beside the project's own (none yet).
    q = await page('/project/PAY/settings');
    await q.waitForSelector(`[data-testid=wip-other-${st.id}]`);
    assert.equal(await q.textContent('[data-testid=badge-wipLimits]'), 'default', 'the project field is untouched');
    assert.equal(await q.textContent(`[data-testid=wip-other-${st.id}]`), '2 · alert after 90 min', 'the project table shows the tenant-wide limit');

    // The project page (viewer) shows it against the current WIP.
    o = await page('/project/PAY');
    const cell = `[data-testid=stages] tr[data-status-id="${st.id}"] [data-col=wipCurrent]`;
    await o.waitForFunction((sel) => / \/ 2$/.test(document.querySelector(sel)?.textContent ?? ''), cell, { timeout: 10000 });
    assert.equal(await o.textContent(cell), `${row2.wip.current} / 2`);
    if (d2.bottleneck.statusId === st.id) assert.match(await o.textContent('[data-testid=bd-wip]'), / \/ limit 2/);
    await o.click('button[data-tab=flow]');
    await o.waitForSelector('[data-testid=wip-aging-chart][data-points] canvas');
    assert.ok((await o.getAttribute('[data-testid=wip-aging-chart]', 'data-limits')).split(',').includes(`${st.id}:${n}/2`));
    assert.equal(await o.textContent(`[data-testid=wip-aging-limits] [data-status-id="${st.id}"]`), `${st.name} ${n} / 2`);
    await o.screenshot({ path: path.join(ARTIFACTS, 'flow-wip-limits.png'), fullPage: true });

    // The project's own limit wins.
    await q.fill(`[data-testid=wip-limit-${st.id}]`, '5');
    await q.click('[data-testid=save-project]');
    await q.waitForSelector('[data-testid=project-settings-msg] .msg-ok');
    await q.screenshot({ path: path.join(ARTIFACTS, 'project-settings.png'), fullPage: true });
    await o.reload();
    await o.waitForFunction((sel) => / \/ 5$/.test(document.querySelector(sel)?.textContent ?? ''), cell, { timeout: 10000 });
    assert.equal((await api.get('/api/v1/projects/PAY/dashboard?window=30d')).statuses.find((s) => s.id === st.id).wip.limit, 5);
    // The pages are usable at 1024 px: nothing wider than the viewport.
    for (const x of [p, q]) assert.ok(await x.evaluate(() => document.documentElement.scrollWidth <= 1024), 'no horizontal scroll at 1024 px');
    assert.deepEqual([...q.errors, ...o.errors], []);
  } finally {
    await api.put('/api/v1/tenant/settings', { wipLimits: null }).catch(() => {});
    await api.put('/api/v1/projects/PAY/settings', { wipLimits: null }).catch(() => {});
    for (const x of [p, q, o]) await x?.close();
  }
});

test('CJK status names of the real DevLake data render with a CJK font, not boxes', async () => {
  const d = await stack.get('de01', '/api/v1/projects/EE/dashboard?window=90d', 'EE');
  const cjk = d.statuses.map((s) => s.name).find((n) => /[\u3400-\u9fff]/.test(n));
  assert.ok(cjk, `the EE data has a CJK status name (${d.statuses.map((s) => s.name).join(', ')})`);
  const p = await page('/project/EE?installation=de01&window=90d');
  try {
    await p.waitForSelector('[data-testid=overview]');
    assert.ok((await p.locator('[data-testid=stages] [data-col=name]').allTextContents()).some((t) => t.startsWith(cjk)));
    // A glyph the fonts lack draws the same "not defined" box as an unassigned
    // code point; a real CJK glyph draws something else.
    const tofu = await p.evaluate((text) => {
      const draw = (s) => {
        const c = document.createElement('canvas');
        c.width = 64; c.height = 40;
        const g = c.getContext('2d');
        g.font = `28px ${getComputedStyle(document.body).fontFamily}`;
        g.fillText(s, 2, 30);
        return Array.from(g.getImageData(0, 0, 64, 40).data).join(',');
      };
      const notdef = draw('\u{10FFFD}\u{10FFFD}');
      // The detector itself: two other glyph-less code points do draw the box.
      return { boxes: draw(text.slice(0, 2)) === notdef, detects: draw('\u{F0000}\u{F0001}') === notdef };
    }, cjk);
    assert.equal(tofu.detects, true, 'the box detector recognises a missing glyph');
    assert.equal(tofu.boxes, false, `"${cjk}" renders as boxes: install fonts-noto-cjk (scripts/deps.sh)`);
    await p.screenshot({ path: path.join(ARTIFACTS, 'dashboard-devlake.png'), fullPage: true });
  } finally {
    await p.close();
  }
});

test('admin page: site settings, rules, destinations and the backfill panel; a setting saves', async () => {
  const inst = randomBytes(5).toString('hex'); // a fresh installation: its settings are its own
  await stack.post(inst, '/forge/lifecycle', { eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/adm' });
  const p = await page(`/admin?installation=${inst}`);
  try {
    await p.waitForSelector('#app[data-loaded] [data-testid=tenant-settings]');
    for (const id of ['site-settings', 'alert-rules', 'destinations', 'backfill-all', 'rule-new', 'dest-new', 'save-tenant']) {
      assert.ok(await p.isVisible(`[data-testid=${id}]`), `${id} visible`);
    }
    assert.equal(await p.getAttribute('body', 'data-module'), 'jira:adminPage');
    // A site setting: the notification e-mail, saved and shown as an override.
    await p.fill('input[name=notificationEmail]', 'flow-team@example.com');
    await p.click('[data-testid=save-tenant]');
    await p.waitForSelector('[data-testid=tenant-settings-msg] .msg-ok');
    assert.equal(await p.textContent('[data-testid=badge-notificationEmail]'), 'override');
    const s = await stack.get(inst, '/api/v1/tenant/settings', 'PAY');
    assert.deepEqual(s.fields.notificationEmail, { value: 'flow-team@example.com', default: null, overridden: true });
    await p.reload();
    await p.waitForSelector('[data-testid=badge-notificationEmail]');
    assert.equal(await p.inputValue('input[name=notificationEmail]'), 'flow-team@example.com', 'saved: it is there after a reload');
    await p.screenshot({ path: path.join(ARTIFACTS, 'admin-page.png'), fullPage: true });
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

// NEEDS THE ISSUE-11 BACKEND (lead: verify after the merge). The backend
// before issue 11 answers a backfill request only for the token's own project,
// and an admin page's token has none: 403 there.
test('[issue-11 backend] admin page: "Request backfill" of any project files the request', async () => {
  const inst = randomBytes(5).toString('hex');
  await stack.post(inst, '/forge/lifecycle', { eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/adb' });
  const p = await page(`/admin?installation=${inst}`);
  try {
    await p.fill('[data-testid=backfill-key]', 'mob');
    await p.click('[data-testid=backfill-any-request]');
    await p.waitForSelector('[data-testid=backfill-all-msg] .msg-ok');
    assert.match(await p.textContent('[data-testid=backfill-all-msg]'), /Backfill of MOB requested/);
    assert.deepEqual((await stack.get(inst, '/forge/backfill/requests', 'MOB')).projects, ['MOB']);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('project settings page: the project\'s settings save; destinations are listed read-only', async () => {
  await clearAlerts();
  const dest = await api.post('/api/v1/alerts/destinations', { kind: 'slack', name: 'Team channel', url: SLACK_URL });
  const p = await page('/project/PAY/settings');
  try {
    await p.waitForSelector('#app[data-loaded] [data-testid=project-settings]');
    assert.equal(await p.getAttribute('body', 'data-module'), 'jira:projectSettingsPage');
    // No site-wide settings and no destination controls here.
    for (const id of ['tenant-settings', 'save-tenant', 'dest-new', `dest-test-${dest.id}`, `dest-edit-${dest.id}`, `dest-delete-${dest.id}`]) {
      assert.equal(await p.locator(`[data-testid=${id}]`).count(), 0, `${id} absent`);
    }
    const row = p.locator(destRow('Team channel'));
    await row.waitFor();
    assert.equal(await row.locator('[data-col=target]').textContent(), '…abcd');
    await p.fill('[data-testid=input-excludedIssueTypes]', 'Epic');
    await p.click('[data-testid=save-project]');
    await p.waitForSelector('[data-testid=project-settings-msg] .msg-ok');
    const ps = await api.get('/api/v1/projects/PAY/settings');
    assert.deepEqual(ps.fields.excludedIssueTypes.value, ['Epic']);
    await p.reload();
    await p.waitForSelector('[data-testid=input-excludedIssueTypes]');
    assert.equal(await p.inputValue('[data-testid=input-excludedIssueTypes]'), 'Epic');
    await p.screenshot({ path: path.join(ARTIFACTS, 'project-settings-page.png'), fullPage: true });
    assert.deepEqual(p.errors, []);
  } finally {
    await api.put('/api/v1/projects/PAY/settings', { excludedIssueTypes: null }).catch(() => {});
    await p.close();
    await clearAlerts().catch(() => {});
  }
});

// NEEDS THE ISSUE-11 BACKEND (lead: verify after the merge). A rule made on
// the project settings page carries "projectKey": the backend before issue 11
// refuses that member (422 "projectKey: unknown field"), so this fails there.
test('[issue-11 backend] project settings page: a rule of the project bound to a destination a site admin made', async () => {
  await clearAlerts();
  const dest = await api.post('/api/v1/alerts/destinations', { kind: 'slack', name: 'Team channel', url: SLACK_URL });
  const p = await page('/project/PAY/settings');
  try {
    await p.waitForSelector('[data-testid=rules-empty]');
    assert.match(await p.textContent('[data-testid=alert-rules] h3'), /Alert rules of PAY/);
    await p.click('[data-testid=rule-new]');
    assert.equal(await p.locator('[data-testid=rule-project]').count(), 0, 'a project admin\'s rule is always of its project');
    await p.fill('[data-testid=rule-name]', 'PAY stuck');
    await p.fill('[data-testid=rule-param\\.thresholdHours]', '36');
    await p.check(`[data-testid=rule-dest-${dest.id}]`);
    await p.click('[data-testid=rule-save]');
    const res = await p.waitForSelector('[data-testid=rules-msg] .msg-ok, [data-testid=rule-form-msg] .msg-error');
    assert.equal(await res.getAttribute('class'), 'msg-ok', `the rule was refused: ${await res.textContent()}`);
    await p.reload();
    const row = p.locator(ruleRow('PAY stuck'));
    await row.waitFor();
    assert.equal(await row.locator('[data-col=destinations]').textContent(), 'Team channel');
    const [rule] = await api.get('/api/v1/alerts/rules');
    assert.equal(rule.projectKey, 'PAY');
    assert.deepEqual(rule.destinationIds, [dest.id]);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    await clearAlerts().catch(() => {});
  }
});

test('the project settings page shows the SLE suggestion and stores an SLE only when saved', async () => {
  await api.put('/api/v1/projects/PAY/settings', { sle: null });
  const before = await api.get('/api/v1/projects/PAY/settings');
  const sug = before.suggestions.sle;
  assert.ok(sug, 'the demo data suggests an SLE');
  const q = await page('/project/PAY/settings');
  try {
    await q.waitForSelector('[data-testid=sle-suggestion]');
    assert.equal(await q.textContent('[data-testid=sle-suggestion]'),
      `Suggested from the last ${sug.basisDays} days: ${sug.percentile}% within ${sug.days} days (P85 of ${sug.n} cycle times). Not applied until you save it.`);
    assert.equal(await q.textContent('[data-testid=badge-sle]'), 'default');
    assert.equal(await q.inputValue('[data-testid=input-sle-percentile]'), '');
    // Saving something else leaves the SLE unset.
    await q.fill('[data-testid=input-excludedIssueTypes]', 'Epic');
    await q.click('[data-testid=save-project]');
    await q.waitForSelector('[data-testid=project-settings-msg] .msg-ok');
    assert.equal((await api.get('/api/v1/projects/PAY/settings')).fields.sle.value, null);
    // A bad SLE is refused with the backend's words; a good one is stored.
    await q.fill('[data-testid=input-sle-percentile]', '100');
    await q.fill('[data-testid=input-sle-days]', '7');
    await q.click('[data-testid=save-project]');
    await q.waitForSelector('[data-testid=project-settings-msg] .msg-error');
    assert.match(await q.textContent('[data-testid=project-settings-msg]'), /sle: percentile must be an integer between 50 and 99/);
    await q.fill('[data-testid=input-sle-percentile]', '85');
    await q.click('[data-testid=save-project]');
    await q.waitForSelector('[data-testid=badge-sle]:text("override")');
    assert.deepEqual((await api.get('/api/v1/projects/PAY/settings')).fields.sle.value, { percentile: 85, days: 7 });
    await q.screenshot({ path: path.join(ARTIFACTS, 'project-settings-sle.png'), fullPage: true });
    assert.deepEqual(q.errors, []);
  } finally {
    await api.put('/api/v1/projects/PAY/settings', { sle: null, excludedIssueTypes: null }).catch(() => {});
    await q.close();
  }
});
