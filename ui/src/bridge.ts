/* bridge.ts - the one door to the backend: invoke(path, method, body).
 *
 * Inside Jira (the UI runs in Forge's iframe) it is @forge/bridge's
 * invokeRemote, which signs the call with a FIT of the module the page is
 * (project page, issue panel, project settings page, admin page); outside
 * Jira (the dev host, tools/devhost) it is POST /__bridge/invoke, which signs
 * with the dev key as that module. Both resolve to {status, headers, body}.
 *
 * Paths are relative to the UI API: invoke('/projects/K/dashboard') reaches
 * the backend's /api/v1/projects/K/dashboard. The prefix is added here, in
 * one place: Forge appends an invokeRemote path to the remote's base URL and
 * documents no route prefix for a UI module's resolver endpoint (the
 * endpoint's route.path is for trigger endpoints only; docs/platform.md). */

export interface RemoteResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ModuleContext {
  moduleKey: string;
  extension: { type?: string; project?: { id: string; key: string }; issue?: { id: string; key: string } };
}

/** The backend's UI API; every path given to invoke() is under it. */
export const API_PREFIX = '/api/v1';

/** True inside Jira's iframe; the dev host serves the UI as a top-level page. */
export const inJira = (): boolean => window.self !== window.top;

/** Thrown when the remote cannot be reached at all (not an HTTP error answer). */
export class UnreachableError extends Error {}

export async function invoke(apiPath: string, method = 'GET', body?: unknown): Promise<RemoteResponse> {
  if (!apiPath.startsWith('/')) throw new UnreachableError(`path: "${apiPath}" must start with /`);
  const path = API_PREFIX + apiPath;
  if (inJira()) {
    const { invokeRemote } = await import('@forge/bridge');
    try {
      const r = await invokeRemote({ path, method, ...(body === undefined ? {} : { body }) } as never);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
      return { status: r.status, headers, body: r.body };
    } catch (e) {
      throw new UnreachableError(e instanceof Error ? e.message : String(e));
    }
  }
  let r: Response;
  try {
    r = await fetch('/__bridge/invoke', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path, method, body, page: location.pathname + location.search }),
      signal: AbortSignal.timeout(26_000),
    });
  } catch (e) {
    throw new UnreachableError(`the dev host does not answer (${e instanceof Error ? e.message : e})`);
  }
  const answer = await r.json().catch(() => null);
  if (!r.ok || answer === null) {
    const msg = answer?.error?.message ?? `dev host answered ${r.status}`;
    throw new UnreachableError(msg);
  }
  return answer as RemoteResponse;
}

/** The module context: view.getContext() in Jira, /__bridge/context in dev. */
export async function getContext(): Promise<ModuleContext> {
  if (inJira()) {
    const { view } = await import('@forge/bridge');
    return (await view.getContext()) as unknown as ModuleContext;
  }
  const r = await fetch(`/__bridge/context?page=${encodeURIComponent(location.pathname + location.search)}`);
  const body = await r.json();
  if (!r.ok) throw new Error(body?.error?.message ?? `context: ${r.status}`);
  return body as ModuleContext;
}

/** Opens an issue: Jira's router inside Jira, the dev host's issue page outside. */
export async function openIssue(key: string): Promise<void> {
  if (inJira()) {
    const { router } = await import('@forge/bridge');
    await router.open(`/browse/${encodeURIComponent(key)}`);
  } else {
    window.open(`/issue/${encodeURIComponent(key)}${location.search}`, '_blank');
  }
}

/** A link to the admin page (Jira settings → Apps → BottleneckIQ) with query
 * parameters; null inside Jira, where the admin page's URL is the site's
 * (the UI then names the path in words). */
export function adminHref(q: Record<string, string>): string | null {
  if (inJira()) return null;
  const cur = new URLSearchParams(location.search);
  const out = new URLSearchParams();
  const inst = cur.get('installation');
  if (inst) out.set('installation', inst);
  for (const [k, v] of Object.entries(q)) if (v) out.set(k, v);
  const s = out.toString();
  return `/admin${s ? `?${s}` : ''}`;
}
