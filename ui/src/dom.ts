/* dom.ts - a tiny element builder and number formatting shared by the screens. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

/** h('div', {class: 'x', onclick: fn}, ...children) */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** Days with two decimals at most, as the API gives them ("—" when absent). */
export function days(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return `${Number(v.toFixed(2))}d`;
}

export function num(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return String(Number(v.toFixed(digits)));
}

/** "+138%" / "−25.6%", capped at ±500% as the product asks. */
/** A change in percent, by the product's one rule (product.md, "Trends";
 * biq_flow_format_change in the backend): up to +500% as a percentage,
 * beyond it as a factor ("×12.7"); never clamped. */
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v > 500) return `×${(1 + v / 100).toFixed(1)}`;
  const s = `${Math.abs(Number(v.toFixed(1)))}%`;
  return (v > 0 ? '+' : v < 0 ? '−' : '') + s;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function ago(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 90) return 'just now';
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** A message block for loading / empty / error states. */
export function stateMsg(kind: 'loading' | 'empty' | 'error' | 'info', text: string, detail = ''): HTMLElement {
  return h('div', { class: `state-msg state-${kind}`, role: kind === 'error' ? 'alert' : 'status', 'data-state': kind },
    h('p', {}, text), detail ? h('p', { class: 'detail' }, detail) : null);
}

/** Replaces el's content with a success or error line (errors are announced). */
export function status(el: HTMLElement, kind: 'ok' | 'error', text: string): void {
  el.replaceChildren(h('span', { class: kind === 'ok' ? 'msg-ok' : 'msg-error', role: kind === 'error' ? 'alert' : 'status' }, text));
}
