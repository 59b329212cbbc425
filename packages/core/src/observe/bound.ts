import type { SecurityEvent } from '../events.js';

/** Longest operator detail kept (characters). */
export const MAX_DETAIL = 512;
/** Longest path kept: paths are chosen by whoever sends the request. */
export const MAX_PATH = 256;
/** Longest string value kept in `data`. */
export const MAX_DATA_STRING = 128;
/** Most entries kept of a `data` array, and most `data` members. */
export const MAX_DATA_ITEMS = 16;

// C0/C1 controls, DEL and the line/paragraph separators: a request must never forge a log line.
const isControl = (c: number): boolean =>
  c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029;

function withoutControls(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isControl(text.charCodeAt(i))) continue;
    out += `${text.slice(from, i)}?`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * A string made safe to log: control characters (CR, LF, ESC…) replaced by `?`, cut to `max` characters
 * with a marker saying how much was dropped.
 *
 * @example
 * boundText('/a\nINFO fake', 64) // '/a?INFO fake'
 */
export function boundText(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}…(+${text.length - max})` : text;
  return withoutControls(cut);
}

function boundValue(value: unknown): unknown {
  if (typeof value === 'string') return boundText(value, MAX_DATA_STRING);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) {
    const kept = value
      .slice(0, MAX_DATA_ITEMS)
      .map((v) => (typeof v === 'object' ? undefined : boundValue(v)));
    return value.length > MAX_DATA_ITEMS ? [...kept, `…(+${value.length - MAX_DATA_ITEMS})`] : kept;
  }
  // Objects, functions, errors: their contents are not known to be bounded or safe; dropped.
  return undefined;
}

/**
 * The event as it may leave bulwark: every string bounded and free of control characters, `data` flat
 * (strings, numbers, booleans, short arrays of those), the rule that reported it named.
 *
 * @example
 * boundEvent({ type: 'jwt.rejected', path: '/x'.repeat(1000) }, 'jwt').path!.length // 256 + a marker
 */
export function boundEvent(event: SecurityEvent, rule: string | undefined): SecurityEvent {
  const out: { -readonly [K in keyof SecurityEvent]: SecurityEvent[K] } = { type: event.type };
  const named = event.rule ?? rule;
  if (named !== undefined) out.rule = named;
  if (event.code !== undefined) out.code = event.code;
  if (event.detail !== undefined) out.detail = boundText(String(event.detail), MAX_DETAIL);
  if (event.method !== undefined) out.method = boundText(String(event.method), 16);
  if (event.path !== undefined) out.path = boundText(String(event.path), MAX_PATH);
  if (event.data !== undefined && event.data !== null && typeof event.data === 'object') {
    const data: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of Object.entries(event.data)) {
      if (n++ >= MAX_DATA_ITEMS) break;
      const b = boundValue(v);
      if (b !== undefined) data[boundText(k, 32)] = b;
    }
    out.data = data;
  }
  return out;
}
