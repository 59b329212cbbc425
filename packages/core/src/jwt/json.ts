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
  return hasDuplicateKeys(text, value) ? undefined : (value as Record<string, unknown>);
}

const BACKSLASH = 92;
const COLON = 58;
const QUOTE = 34;

/**
 * True when some object in `text` (valid JSON, already checked by `JSON.parse`) names a member twice.
 * Names are compared after unescaping, so `"a"` and `"\u0061"` are the same name.
 *
 * Every object in the text becomes exactly one parsed object, whose own keys are the distinct names of
 * its members, so the text holds a duplicate exactly when it has more member names than the parsed value
 * has own keys. Counting both sides needs no set of names and no copy of one (the claims set of every
 * request goes through here). `value` is `JSON.parse(text)` when the caller already has it.
 *
 * @example
 * hasDuplicateKeys('{"a":1,"a":2}') // true
 */
export function hasDuplicateKeys(text: string, value: unknown = JSON.parse(text)): boolean {
  return memberNamesInText(text) !== ownKeysInValue(value);
}

/**
 * {@link hasDuplicateKeys} of a text given as its UTF-8 bytes, `bytes[0..end)`, where the caller still has
 * them (the node back end decodes the claims into a scratch buffer): the same count, read byte by byte,
 * ~3x cheaper than the text's quote search on Node 20 and 24. A multi-byte UTF-8 sequence holds no byte
 * below 0x80, so quotes, backslashes, colons and whitespace are the text's own.
 *
 * @example
 * hasDuplicateKeysInBytes(Buffer.from('{"a":1,"a":2}'), 13, { a: 2 }) // true
 */
export function hasDuplicateKeysInBytes(bytes: Uint8Array, end: number, value: unknown): boolean {
  return memberNamesInBytes(bytes, end) !== ownKeysInValue(value);
}

/** Strings followed by `:` in the bytes of valid JSON text: the member names. */
function memberNamesInBytes(b: Uint8Array, end: number): number {
  let names = 0;
  let i = 0;
  while (i < end) {
    if (b[i++] !== QUOTE) continue;
    // Inside a string, to the quote that closes it: a backslash escapes the byte after it.
    while (i < end) {
      const c = b[i++];
      if (c === QUOTE) break;
      if (c === BACKSLASH) i++;
    }
    let c = b[i];
    while (i < end && (c === 32 || c === 9 || c === 10 || c === 13)) c = b[++i];
    if (i < end && c === COLON) {
      names++;
      i++;
    }
  }
  return names;
}

/** Strings followed by `:` in valid JSON text: the member names. */
function memberNamesInText(text: string): number {
  let names = 0;
  let open = text.indexOf('"');
  while (open !== -1) {
    let close = text.indexOf('"', open + 1);
    // A quote preceded by an odd run of backslashes is escaped and does not end the string.
    while (text.charCodeAt(close - 1) === BACKSLASH) {
      let b = close - 1;
      while (text.charCodeAt(b - 1) === BACKSLASH) b--;
      if ((close - b) % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    let next = close + 1;
    let c = text.charCodeAt(next);
    while (c === 32 || c === 9 || c === 10 || c === 13) c = text.charCodeAt(++next);
    if (c === COLON) names++;
    open = text.indexOf('"', next);
  }
  return names;
}

// The walk's stack, reused: the walk calls nothing that could re-enter it, and it is left empty.
const pending: unknown[] = [];

/**
 * Own keys of every object in a parsed JSON value (iterative: a deeply nested value is no stack risk). An
 * object parsed from JSON has one own enumerable value per own key, so `Object.values` counts its keys and
 * hands over what to descend into in one native call (no keyed load per member).
 */
function ownKeysInValue(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let keys = 0;
  let v: unknown = value;
  for (;;) {
    const items = Array.isArray(v) ? v : Object.values(v as object);
    if (items !== v) keys += items.length;
    for (let i = 0; i < items.length; i++) {
      const item: unknown = items[i];
      if (typeof item === 'object' && item !== null) pending.push(item);
    }
    if (pending.length === 0) return keys;
    v = pending.pop();
  }
}
