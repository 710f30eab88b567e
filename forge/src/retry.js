// Retry of HTTP calls answered 429/503: honours Retry-After (seconds or an
// HTTP date), else capped exponential backoff. The sleep is injected so
// tests run instantly and can assert the waits.
import { BACKOFF_BASE_MS, BACKOFF_CAP_MS, MAX_RETRIES, RETRYABLE_STATUSES } from './limits.js';

/** Resolves after `ms` milliseconds (the production sleep). */
export const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Milliseconds to wait before retry number `attempt` (0-based).
 * A valid Retry-After wins (capped); otherwise base * 2^attempt, capped.
 * @param {string|null|undefined} retryAfter the header's value
 * @param {number} attempt retries already made
 * @param {number} [nowMs] clock, for HTTP-date values
 * @returns {number}
 */
export function backoffMs(retryAfter, attempt, nowMs = Date.now()) {
  if (retryAfter != null && String(retryAfter).trim() !== '') {
    const text = String(retryAfter).trim();
    if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, BACKOFF_CAP_MS);
    const at = Date.parse(text);
    if (!Number.isNaN(at)) return Math.min(Math.max(at - nowMs, 0), BACKOFF_CAP_MS);
  }
  return Math.min(BACKOFF_BASE_MS * 2 ** attempt, BACKOFF_CAP_MS);
}

/** Reads a header from a fetch-like Headers object or a plain object. */
function header(response, name) {
  const h = response && response.headers;
  if (!h) return null;
  if (typeof h.get === 'function') return h.get(name);
  const key = Object.keys(h).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? null : h[key];
}

/**
 * Calls `send()` until its response is not 429/503 or the retries run out.
 * @param {() => Promise<{status:number, headers:any}>} send one attempt
 * @param {{sleep?: (ms:number)=>Promise<void>, maxRetries?: number, what?: string,
 *          statuses?: readonly number[]}} [opts] statuses: which answers to retry (default 429, 503)
 * @returns {Promise<any>} the first non-retryable response
 * @throws {Error} when every attempt was answered with a retryable status (message names `what`)
 */
export async function withRetry(send, {
  sleep = realSleep, maxRetries = MAX_RETRIES, what = 'request', statuses = RETRYABLE_STATUSES,
} = {}) {
  for (let attempt = 0; ; attempt++) {
    const response = await send();
    if (!statuses.includes(response.status)) return response;
    if (attempt >= maxRetries) {
      throw new Error(`${what}: still ${response.status} after ${maxRetries} retries`);
    }
    await sleep(backoffMs(header(response, 'retry-after'), attempt));
  }
}
