import { ConfigError } from '../errors.js';
import type { HeaderList, HeaderPair } from '../verdict.js';

/**
 * Refuse characters that would split or smuggle a header: CR, LF, NUL and other controls, and anything
 * outside ASCII. Node refuses non-Latin-1 at write time (at request time; we refuse it at startup), and the
 * Latin-1 rest (C1 controls, no-break space, soft hyphen) is invisible in a config file and read differently
 * by different recipients.
 */
export function checkHeaderText(option: string, value: string): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7e || c < 0x20) {
      throw new ConfigError(
        option,
        c > 0x7f
          ? `contains a non-ASCII character (U+${c.toString(16).toUpperCase().padStart(4, '0')}) at offset ${i}`
          : `contains a control character (U+${c.toString(16).toUpperCase().padStart(4, '0')}: CR, LF, NUL…) at offset ${i}`,
        'use plain ASCII; encode international domain names as punycode and percent-encode URLs',
      );
    }
  }
}

/** Same as {@link checkHeaderText}, and also refuse the list separators `;` and `,`. */
export function checkListItem(option: string, value: string): void {
  checkHeaderText(option, value);
  if (value.includes(';') || value.includes(',')) {
    throw new ConfigError(
      option,
      `'${value}' contains ';' or ',' which would start a new directive or policy`,
      'give each value as its own list item',
    );
  }
}

/** Freeze a header list so a shared precomputed policy can never be edited by one request. */
export function freezePairs(pairs: HeaderPair[]): HeaderList {
  for (const p of pairs) Object.freeze(p);
  return Object.freeze(pairs);
}
