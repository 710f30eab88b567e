// A small Jira REST client over an injected `requestJira` (production:
// `asApp().requestJira` from @forge/api) and `route` tagged template.
// Every call goes through withRetry; any other non-2xx is an error.
import { withRetry } from './retry.js';

/** A Jira answer that was not 2xx (after retries). */
export class JiraError extends Error {
  /** @param {string} what @param {number} status @param {string} body */
  constructor(what, status, body) {
    super(`${what}: Jira answered ${status}${body ? `: ${body.slice(0, 300)}` : ''}`);
    this.name = 'JiraError';
    this.status = status;
  }
}

/**
 * Builds the client.
 * @param {{requestJira: Function, sleep?: Function}} deps
 * @returns {{get: (r:any, what:string)=>Promise<any>, post: (r:any, body:any, what:string)=>Promise<any>}}
 *   `get`/`post` resolve to the parsed JSON body; they throw JiraError on a
 *   non-2xx answer and Error when 429/503 outlast the retries.
 */
export function createJira({ requestJira, sleep }) {
  async function call(r, init, what) {
    const response = await withRetry(() => requestJira(r, init), { sleep, what });
    if (response.status < 200 || response.status > 299) {
      const text = typeof response.text === 'function' ? await response.text() : '';
      throw new JiraError(what, response.status, text);
    }
    return response.json();
  }
  return {
    get: (r, what) => call(r, { method: 'GET', headers: { Accept: 'application/json' } }, what),
    post: (r, body, what) => call(r, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }, what),
  };
}
