/**
 * Strict IP address parsing and formatting. Every address is held as eight 16-bit words; IPv4 is held
 * IPv4-mapped (`::ffff:a.b.c.d`), so an IPv4 peer and its mapped IPv6 spelling are the same value by bits,
 * whatever text produced them. Anything that is not exactly an address (hostnames, `unknown`, ports,
 * whitespace, leading zeros, zone ids) is refused: junk must never become a rate-limit key or a trusted hop.
 */

/** Eight 16-bit words, most significant first. */
export type IpWords = Uint16Array;

const MAX_V4_TEXT = 15;
const MAX_V6_TEXT = 45;

function parseV4Into(text: string, start: number, end: number, out: IpWords, at: number): boolean {
  let part = 0;
  let digits = 0;
  let value = 0;
  let hi = 0;
  for (let i = start; i <= end; i++) {
    const c = i === end ? 46 : text.charCodeAt(i);
    if (c === 46 /* . */) {
      // Leading zeros are refused: some stacks read `010` as octal, so two parsers would disagree.
      if (part === 4 || digits === 0 || value > 255) return false;
      if (digits > 1 && text.charCodeAt(i - digits) === 48) return false;
      if (part === 0 || part === 2) hi = value;
      else out[at + (part >> 1)] = (hi << 8) | value;
      part++;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else return false;
  }
  return part === 4;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function parseV6(text: string): IpWords | undefined {
  const out = new Uint16Array(8);
  const n = text.length;
  let word = 0; // words written so far
  let gap = -1; // word index where `::` sits
  let i = 0;
  if (text.charCodeAt(0) === 58 /* : */) {
    if (text.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
    if (i === n) return out; // `::`
  }
  while (i < n) {
    if (word === 8) return undefined;
    let value = 0;
    let digits = 0;
    const groupStart = i;
    while (i < n) {
      const d = hexDigit(text.charCodeAt(i));
      if (d === -1) break;
      if (++digits > 4) return undefined;
      value = (value << 4) | d;
      i++;
    }
    if (i < n && text.charCodeAt(i) === 46 /* . */) {
      // Embedded IPv4 in the last 32 bits.
      if (word > 6 || !parseV4Into(text, groupStart, n, out, word)) return undefined;
      word += 2;
      i = n;
      break;
    }
    if (digits === 0) return undefined;
    out[word++] = value;
    if (i === n) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (text.charCodeAt(i) === 58) {
      if (gap !== -1) return undefined;
      gap = word;
      i++;
      if (i === n) break;
    } else if (i === n) return undefined; // trailing single colon
  }
  if (gap === -1) return word === 8 ? out : undefined;
  if (word > 7) return undefined;
  // Shift the words after `::` to the end.
  const tail = word - gap;
  for (let k = 0; k < tail; k++) {
    out[7 - k] = out[word - 1 - k]!;
    out[word - 1 - k] = 0;
  }
  return out;
}

/**
 * Parse an IPv4 or IPv6 address strictly. Returns `undefined` for anything else.
 *
 * @example
 * parseIp('::ffff:102:304') // same words as parseIp('1.2.3.4')
 * parseIp('999.1.1.1') // undefined
 */
export function parseIp(text: string): IpWords | undefined {
  const n = text.length;
  if (n === 0 || n > MAX_V6_TEXT) return undefined;
  if (text.indexOf(':') === -1) {
    if (n > MAX_V4_TEXT) return undefined;
    const out = new Uint16Array(8);
    out[5] = 0xffff;
    return parseV4Into(text, 0, n, out, 6) ? out : undefined;
  }
  return parseV6(text);
}

/**
 * True when the words are an IPv4(-mapped) address: decided by bits, not by spelling.
 *
 * @example
 * isV4(parseIp('::ffff:1.2.3.4')!) // true
 */
export function isV4(words: IpWords): boolean {
  return (
    words[0] === 0 &&
    words[1] === 0 &&
    words[2] === 0 &&
    words[3] === 0 &&
    words[4] === 0 &&
    words[5] === 0xffff
  );
}

/**
 * Canonical text of an address: dotted quad for IPv4(-mapped), RFC 5952 for IPv6 (lowercase, no leading
 * zeros, the longest run of two or more zero words compressed, the first one on a tie).
 *
 * @example
 * formatIp(parseIp('2001:DB8:0:0:1:0:0:1')!) // '2001:db8::1:0:0:1'
 */
export function formatIp(words: IpWords): string {
  if (isV4(words)) {
    const a = words[6]!;
    const b = words[7]!;
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    text += words[i]!.toString(16);
    if (i < 7) text += ':';
  }
  return text;
}

/**
 * Zero every bit after the first `bits` (0–128). Returns a new value.
 *
 * @example
 * formatIp(maskIp(parseIp('2001:db8:1:2:3:4:5:6')!, 64)) // '2001:db8:1:2::'
 */
export function maskIp(words: IpWords, bits: number): IpWords {
  const out = new Uint16Array(8);
  for (let i = 0; i < 8; i++) {
    const left = bits - i * 16;
    if (left >= 16) out[i] = words[i]!;
    else if (left > 0) out[i] = words[i]! & (0xffff << (16 - left));
  }
  return out;
}

/**
 * True when `words` lies in `network`/`bits` (bits counted on the 128-bit form; IPv4 /n is 96 + n).
 *
 * @example
 * inPrefix(parseIp('10.1.2.3')!, parseIp('10.0.0.0')!, 104) // true
 */
export function inPrefix(words: IpWords, network: IpWords, bits: number): boolean {
  let i = 0;
  let left = bits;
  for (; left >= 16; left -= 16, i++) if (words[i] !== network[i]) return false;
  if (left === 0) return true;
  const mask = (0xffff << (16 - left)) & 0xffff;
  return (words[i]! & mask) === network[i];
}
