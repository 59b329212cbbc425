/**
 * Parse a JSON object the way a JOSE header or claims set must be parsed: strict JSON, a top-level
 * object, and no member name twice in any object. `JSON.parse` keeps the last duplicate silently, so
 * `{"sub":"alice","sub":"admin"}` would mean one thing to us and another to a parser that keeps the first
 * (RFC 7515 §5.2 and RFC 7519 §7.2 let us reject such input, and we do).
 *
 * @example
 * parseJsonObject('{"alg":"RS256"}') // { alg: 'RS256' }
 * parseJsonObject('{"a":1,"a":2}')  // undefined
 */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return hasDuplicateKeys(text) ? undefined : (value as Record<string, unknown>);
}

const QUOTE = 34;
const BACKSLASH = 92;

/**
 * True when some object in `text` (valid JSON, already checked by `JSON.parse`) names a member twice.
 * Names are compared after unescaping, so `"a"` and `"\u0061"` are the same name.
 *
 * @example
 * hasDuplicateKeys('{"a":1,"a":2}') // true
 */
export function hasDuplicateKeys(text: string): boolean {
  // One entry per open container: a Set of names for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      let escaped = false;
      i++;
      while (i < len) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) {
          escaped = true;
          i += 2;
          continue;
        }
        if (d === QUOTE) break;
        i++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const name = escaped ? (JSON.parse(text.slice(start - 1, i + 1)) as string) : text.slice(start, i);
        if (top.has(name)) return true;
        top.add(name);
        expectKey = false;
      }
    } else if (c === 123 /* { */) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 91 /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      expectKey = stack[stack.length - 1] != null;
    }
  }
  return false;
}
