import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { checkVisible } from '../config/text.js';
import { ConfigError, type SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { EVENTS, Reporter } from '../observe/reporter.js';
import { observedCheck } from '../observe/telemetry.js';
import { freezePairs } from '../headers/values.js';
import type { RequestLike } from '../http/request.js';
import { requestPath } from '../http/request.js';
import { RULE, type Rule } from '../rule.js';
import {
  type Allowed,
  type Answered,
  answer,
  deny,
  type HeaderList,
  type HeaderPair,
  type Verdict,
} from '../verdict.js';
import { CORS_ERRORS } from './errors.js';
import {
  fullMatch,
  MAX_ORIGIN_LENGTH,
  matchWildcard,
  normaliseOrigin,
  originRepeated,
  parseRequestOrigin,
  parseWildcard,
  type WildcardRule,
} from './origin.js';

/** Options of {@link createCorsPolicy}. */
export interface CorsOptions {
  /**
   * Who may read responses: exact origins (`https://app.example.com`), one-label wildcards
   * (`https://*.example.com`), full-match RegExps, the string `'null'` (never with credentials), or `'*'`
   * alone for public, credential-less APIs.
   */
  origins?: '*' | readonly (string | RegExp)[];
  /** Send cookies / Authorization cross-origin. Needs explicit origins. Default false. */
  credentials?: boolean;
  /**
   * Default GET, HEAD, POST, PUT, PATCH, DELETE. Sent as the explicit list, never reflected. As in the Fetch
   * standard, only DELETE, GET, HEAD, OPTIONS, POST and PUT are case-insensitive (upper-cased); any other
   * method is matched exactly as written (`patch` and `PATCH` are two methods).
   */
  methods?: readonly string[];
  /** Request headers a page may send. Default `authorization`, `content-type`. Never reflected. */
  allowedHeaders?: readonly string[];
  /** Response headers a page may read beyond the safelisted ones. */
  exposedHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight. Default 600; Chromium caps at 7200, Firefox at 86400. */
  maxAgeSeconds?: number;
  /** Answer Private Network Access preflights (`Access-Control-Allow-Private-Network: true`). Default false. */
  allowPrivateNetwork?: boolean;
  /** Refuse actual requests from other origins with 403 instead of only withholding the grant. Default false. */
  rejectDisallowedOrigins?: boolean;
  /** Echo any syntactically valid origin. Refused with credentials: it would hand every site the user's data. */
  dangerouslyReflectAnyOrigin?: true;
  /** Receives `cors.denied` events and `cors.config_warning` (also held for the app's sink; the console only without one). */
  onEvent?: OnEvent;
}

/** What the CORS policy established for a request that continues to the handler. */
export interface CorsGrant {
  /** True when the response grants the request's origin (`Access-Control-Allow-Origin`); false: only `Vary`. */
  readonly granted: boolean;
}

/** A configured CORS policy. */
export interface CorsPolicy extends Rule<'cors'> {
  /**
   * Decide one request. Never throws. A preflight is answered here (`Answered`, 204 with the grant), never by
   * the handler; a refused preflight (or, with `rejectDisallowedOrigins`, a refused request) is `Denied`
   * (403); any other request continues with the grant headers (or only `Vary: Origin`).
   */
  check(req: RequestLike): Verdict<CorsGrant>;
}

const KNOWN = optionKeys<CorsOptions>()(
  'origins',
  'credentials',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'maxAgeSeconds',
  'allowPrivateNetwork',
  'rejectDisallowedOrigins',
  'dangerouslyReflectAnyOrigin',
  'onEvent',
);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);
const MAX_REQUEST_HEADERS = 64;

// Fetch standard, "normalize a method": only these six are upper-cased, by browsers and here. Any other method
// keeps its case on both sides and is compared byte for byte: `fetch(url, { method: 'patch' })` asks for
// `patch`, which an allowed `PATCH` does not cover.
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function normaliseMethod(method: string): string {
  const upper = method.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : method;
}

function tokens(path: string, value: unknown, fallback: readonly string[], methods: boolean): string[] {
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value)) throw new ConfigError(path, 'must be a list', "e.g. ['GET', 'POST']");
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const t: unknown = value[i];
    if (typeof t === 'string') checkVisible(`${path}[${i}]`, t);
    if (typeof t !== 'string' || !TOKEN.test(t)) {
      throw new ConfigError(
        `${path}[${i}]`,
        `${JSON.stringify(t)} is not an HTTP token`,
        'one method or header name per item, no commas or spaces',
      );
    }
    const n = methods ? normaliseMethod(t) : t.toLowerCase();
    if (methods && FORBIDDEN_METHODS.has(t.toUpperCase()))
      throw new ConfigError(`${path}[${i}]`, `${t} is forbidden by browsers`, 'remove it');
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Build a CORS policy once; `check(req)` decides each request. Origins are parsed and normalised here,
 * and every unsafe combination is a {@link ConfigError} at startup.
 *
 * @example
 * const cors = createCorsPolicy({ origins: ['https://app.example.com'], credentials: true });
 * const v = cors.check(req); // allowed (grant headers), answered (preflight 204) or denied (403)
 */
export function createCorsPolicy(options: CorsOptions): CorsPolicy {
  if (!isPlainObject(options))
    throw new ConfigError('cors', 'options are required', "e.g. { origins: ['https://app.example.com'] }");
  checkOptions('cors', options, KNOWN);
  const credentials = options.credentials ?? false;
  if (typeof credentials !== 'boolean')
    throw new ConfigError('cors.credentials', 'must be a boolean', 'true or false');
  const reflect = options.dangerouslyReflectAnyOrigin === true;
  const star = options.origins === '*';
  if (reflect && credentials) {
    throw new ConfigError(
      'cors.dangerouslyReflectAnyOrigin',
      "reflecting any origin with credentials lets every website read your users' data",
      'list the exact origins that may call you',
    );
  }
  if (star && credentials) {
    throw new ConfigError(
      'cors.origins',
      "'*' with credentials is refused by browsers and would expose user data",
      'list exact origins',
    );
  }
  if (reflect === (options.origins !== undefined)) {
    throw new ConfigError(
      'cors.origins',
      reflect ? 'cannot be combined with dangerouslyReflectAnyOrigin' : 'is required',
      "e.g. ['https://app.example.com']",
    );
  }
  const exact = new Set<string>();
  const wildcards: WildcardRule[] = [];
  const regexes: RegExp[] = [];
  if (!star && !reflect) {
    const list = options.origins;
    if (!Array.isArray(list) || list.length === 0)
      throw new ConfigError(
        'cors.origins',
        "must be a non-empty list or '*'",
        "e.g. ['https://app.example.com']",
      );
    list.forEach((o: unknown, i) => {
      const p = `cors.origins[${i}]`;
      if (typeof o === 'string') checkVisible(p, o);
      if (o instanceof RegExp) {
        checkVisible(`${p}.source`, o.source);
        regexes.push(fullMatch(o, p));
      } else if (typeof o !== 'string')
        throw new ConfigError(p, 'must be a string or a RegExp', "e.g. 'https://app.example.com'");
      else if (o === '*')
        throw new ConfigError(
          p,
          "'*' inside a list is ambiguous",
          "use origins: '*' alone (no credentials) or list exact origins",
        );
      else if (o === 'null') {
        if (credentials)
          throw new ConfigError(
            p,
            "the 'null' origin is shared by sandboxed frames and local files of every site",
            "remove 'null' or drop credentials",
          );
        exact.add('null');
      } else if (o.includes('*')) wildcards.push(parseWildcard(o, p));
      else exact.add(normaliseOrigin(o, p));
    });
  }
  const methods = tokens(
    'cors.methods',
    options.methods,
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    true,
  );
  const allowedHeaders = tokens(
    'cors.allowedHeaders',
    options.allowedHeaders,
    ['authorization', 'content-type'],
    false,
  );
  const exposed = tokens('cors.exposedHeaders', options.exposedHeaders, [], false);
  if (credentials) {
    for (const [name, list] of [
      ['methods', methods],
      ['allowedHeaders', allowedHeaders],
      ['exposedHeaders', exposed],
    ] as const) {
      if (list.includes('*'))
        throw new ConfigError(
          `cors.${name}`,
          "'*' is a literal name, not a wildcard, when credentials are sent",
          'list the exact names',
        );
    }
  }
  // Above the browsers' caps is only a warning (below); a year bounds what could be meant.
  const events = new Reporter(options.onEvent, 'cors');
  const maxAgeSeconds = numberOption('cors.maxAgeSeconds', options.maxAgeSeconds, {
    min: 0,
    max: 31_536_000,
    fallback: 600,
  });
  if (maxAgeSeconds > 7200) {
    const message = `cors.maxAgeSeconds ${maxAgeSeconds}s is above ${maxAgeSeconds > 86400 ? 'every browser cap (Firefox 86400s, Chromium 7200s)' : 'the Chromium cap of 7200s'}; browsers will use their cap`;
    events.emit({ type: 'cors.config_warning', detail: message });
  }
  const pna = options.allowPrivateNetwork ?? false;
  const rejectOthers = options.rejectDisallowedOrigins ?? false;
  const onEvent = events.emit;

  const methodSet = new Set(methods);
  const headerSet = new Set(allowedHeaders);
  const anyMethod = methodSet.has('*');
  const anyHeader = headerSet.has('*');
  const vary: HeaderPair = ['vary', 'Origin'];
  const preflightVary: HeaderPair = [
    'vary',
    star
      ? 'Access-Control-Request-Method, Access-Control-Request-Headers'
      : 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  ];
  const noGrant = freezePairs(star ? [] : [vary]);
  const deniedPreflight = freezePairs([preflightVary]);
  const notAllowed: Allowed<CorsGrant> = Object.freeze({
    ok: true,
    value: Object.freeze({ granted: false }),
    headers: noGrant,
  });
  const granted: CorsGrant = Object.freeze({ granted: true });

  function grant(origin: string): HeaderPair[] {
    const h: HeaderPair[] = [['access-control-allow-origin', star ? '*' : origin]];
    if (credentials) h.push(['access-control-allow-credentials', 'true']);
    return h;
  }
  function actual(origin: string): Allowed<CorsGrant> {
    const h = grant(origin);
    if (exposed.length > 0) h.push(['access-control-expose-headers', exposed.join(', ')]);
    if (!star) h.push(vary);
    return Object.freeze({ ok: true, value: granted, headers: freezePairs(h) });
  }
  function preflight(origin: string, privateNetwork: boolean): Answered {
    const h = grant(origin);
    h.push(['access-control-allow-methods', methods.join(', ')]);
    if (allowedHeaders.length > 0) h.push(['access-control-allow-headers', allowedHeaders.join(', ')]);
    h.push(['access-control-max-age', String(maxAgeSeconds)]);
    if (privateNetwork) h.push(['access-control-allow-private-network', 'true']);
    // No Content-Length: RFC 9110 §8.6 forbids it on a 204, and runtimes that enforce that (Bun) drop it.
    h.push(preflightVary);
    return Object.freeze(answer(Object.freeze({ status: 204, headers: freezePairs(h) })));
  }
  // Exact origins are finite: their answers are built once.
  const cached = new Map<string, { actual: Allowed<CorsGrant>; preflight: Answered }>();
  for (const o of star ? ['*'] : exact) cached.set(o, { actual: actual(o), preflight: preflight(o, false) });

  function allowed(origin: string, req: RequestLike): boolean {
    if (origin.length > MAX_ORIGIN_LENGTH) return false;
    if (originRepeated(origin, req)) return false;
    if (star) return true;
    if (exact.has(origin)) return true;
    if (wildcards.length === 0 && regexes.length === 0 && !reflect) return false;
    const parsed = parseRequestOrigin(origin);
    if (parsed === undefined) return false;
    if (reflect) return true;
    for (const w of wildcards) if (matchWildcard(w, parsed)) return true;
    for (const r of regexes) if (r.test(origin)) return true;
    return false;
  }
  function refuse(
    req: RequestLike,
    error: SecurityError,
    origin: string,
    headers: HeaderList,
  ): Verdict<CorsGrant> {
    emit(onEvent, {
      type: 'cors.denied',
      code: error.code,
      detail: `origin ${origin.slice(0, 100)}`,
      method: req.method,
      path: requestPath(req.url),
    });
    return deny(error, headers);
  }

  return Object.freeze({
    [RULE]: 'cors' as const,
    [EVENTS]: events,
    check: observedCheck('cors', events, (req: RequestLike): Verdict<CorsGrant> => {
      const origin = req.header('origin');
      if (origin === undefined) return notAllowed;
      const requestMethod =
        req.method === 'OPTIONS' ? req.header('access-control-request-method') : undefined;
      const ok = allowed(origin, req);
      if (requestMethod === undefined) {
        if (ok) return (star ? cached.get('*') : cached.get(origin))?.actual ?? actual(origin);
        if (rejectOthers) return refuse(req, CORS_ERRORS.originDenied, origin, noGrant);
        return notAllowed;
      }
      if (!ok) return refuse(req, CORS_ERRORS.originDenied, origin, deniedPreflight);
      if (!anyMethod && !methodSet.has(requestMethod) && !SAFELISTED_METHODS.has(requestMethod)) {
        return refuse(req, CORS_ERRORS.methodDenied, origin, deniedPreflight);
      }
      const requested = req.header('access-control-request-headers');
      if (requested !== undefined && requested.trim() !== '') {
        const names = requested.split(',');
        if (names.length > MAX_REQUEST_HEADERS)
          return refuse(req, CORS_ERRORS.headersDenied, origin, deniedPreflight);
        for (const raw of names) {
          const name = raw.trim().toLowerCase();
          // '*' never covers Authorization (Fetch standard); it must be listed by name.
          if (!headerSet.has(name) && !(anyHeader && name !== 'authorization')) {
            return refuse(req, CORS_ERRORS.headersDenied, origin, deniedPreflight);
          }
        }
      }
      const privateNetwork = pna && req.header('access-control-request-private-network') === 'true';
      if (privateNetwork) return preflight(origin, true);
      return (star ? cached.get('*') : cached.get(origin))?.preflight ?? preflight(origin, false);
    }),
  });
}
