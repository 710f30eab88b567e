/* main.ts - entry point: reads the module context and mounts the project
 * page or the issue panel. */
import './styles.css';
import { getContext } from './bridge';
import { mountProjectPage } from './projectPage';
import { renderIssuePanel } from './issuePanel';
import { stateMsg } from './dom';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  try {
    const ctx = await getContext();
    const issue = ctx.extension?.issue?.key;
    const project = ctx.extension?.project?.key;
    if (issue) {
      document.body.classList.add('is-panel');
      await renderIssuePanel(root, issue);
    } else if (project) {
      mountProjectPage(root, project);
    } else {
      root.replaceChildren(stateMsg('error', 'Open BottleneckIQ from a Jira project or issue.'));
    }
  } catch (e) {
    root.replaceChildren(stateMsg('error', 'BottleneckIQ could not start.', e instanceof Error ? e.message : String(e)));
  }
}
void start();
