/* sprints.ts - the Sprints tab (issue #15): each closed and the active
 * sprint's report: committed at the start, added and removed during it,
 * completed, carried over (for the active one: not done yet), the completion
 * ratio, the scope-change timeline and the items; a report the changelog
 * cannot fully tell is marked approximate with the reasons
 * (docs/metrics.md, "Sprint report"). */
import { api, ApiError, type SprintReport } from './api';
import { dateTime, h, stateMsg } from './dom';
import { share } from './efficiency';

function reasons(r: SprintReport): string {
  const a = r.approximateReasons;
  const parts = [
    a.truncatedHistory ? `${a.truncatedHistory} issue${a.truncatedHistory === 1 ? '' : 's'} with a truncated changelog` : '',
    a.sprintFieldMissing ? `${a.sprintFieldMissing} without the Sprint field` : '',
    a.historyGap ? `${a.historyGap} with an unreadable Sprint change` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

const count = (label: string, testid: string, v: number | string) =>
  h('div', { 'data-testid': testid }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value', 'data-testid': `${testid}-value` }, String(v)));

const flagsOf = (i: SprintReport['items'][number]): string =>
  [i.committed ? 'committed' : '', i.added ? 'added' : '', i.removed ? 'removed' : '', i.completed ? 'completed' : '', i.carriedOver ? 'not completed' : '']
    .filter(Boolean).join(', ');

function report(r: SprintReport): HTMLElement {
  const listed = r.items.filter((i) => !i.doneBeforeStart);
  const apart = r.items.filter((i) => i.doneBeforeStart);
  return h('div', { class: 'sprint-report', 'data-testid': 'sprint-report', 'data-sprint-id': r.id },
    h('p', { class: 'subtle', 'data-testid': 'sprint-dates' }, `${r.active ? 'Active' : 'Closed'} · ${dateTime(r.start)} → ${dateTime(r.end)}${r.active ? ' (so far)' : ''}`),
    r.approximate ? h('div', { class: 'banner banner-warning', role: 'status', 'data-testid': 'sprint-approximate' },
      'Approximate: the changelog cannot tell this sprint’s membership for every issue (', reasons(r), ').') : null,
    h('section', { class: 'card' }, h('div', { class: 'tiles' },
      count('Committed at start', 'sprint-committed', r.committed),
      count('Added during', 'sprint-added', r.added),
      count('Removed during', 'sprint-removed', r.removed),
      count('Completed', 'sprint-completed', r.completed),
      count(r.active ? 'Not done yet' : 'Carried over', 'sprint-carried', r.carriedOver),
      count('Completion', 'sprint-ratio', share(r.completionRatio)))),
    h('section', { class: 'card', 'data-testid': 'sprint-timeline' }, h('h3', {}, 'Scope changes'),
      r.timeline.length === 0 ? h('p', { class: 'subtle' }, 'No issue joined or left after the start.') :
        h('ul', {}, ...r.timeline.map((e) => h('li', { 'data-testid': 'scope-change', 'data-change': e.change },
          h('span', { class: `lozenge ${e.change === 'added' ? 'lozenge-inprogress' : 'lozenge-removed'} small` }, e.change), ` ${e.key} · ${dateTime(e.at)}`)))),
    h('section', { class: 'card', 'data-testid': 'sprint-items' }, h('h3', {}, `Issues (${listed.length})`),
      h('table', { class: 'stages' }, h('tbody', {}, ...listed.map((i) => h('tr', { 'data-testid': 'sprint-item' }, h('td', {}, i.key), h('td', {}, flagsOf(i))))))),
    apart.length ? h('p', { class: 'subtle', 'data-testid': 'sprint-done-before' }, `Already done at the start, not counted: ${apart.map((i) => i.key).join(', ')}`) : null);
}

export function renderSprints(key: string, asOf: string | null): HTMLElement {
  const root = h('div', { class: 'sprints', 'data-testid': 'sprints' }, stateMsg('loading', 'Loading the sprint reports…'));
  api.sprintReport(key, asOf).then((rs) => {
    if (rs.sprints.length === 0) { root.replaceChildren(stateMsg('empty', 'This project has no closed or active sprint.')); return; }
    const newestFirst = [...rs.sprints].reverse();
    const body = h('div', {});
    const picker = h('select', { 'aria-label': 'Sprint', 'data-testid': 'sprint-picker' },
      ...newestFirst.map((r) => h('option', { value: r.id }, `${r.name ?? r.id}${r.active ? ' (active)' : ''}`))) as HTMLSelectElement;
    const show = () => body.replaceChildren(report(newestFirst.find((r) => r.id === picker.value) ?? newestFirst[0]));
    picker.addEventListener('change', show);
    root.replaceChildren(h('label', {}, 'Sprint ', picker), body);
    show();
  }, (e) => root.replaceChildren(stateMsg('error', e instanceof ApiError ? e.message : String(e))));
  return root;
}
