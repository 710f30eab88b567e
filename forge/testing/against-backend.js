// Manual end-to-end check (not run by `node --test`): the backfill and the
// catalogue against a real running backend, with the fake Jira replaying the
// devlake payloads. invokeRemote becomes an HTTP call with a fresh FIT per
// call, signed by `biq-dev token` (as scripts/run.sh does).
//
//   node forge/testing/against-backend.js BASE_URL BIQ_DEV KEYS_DIR KID APP_ID INSTALLATION
import { execFileSync } from 'node:child_process';
import { route } from '@forge/api';
import { createJira } from '../src/jira.js';
import { createBackend } from '../src/backend.js';
import { backfillAll } from '../src/backfill.js';
import { fakeJira } from './fakes.js';

const [base, biqDev, keys, kid, appId, installation] = process.argv.slice(2);
if (!installation) {
  console.error('usage: against-backend.js BASE_URL BIQ_DEV KEYS_DIR KID APP_ID INSTALLATION');
  process.exit(2);
}

/** invokeRemote over HTTP: the remote's baseUrl + path, a new FIT each call. */
async function invokeRemote(_key, { path, method, headers, body }) {
  const token = execFileSync(biqDev, ['token', keys, kid, appId, installation], { encoding: 'utf8' }).trim();
  return fetch(base + path, { method, body, headers: { ...headers, Authorization: `Bearer ${token}` } });
}

const answers = [];
const jira = createJira({ requestJira: fakeJira().requestJira, sleep: async () => {} });
const inner = createBackend({ invokeRemote });
const backend = Object.fromEntries(Object.entries(inner).map(([name, fn]) => [name, async (...args) => {
  const answer = await fn(...args);
  answers.push({ call: name, arg: typeof args[0] === 'string' ? args[0] : '', answer });
  return answer;
}]));
await backend.register({ eventType: 'avi:forge:installed:app', context: 'ari:cloud:jira::site/e2e' });
const result = await backfillAll({ jira, route, backend, log: console.error }, { projectKeys: ['EE', 'K5'] });
for (const a of answers) console.log(a.call, a.arg, JSON.stringify(a.answer));
console.log(JSON.stringify({ projects: result.projects, failed: result.failed }, null, 1));
process.exit(result.failed.length ? 1 : 0);
