/* issuePanel.ts - the jira:issuePanel: one row per visit (entered, status,
 * duration, "current" on the open one), the total up to done and, for a done
 * issue, the time since done apart (it is not part of the issue's flow);
 * then the time it was flagged or blocked by an open issue, with its spans
 * (issue #15). */
import { api, ApiError, type Blocked } from './api';
import { days, dateTime, h, stateMsg } from './dom';

/** Flagged and blocked spans; null when the backend sends none. */
function blockedSection(b: Blocked | undefined): HTMLElement | null {
  if (!b) return null;
  if (b.spans.length === 0) return h('p', { class: 'subtle', 'data-testid': 'blocked-none' }, 'Never flagged or blocked by an open issue.');
  const until = (s: { end: string | null; open: boolean }) => (s.open ? 'now' : dateTime(s.end));
  return h('div', { 'data-testid': 'blocked' },
    h('p', { 'data-testid': 'blocked-total' }, `Blocked ${days(b.blockedDays)} in all (flagged ${days(b.flaggedDays)}, blocked by an open issue ${days(b.blockedByLinkDays)}; overlaps counted once)`,
      b.blockedNow ? h('span', { class: 'lozenge lozenge-removed small', 'data-testid': 'blocked-now' }, b.flaggedNow ? 'flagged' : 'blocked') : null),
    h('ul', {}, ...b.flagged.map((s) => h('li', { 'data-testid': 'flag-span' }, `Flagged ${dateTime(s.start)} → ${until(s)}`)),
      ...b.links.map((s) => h('li', { 'data-testid': 'link-span' }, `Blocked by ${s.blockerKey ?? `issue ${s.blockerId} (not loaded)`} ${dateTime(s.start)} → ${until(s)}`))));
}

export async function renderIssuePanel(root: HTMLElement, issueKey: string): Promise<void> {
  root.replaceChildren(stateMsg('loading', 'Loading time in status…'));
  try {
    const v = await api.timeInStatus(issueKey);
    if (v.visits.length === 0) { root.replaceChildren(stateMsg('empty', 'No status history for this issue yet.')); return; }
    root.replaceChildren(h('div', { class: 'issue-panel', 'data-testid': 'issue-panel' },
      h('table', { class: 'visits' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Entered'), h('th', {}, 'Status'), h('th', { class: 'num' }, 'Duration'), h('th', {}, ''))),
        h('tbody', {}, ...v.visits.map((x) => h('tr', { class: x.current ? 'current' : '', 'data-testid': 'visit' },
          h('td', {}, dateTime(x.entered)), h('td', { 'data-col': 'status' }, x.status),
          h('td', { class: 'num', 'data-col': 'duration' }, days(x.durationDays)),
          h('td', {}, x.current ? h('span', { class: 'lozenge lozenge-inprogress small' }, 'current') : '')))),
        h('tfoot', {},
          h('tr', {}, h('th', { colspan: 2, 'data-testid': 'visits-total-label' }, v.doneAt ? `Total up to done (${v.visits.length} visits)` : `Total so far, not done (${v.visits.length} visits)`),
            h('th', { class: 'num', 'data-testid': 'visits-total' }, days(v.totalDays)), h('th', {}, '')),
          v.doneAt ? h('tr', { class: 'since-done', 'data-testid': 'since-done' },
            h('td', { colspan: 2 }, `Since done (${dateTime(v.doneAt)}), not counted above`),
            h('td', { class: 'num', 'data-testid': 'since-done-days' }, days(v.sinceDoneDays ?? null)), h('td', {}, '')) : null)),
      blockedSection(v.blocked)));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404 && e.code !== 'not_installed') {
      root.replaceChildren(stateMsg('empty', 'BottleneckIQ has no history for this issue yet (or its type is excluded).'));
      return;
    }
    root.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e)));
  }
}
