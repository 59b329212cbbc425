/**
 * Splitting the forwarding headers into hops. Each hop is the address text a proxy wrote, or `undefined`
 * when the element is junk (empty, `unknown`, an obfuscated `_name`, a hostname, stray whitespace); the
 * resolver never trusts or keys on a junk hop.
 */

/**
 * The elements of an `X-Forwarded-For` value, left to right. Only spaces around commas are trimmed;
 * tabs or spaces inside an element make it junk. With `stripPorts`, `1.2.3.4:80` and `[::1]:80` give
 * their address (some load balancers append the client port); without it they are junk.
 *
 * @example
 * forwardedForHops('203.0.113.9, 10.0.0.2', false) // ['203.0.113.9', '10.0.0.2']
 */
export function forwardedForHops(value: string, stripPorts: boolean): (string | undefined)[] {
  const parts = value.split(',');
  const out: (string | undefined)[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const hop = trimSpaces(parts[i]!);
    out[i] = hop === '' ? undefined : stripPorts ? withoutPort(hop) : hop;
  }
  return out;
}

/**
 * The right-most `max` elements of an `X-Forwarded-For` value, right to left, without splitting the
 * whole header: a client may send thousands of elements and only the right end is ever read.
 *
 * @example
 * lastForwardedForHops('6.6.6.6, 203.0.113.9, 10.0.0.2', false, 2) // ['10.0.0.2', '203.0.113.9']
 */
export function lastForwardedForHops(
  value: string,
  stripPorts: boolean,
  max: number,
): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let end = value.length;
  while (out.length < max) {
    const comma = end === 0 ? -1 : value.lastIndexOf(',', end - 1);
    const hop = trimSpaces(value.slice(comma + 1, end));
    out.push(hop === '' ? undefined : stripPorts ? withoutPort(hop) : hop);
    if (comma === -1) break;
    end = comma;
  }
  return out;
}

function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 32) a++;
  while (b > a && s.charCodeAt(b - 1) === 32) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const PORT = /^[0-9]{1,5}$/;

/** `[v6]:port` / `[v6]` / `v4:port` → address text; anything else unchanged (the IP parser judges it). */
function withoutPort(hop: string): string | undefined {
  if (hop.charCodeAt(0) === 91 /* [ */) {
    const close = hop.indexOf(']');
    if (close === -1) return undefined;
    const rest = hop.slice(close + 1);
    if (rest !== '' && !(rest.charCodeAt(0) === 58 && PORT.test(rest.slice(1)))) return undefined;
    return hop.slice(1, close);
  }
  const colon = hop.indexOf(':');
  if (colon !== -1 && colon === hop.lastIndexOf(':')) {
    return PORT.test(hop.slice(colon + 1)) ? hop.slice(0, colon) : undefined;
  }
  return hop;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const OBFUSCATED_PORT = /^_[A-Za-z0-9._-]+$/;

/**
 * The `for=` node of each RFC 7239 `Forwarded` element, left to right, with the port removed (the RFC
 * grammar carries ports explicitly: `for="[2001:db8::17]:4711"`, `for=192.0.2.43`). Elements are split on
 * every comma: a `for` node never contains one, so a hop appended by a proxy is recovered even after a
 * client's malformed element.
 *
 * @example
 * forwardedHeaderHops('for=192.0.2.43, for="[2001:db8:cafe::17]:4711"') // ['192.0.2.43', '2001:db8:cafe::17']
 */
export function forwardedHeaderHops(value: string): (string | undefined)[] {
  const elements = value.split(',');
  const out: (string | undefined)[] = new Array(elements.length);
  for (let i = 0; i < elements.length; i++) out[i] = forNode(elements[i]!);
  return out;
}

/**
 * The right-most `max` nodes of a `Forwarded` value, right to left, without splitting the whole header
 * (the same hops as {@link forwardedHeaderHops}, reversed and cut): a client may send thousands of elements
 * and only the right end, written by your proxies, is ever read.
 *
 * @example
 * lastForwardedHeaderHops('for=6.6.6.6, for=203.0.113.9', 1) // ['203.0.113.9']
 */
export function lastForwardedHeaderHops(value: string, max: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let end = value.length;
  while (out.length < max) {
    const comma = end === 0 ? -1 : value.lastIndexOf(',', end - 1);
    out.push(forNode(value.slice(comma + 1, end)));
    if (comma === -1) break;
    end = comma;
  }
  return out;
}

/**
 * Longest `Forwarded` element read. A real one (`for`, `by`, `proto` and a 253-octet `host`, quoted, with
 * ports) stays well under it; anything longer is junk without being split or scanned.
 */
export const MAX_FORWARDED_ELEMENT = 512;

const isOws = (c: number): boolean => c === 32 || c === 9;

// A loop rather than /^[ \t]+|[ \t]+$/g: that regex retries `[ \t]+$` at every space of a run, so a
// header of n spaces costs n² steps (16 KB of spaces held the event loop for 0.7 s).
function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isOws(s.charCodeAt(a))) a++;
  while (b > a && isOws(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function forNode(element: string): string | undefined {
  if (element.length > MAX_FORWARDED_ELEMENT) return undefined;
  let node: string | undefined;
  for (const rawPair of element.split(';')) {
    const pair = trimOws(rawPair);
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const name = pair.slice(0, eq);
    if (!TOKEN.test(name)) return undefined;
    if (name.toLowerCase() !== 'for') continue;
    if (node !== undefined) return undefined; // two `for` in one element: ambiguous
    const raw = pair.slice(eq + 1);
    let v: string;
    if (raw.charCodeAt(0) === 34 /* " */) {
      if (raw.length < 2 || raw.charCodeAt(raw.length - 1) !== 34) return undefined;
      v = raw.slice(1, -1).replace(/\\(.)/g, '$1');
    } else {
      if (!TOKEN.test(raw)) return undefined;
      v = raw;
    }
    node = v;
  }
  return node === undefined ? undefined : nodeAddress(node);
}

/** RFC 7239 §6: node = nodename [ ":" node-port ]; nodename = IPv4 / "[" IPv6 "]" / "unknown" / obfnode. */
function nodeAddress(node: string): string | undefined {
  let name = node;
  let port = '';
  if (node.charCodeAt(0) === 91 /* [ */) {
    const close = node.indexOf(']');
    if (close === -1) return undefined;
    name = node.slice(1, close);
    const rest = node.slice(close + 1);
    if (rest !== '') {
      if (rest.charCodeAt(0) !== 58) return undefined;
      port = rest.slice(1);
    }
    if (name.indexOf(':') === -1) return undefined; // brackets are for IPv6 only
  } else {
    const colon = node.indexOf(':');
    if (colon !== -1) {
      name = node.slice(0, colon);
      port = node.slice(colon + 1);
      if (port.indexOf(':') !== -1) return undefined; // an unbracketed IPv6 is not valid here
    }
  }
  if (port !== '' && !PORT.test(port) && !OBFUSCATED_PORT.test(port)) return undefined;
  return name;
}
