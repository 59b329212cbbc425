import { ConfigError } from '../errors.js';
import type { RequestLike } from '../http/request.js';

/** A serialised origin split into its parts. `port` is '' for the scheme's default port. */
export interface ParsedOrigin {
  readonly scheme: string;
  readonly host: string;
  readonly port: string;
}

/** Longest Origin header we look at: a DNS name is at most 253 octets, so a real origin fits easily. */
export const MAX_ORIGIN_LENGTH = 300;

// The exact form browsers serialise: lowercase scheme and host, no default port, no path.
const SERIALISED =
  /^([a-z][a-z0-9+.-]*):\/\/([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::([1-9][0-9]{0,4}))?$/;
const DEFAULT_PORT: Record<string, string> = { http: '80', https: '443' };

/**
 * Parse a request `Origin` exactly as browsers serialise it. Anything else (uppercase, default port
 * spelled out, a path, two origins, an over-long value) is `undefined`: a browser never sends it.
 *
 * @example
 * parseRequestOrigin('https://app.example.com:8443') // { scheme: 'https', host: 'app.example.com', port: '8443' }
 */
export function parseRequestOrigin(origin: string): ParsedOrigin | undefined {
  if (origin.length > MAX_ORIGIN_LENGTH) return undefined;
  const m = SERIALISED.exec(origin);
  if (m === null) return undefined;
  const port = m[3] ?? '';
  if (port !== '' && (Number(port) > 65535 || DEFAULT_PORT[m[1]!] === port)) return undefined;
  return { scheme: m[1]!, host: m[2]!, port };
}

/**
 * Whether the request carried more than one `Origin` field line (refused: a browser sends one, and two let a
 * proxy and this server read different origins). `origin` is `req.header('origin')`, which joins repeats with
 * ", " (RequestLike's contract, and what node's HTTP/1 parser and its HTTP/2 compatibility layer do for
 * Origin, empty values included): a value without a comma came from one field line, so the raw header list is
 * scanned only when there is a comma. The property test (repeated-origin.property.test.ts) holds this to the
 * full scan over requests parsed by node.
 *
 * @example
 * if (originRepeated(req.header('origin')!, req)) return deny;
 */
export function originRepeated(origin: string, req: RequestLike): boolean {
  if (origin.indexOf(',') === -1) return false;
  return req.headerValues !== undefined && req.headerValues('origin').length > 1;
}

/**
 * Normalise a configured origin (`HTTPS://App.Example.com:443` → `https://app.example.com`). A path,
 * a trailing slash, credentials, a query or a non-http(s) scheme is a {@link ConfigError}.
 *
 * @example
 * normaliseOrigin('https://App.example.com:443', 'cors.origins[0]') // 'https://app.example.com'
 */
export function normaliseOrigin(value: string, path: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (scheme === null) {
    throw new ConfigError(
      path,
      `'${value}' is not an origin`,
      "write scheme://host[:port], e.g. 'https://app.example.com'",
    );
  }
  const rest = value.slice(scheme[0].length);
  if (/[/?#]/.test(rest)) {
    throw new ConfigError(
      path,
      `'${value}' has a path, query or trailing slash; an Origin header never does, so it would never match`,
      `write '${value.slice(0, scheme[0].length) + rest.split(/[/?#]/)[0]}'`,
    );
  }
  if (rest.includes('@'))
    throw new ConfigError(path, `'${value}' contains credentials`, 'write scheme://host[:port]');
  const s = scheme[1]!.toLowerCase();
  if (s !== 'http' && s !== 'https') {
    throw new ConfigError(
      path,
      `scheme '${s}' has no tuple origin`,
      'use an http(s) origin, or a RegExp for extension origins',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(path, `'${value}' is not a valid origin`, "e.g. 'https://app.example.com'");
  }
  const origin = url.origin;
  if (parseRequestOrigin(origin) === undefined) {
    throw new ConfigError(
      path,
      `'${value}' does not normalise to an origin a browser would send`,
      "e.g. 'https://app.example.com'",
    );
  }
  return origin;
}

/** A `scheme://*.example.com[:port]` rule: exactly one extra leftmost label, compared label by label. */
export interface WildcardRule {
  readonly scheme: string;
  /** `.example.com`: the fixed labels, with their leading dot. */
  readonly suffix: string;
  readonly port: string;
}

/**
 * Parse `https://*.example.com`. The `*` must be the whole leftmost label and at least two fixed labels
 * must follow (`https://*.com` would trust every site).
 *
 * @example
 * parseWildcard('https://*.example.com', 'cors.origins[1]') // { scheme: 'https', suffix: '.example.com', port: '' }
 */
export function parseWildcard(value: string, path: string): WildcardRule {
  const m = /^([a-z]+):\/\/\*\.(.+)$/i.exec(value);
  if (m === null || m[2]!.includes('*')) {
    throw new ConfigError(
      path,
      `'${value}': '*' is only allowed as the whole leftmost label`,
      "write 'https://*.example.com'",
    );
  }
  const fixed = parseRequestOrigin(normaliseOrigin(`${m[1]}://${m[2]}`, path))!;
  if (/^[0-9.]+$|^\[/.test(fixed.host) || !fixed.host.includes('.')) {
    throw new ConfigError(
      path,
      `'${value}' would match too broadly`,
      'give at least two fixed labels after *., e.g. https://*.example.com',
    );
  }
  return { scheme: fixed.scheme, suffix: `.${fixed.host}`, port: fixed.port };
}

/**
 * True when `origin` is one label plus the rule's suffix, with the same scheme and port.
 *
 * @example
 * matchWildcard(rule, parseRequestOrigin('https://app.example.com')!) // true
 */
export function matchWildcard(rule: WildcardRule, origin: ParsedOrigin): boolean {
  if (origin.scheme !== rule.scheme || origin.port !== rule.port) return false;
  const h = origin.host;
  if (h.length <= rule.suffix.length || !h.endsWith(rule.suffix)) return false;
  const label = h.slice(0, h.length - rule.suffix.length);
  return !label.includes('.') && !label.startsWith('[');
}

/**
 * Wrap a user RegExp so it must match the whole origin. Stateful (`g`, `y`) and multiline (`m`) flags are refused.
 *
 * @example
 * fullMatch(/https:\/\/pr-\d+\.preview\.example\.com/, 'cors.origins[2]').test('https://pr-1.preview.example.com.evil.com') // false
 */
export function fullMatch(re: RegExp, path: string): RegExp {
  if (/[gym]/.test(re.flags)) {
    throw new ConfigError(
      path,
      `flags '${re.flags}': g and y make test() stateful, m lets ^/$ match inside the value`,
      'drop those flags',
    );
  }
  return new RegExp(`^(?:${re.source})$`, re.flags);
}
