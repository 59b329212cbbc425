import { ConfigError } from '../errors.js';

// Controls (C0, DEL, C1), format characters (soft hyphen, zero-width, bidi overrides, BOM) and every space
// or line/paragraph separator. URL and IDNA parsing drop or map several of them without a word, so
// `'https://app.example.com\t'` would quietly become another string than the one written.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Z}]/u;

const HIDDEN_ALL = /[\p{Cc}\p{Cf}\p{Z}]/gu;

/** The value quoted, with every hidden character as a `\uXXXX` escape, so the message shows it. */
function shown(value: string): string {
  return `"${value.replace(HIDDEN_ALL, (c) => (c === ' ' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`))}"`;
}

const NAMES: Readonly<Record<number, string>> = {
  0: 'a NUL',
  9: 'a tab',
  10: 'a line feed',
  13: 'a carriage return',
  32: 'a space',
  160: 'a no-break space',
  173: 'a soft hyphen',
  8203: 'a zero-width space',
  65279: 'a byte order mark',
};

/**
 * Refuse a configured string that contains a control, format or whitespace character: origins, header
 * names, RegExp sources and the like never legitimately do, and the parsers they go through would drop or
 * rewrite the character silently. Throws a {@link ConfigError} naming the character and its offset.
 *
 * @example
 * checkVisible('cors.origins[0]', 'https://app.example.com\t'); // ConfigError: contains a tab (U+0009) at offset 23
 */
export function checkVisible(path: string, value: string): void {
  const m = HIDDEN.exec(value);
  if (m === null) return;
  const code = m[0].codePointAt(0)!;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    NAMES[code] ??
    (code < 0x20 || (code >= 0x7f && code <= 0x9f) ? 'a control character' : 'an invisible character');
  throw new ConfigError(
    path,
    `${shown(value.slice(0, 100))} contains ${name} (${hex}) at offset ${m.index}; it would be dropped or rewritten silently`,
    'remove it: write the value exactly as it is sent on the wire',
  );
}
