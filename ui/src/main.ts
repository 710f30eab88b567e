/* main.ts - entry point: one bundle (resource `main`) serves the four Jira
 * modules; the module context (view.getContext(): extension.type, moduleKey)
 * says which surface this is.
 *   jira:projectPage          biq-project-page      read-only dashboard, "Request backfill"
 *   jira:issuePanel           biq-issue-panel       time in status of the issue
 *   jira:projectSettingsPage  biq-project-settings  the project's settings and alert rules
 *   jira:adminPage            biq-admin-page        site settings, destinations, all rules, backfill */
import './styles.css';
import { getContext, type ModuleContext } from './bridge';
import { mountProjectPage } from './projectPage';
import { renderIssuePanel } from './issuePanel';
import { mountProjectSettingsPage } from './projectSettingsPage';
import { mountAdminPage } from './adminPage';
import { stateMsg } from './dom';

const BY_KEY: Record<string, string> = {
  'biq-project-page': 'jira:projectPage', 'biq-issue-panel': 'jira:issuePanel',
  'biq-project-settings': 'jira:projectSettingsPage', 'biq-admin-page': 'jira:adminPage',
};

/** The module type: the extension's own type, else the one our manifest gives the module key. */
export function moduleType(ctx: ModuleContext): string {
  return ctx.extension?.type ?? BY_KEY[ctx.moduleKey] ?? (ctx.extension?.issue ? 'jira:issuePanel' : ctx.extension?.project ? 'jira:projectPage' : '');
}

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  try {
    const ctx = await getContext();
    const issue = ctx.extension?.issue?.key;
    const project = ctx.extension?.project?.key;
    const type = moduleType(ctx);
    document.body.dataset.module = type;
    if (type === 'jira:issuePanel' && issue) {
      document.body.classList.add('is-panel');
      await renderIssuePanel(root, issue);
    } else if (type === 'jira:projectPage' && project) {
      mountProjectPage(root, project);
    } else if (type === 'jira:projectSettingsPage' && project) {
      await mountProjectSettingsPage(root, project);
    } else if (type === 'jira:adminPage') {
      await mountAdminPage(root);
    } else {
      root.replaceChildren(stateMsg('error', 'Open BottleneckIQ from a Jira project, an issue, the project settings or Jira settings → Apps.'));
    }
  } catch (e) {
    root.replaceChildren(stateMsg('error', 'BottleneckIQ could not start.', e instanceof Error ? e.message : String(e)));
  }
}
void start();
