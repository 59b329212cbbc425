import { checkOptions, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { OAUTH_ERRORS } from './errors.js';

/** Options of {@link createRedirectUriMatcher}. */
export interface RedirectUriMatcherOptions {
  /**
   * RFC 8252 §7.3: native apps listen on an ephemeral loopback port, so for a registered
   * `http://127.0.0.1/…` or `http://[::1]/…` any port is accepted (path and query still exact).
   * Off unless set; `localhost` never qualifies (RFC 8252 §8.3: it may resolve elsewhere).
   */
  allowLoopbackAnyPort?: boolean;
  /** Receives `oauth.redirect_uri_rejected` events with the precise reason. */
  onEvent?: OnEvent;
}

/** Checks `redirect_uri` values against a client's registered list. */
export interface RedirectUriMatcher {
  /** Allowed with the matching registered URI, or `OAUTH_REDIRECT_URI_MISMATCH`. */
  match(candidate: string | undefined): Verdict<string>;
  /** The registered URIs, in canonical form. */
  readonly registered: readonly string[];
}

const MAX_LENGTH = 2048;
// Beyond printable ASCII, and characters that different URL parsers disagree about.
const AMBIGUOUS = /[\\"<>^`{|}]/;

function hasForbiddenCharacter(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return true;
  }
  return AMBIGUOUS.test(raw);
}
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

/** Why a URI is not acceptable as a redirect URI at all; undefined when it is. */
function problemOf(raw: string): string | undefined {
  if (raw.length > MAX_LENGTH) return `longer than ${MAX_LENGTH} characters`;
  if (hasForbiddenCharacter(raw))
    return 'contains whitespace, a control, non-ASCII or an ambiguous character';
  if (raw.includes('#')) return 'has a fragment (RFC 6749 §3.1.2 forbids it)';
  if (raw.includes('*')) return 'contains a wildcard';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URI';
  }
  if (url.username !== '' || url.password !== '' || raw.slice(0, raw.indexOf('?') >>> 0).includes('@')) {
    return 'has userinfo (user@host tricks a reader into trusting the wrong host)';
  }
  // Canonical form: the parser would change uppercase hosts, default ports, dot segments, %2e, IDN…
  // A URI that is not already canonical is refused rather than normalised, so what was registered is
  // exactly what is compared, and no parser difference downstream can reinterpret it.
  if (url.href !== raw) return `is not in canonical form (it parses as ${url.href})`;
  if (/%2e|%2f|%5c/i.test(url.pathname)) return 'encodes a dot or a slash in its path';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname) || url.hostname === 'localhost'
      ? undefined
      : 'uses http on a non-loopback host; use https';
  }
  // RFC 8252 §7.1 private-use schemes are reverse domain names (com.example.app:/callback).
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/.test(url.protocol)) return undefined;
  return `scheme ${url.protocol} is not allowed`;
}

function withoutPort(url: URL): string {
  // `search` is '' both for no query and for an empty one (`/cb?`); fragments are refused, so a trailing
  // '?' in href is the empty query, which must not match a URI registered without one.
  const search = url.search === '' && url.href.endsWith('?') ? '?' : url.search;
  return `${url.protocol}//${url.hostname}${url.pathname}${search}`;
}

const MATCHER_KEYS = optionKeys<RedirectUriMatcherOptions>()('allowLoopbackAnyPort', 'onEvent');

/**
 * Exact `redirect_uri` matching for an authorization server. Registered URIs must be canonical absolute
 * URIs (checked here, at startup). A candidate matches only when it is byte-for-byte one of them: no prefix,
 * substring or wildcard matching, no normalisation, so `https://app.example.com.attacker.com/cb`,
 * `https://app.example.com@attacker.com/cb`, `/cb/../evil`, `/cb?x=1`, `/CB`, a trailing slash or a
 * fragment never match `https://app.example.com/cb`.
 *
 * @example
 * const redirects = createRedirectUriMatcher(['https://app.example.com/cb']);
 * const v = redirects.match(params.get('redirect_uri') ?? undefined);
 * if (!v.ok) return badRequest(v.error); // never redirect to an unverified URI
 */
export function createRedirectUriMatcher(
  registered: readonly string[],
  options: RedirectUriMatcherOptions = {},
): RedirectUriMatcher {
  if (!Array.isArray(registered) || registered.length === 0) {
    throw new ConfigError(
      'oauth.redirectUris',
      'must be a non-empty list',
      'register the exact callback URL(s)',
    );
  }
  checkOptions('oauth.redirectUriMatcher', options, MATCHER_KEYS);
  const exact = new Set<string>();
  const loopback = new Map<string, string>();
  const allowLoopbackAnyPort = options.allowLoopbackAnyPort === true;
  registered.forEach((raw, i) => {
    const problem = typeof raw === 'string' ? problemOf(raw) : 'is not a string';
    if (problem !== undefined) {
      throw new ConfigError(
        `oauth.redirectUris[${i}]`,
        `${JSON.stringify(String(raw).slice(0, 100))} ${problem}`,
        'register one exact, canonical https URL per callback',
      );
    }
    exact.add(raw);
    const url = new URL(raw);
    if (allowLoopbackAnyPort && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
      loopback.set(withoutPort(url), raw);
    }
  });
  const onEvent = options.onEvent;

  function refuse(detail: string): Verdict<string> {
    emit(onEvent, {
      type: 'oauth.redirect_uri_rejected',
      code: OAUTH_ERRORS.redirectUriMismatch.code,
      detail,
    });
    return deny(OAUTH_ERRORS.redirectUriMismatch);
  }

  return {
    registered: [...exact],
    match(candidate) {
      if (typeof candidate !== 'string' || candidate === '') return refuse('no redirect_uri');
      if (exact.has(candidate)) return allow(candidate);
      const problem = problemOf(candidate);
      if (problem !== undefined) return refuse(`redirect_uri ${problem}`);
      if (loopback.size > 0) {
        const url = new URL(candidate);
        const match = url.protocol === 'http:' ? loopback.get(withoutPort(url)) : undefined;
        if (match !== undefined) return allow(match);
      }
      return refuse('redirect_uri is not registered for this client');
    },
  };
}
