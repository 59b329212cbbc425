import { checkVisible } from '../config/text.js';
import { ConfigError } from '../errors.js';
import { requestPath } from '../http/request.js';

const ESCAPE = /%[0-9A-Fa-f]{2}/g;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 §6.2.2.1/§6.2.2.2: escapes in upper case, escaped unreserved characters decoded. */
function normalizeEscapes(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(ESCAPE, (e) => {
    const c = String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return UNRESERVED.test(c) ? c : e.toUpperCase();
  });
}

/**
 * An http(s) URI without query and fragment, normalised as RFC 9449 §4.3 asks (RFC 3986 §6.2.2 syntax-based
 * and §6.2.3 scheme-based): scheme and host in lower case, the default port dropped, an empty path as `/`,
 * dot segments removed (the WHATWG URL parser does these), a host's trailing dot dropped, percent-escapes in upper case and escaped
 * unreserved characters decoded. Undefined for anything else (another scheme, userinfo, not a URL).
 *
 * @example
 * normalizeHtu('HTTPS://API.example.com:443/a/./b/%7euser?q=1') // 'https://api.example.com/a/b/~user'
 */
export function normalizeHtu(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  // A fully qualified name's trailing dot (`api.example.com.`) names the same host as without it.
  const origin = url.hostname.endsWith('.') ? url.origin.replace(/\.(:\d+)?$/, '$1') : url.origin;
  return origin + normalizeEscapes(url.pathname);
}

/** The external base URLs of an API, checked once, as `origin + path prefix` without a trailing slash. */
export type ExternalBases = readonly string[];

/**
 * Check the `externalUrl` option: one or more absolute http(s) URLs at which clients reach this API's root
 * (a path prefix when a proxy mounts the app below one), without query, fragment or userinfo. This is the
 * trusted half of the `htu` comparison: the request's own Host and X-Forwarded-* headers are never used,
 * since whoever replays a proof made for another server would simply send that server's name in them.
 *
 * @example
 * externalBases('dpop.externalUrl', 'https://api.example.com') // ['https://api.example.com']
 */
export function externalBases(option: string, value: unknown): ExternalBases {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(
      option,
      'is required: the URL clients use to reach this API, which every proof must name in htu',
      "set it from trusted configuration, e.g. 'https://api.example.com' (never from request headers)",
    );
  }
  return list.map((entry: unknown, i) => {
    const path = list.length === 1 && typeof value === 'string' ? option : `${option}[${i}]`;
    if (typeof entry !== 'string') {
      throw new ConfigError(path, 'is not a string', "write the URL, e.g. 'https://api.example.com'");
    }
    checkVisible(path, entry);
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      throw new ConfigError(
        path,
        'is not an absolute URL',
        "write it in full, e.g. 'https://api.example.com'",
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(path, `has scheme ${url.protocol}`, 'use the https URL clients call');
    }
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
      throw new ConfigError(
        path,
        'has userinfo, a query or a fragment',
        'give the scheme, host, port and optional path prefix only',
      );
    }
    if (entry.endsWith('?') || entry.endsWith('#')) {
      throw new ConfigError(path, 'ends with an empty query or fragment', 'remove it');
    }
    const normalized = normalizeHtu(url.href)!;
    return normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
  });
}

/**
 * True when the proof's `htu` names this request: the configured external base followed by the request's
 * path (query and fragment ignored), both normalised the same way.
 *
 * @example
 * htuMatches(['https://api.example.com'], '/orders?page=2', 'https://api.example.com/orders') // true
 */
export function htuMatches(bases: ExternalBases, requestUrl: string, htu: string): boolean {
  const proof = normalizeHtu(htu);
  if (proof === undefined) return false;
  const path = requestPath(requestUrl);
  // The path is appended as text, never resolved: `//evil.example/x` stays a path on our host.
  if (path.charCodeAt(0) !== 47 /* / */) return false;
  for (const base of bases) {
    if (!proof.startsWith(base)) continue;
    if (normalizeHtu(base + path) === proof) return true;
  }
  return false;
}
