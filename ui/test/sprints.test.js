/* sprints.test.js - browser tests of issue #15's screens against the real
 * backend with the demo data (stack.js): the Sprints tab's report, the
 * Overview's flow efficiency panel and the issue panel's flagged and
 * blocked spans, each checked against the API's own answer. Screenshots go
 * to ui/test-artifacts/. Run: cd ui && node --test test/sprints.test.js. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startStack } from './stack.js';
import { ARTIFACTS, launchBrowser, openPage } from './browser.js';

let stack, browser;

/** The UI's share format (efficiency.ts share()). */
const share = (v) => (v === null || v === undefined ? '—' : `${Math.round(v * 100)}%`);
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

async function assertReport(p, r) {
  await p.waitForSelector(`[data-testid=sprint-report][data-sprint-id="${r.id}"]`);
  const value = (id) => p.textContent(`[data-testid=${id}-value]`);
  assert.equal(await value('sprint-committed'), String(r.committed));
  assert.equal(await value('sprint-added'), String(r.added));
  assert.equal(await value('sprint-removed'), String(r.removed));
  assert.equal(await value('sprint-completed'), String(r.completed));
  assert.equal(await value('sprint-carried'), String(r.carriedOver));
  assert.equal(await value('sprint-ratio'), share(r.completionRatio));
  assert.equal(await p.locator('[data-testid=scope-change]').count(), r.timeline.length);
  assert.equal(await p.locator('[data-testid=sprint-item]').count(), r.items.filter((i) => !i.doneBeforeStart).length);
  assert.equal(await p.isVisible('[data-testid=sprint-approximate]'), r.approximate);
}

test('the Sprints tab shows each sprint report as the API gives it', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/sprints/report', 'PAY');
  assert.ok(api.sprints.length > 1, 'the demo project has sprints');
  assert.ok(api.sprints.filter((s) => s.active).length <= 1);
  const p = await page('/project/PAY');
  await p.waitForSelector('[data-testid=overview]');
  // The tab appears once the page knows the project has sprints.
  await p.waitForSelector('[data-tab=sprints]');
  await p.click('[data-tab=sprints]');
  await p.waitForSelector('[data-testid=sprint-picker]');
  const options = await p.locator('[data-testid=sprint-picker] option').count();
  assert.equal(options, api.sprints.length);
  const newest = api.sprints[api.sprints.length - 1];
  await assertReport(p, newest);
  await p.screenshot({ path: path.join(ARTIFACTS, 'sprint-report.png'), fullPage: true });
  const closed = api.sprints.find((s) => !s.active && s.committed > 0) ?? api.sprints[0];
  await p.selectOption('[data-testid=sprint-picker]', closed.id);
  await assertReport(p, closed);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('the Overview shows flow efficiency with its trend and blocked share', async () => {
  const api = await stack.get('de00', '/api/v1/projects/PAY/dashboard?window=90d', 'PAY');
  assert.ok(api.efficiency, 'the dashboard has efficiency');
  const p = await page('/project/PAY?window=90d');
  await p.waitForSelector('[data-testid=efficiency]');
  if (api.efficiency.n === 0) {
    assert.ok(await p.isVisible('[data-testid=efficiency-empty]'));
  } else {
    assert.equal(await p.textContent('[data-testid=efficiency-value]'), share(api.efficiency.value));
    assert.equal(await p.textContent('[data-testid=efficiency-mean]'), share(api.efficiency.meanOfRatios));
    assert.equal(await p.textContent('[data-testid=efficiency-blocked]'), share(api.efficiency.blockedShare));
    const prev = api.efficiency.previous.value;
    const delta = prev === null ? '' : String(Math.round(api.efficiency.value * 100) - Math.round(prev * 100));
    assert.equal(await p.getAttribute('[data-testid=efficiency-trend]', 'data-delta'), delta);
  }
  await p.locator('[data-testid=efficiency]').screenshot({ path: path.join(ARTIFACTS, 'efficiency-panel.png') });
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('the issue panel shows the flagged and blocked spans of the API', async () => {
  // A blocked item when the aging chart has one; else any issue (then the
  // panel must say it was never blocked, when the API says so).
  const aging = await stack.get('de00', '/api/v1/projects/PAY/charts/wip-aging', 'PAY');
  const key = aging.items.find((i) => i.blocked)?.key ?? 'PAY-12';
  const api = await stack.get('de00', `/api/v1/issues/${key}/time-in-status`, 'PAY', key);
  assert.ok(api.blocked, 'the panel answer has blocked spans');
  const p = await page(`/issue/${key}`);
  await p.waitForSelector('[data-testid=issue-panel]');
  if (api.blocked.spans.length === 0) {
    assert.ok(await p.isVisible('[data-testid=blocked-none]'));
  } else {
    assert.equal(await p.locator('[data-testid=flag-span]').count(), api.blocked.flagged.length);
    assert.equal(await p.locator('[data-testid=link-span]').count(), api.blocked.links.length);
    assert.match(await p.textContent('[data-testid=blocked-total]'), new RegExp(`^Blocked ${days(api.blocked.blockedDays).replace('.', '\\.')} in all`));
  }
  await p.setViewportSize({ width: 560, height: 700 });
  await p.screenshot({ path: path.join(ARTIFACTS, 'issue-panel-blocked.png'), fullPage: true });
  assert.deepEqual(p.errors, []);
  await p.close();
});
