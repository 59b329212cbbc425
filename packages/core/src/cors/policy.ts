import type { SecurityError } from '../errors.js';
import { emit } from '../events.js';
import { EVENTS } from '../observe/reporter.js';
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
import { type CorsOptions, corsSettings } from './options.js';
import { MAX_ORIGIN_LENGTH, matchWildcard, originRepeated, parseRequestOrigin } from './origin.js';

export type { CorsOptions } from './options.js';

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

const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST']);
const MAX_REQUEST_HEADERS = 64;

/**
 * Build a CORS policy once; `check(req)` decides each request. Origins are parsed and normalised here,
 * and every unsafe combination is a {@link ConfigError} at startup.
 *
 * @example
 * const cors = createCorsPolicy({ origins: ['https://app.example.com'], credentials: true });
 * const v = cors.check(req); // allowed (grant headers), answered (preflight 204) or denied (403)
 */
export function createCorsPolicy(options: CorsOptions): CorsPolicy {
  const settings = corsSettings(options);
  // What a check reads; the header lists and the max age are read only to build an answer.
  const { star, exact, wildcards, regexes, reflect, pna, rejectOthers, events } = settings;
  const onEvent = events.emit;

  const methodSet = new Set(settings.methods);
  const headerSet = new Set(settings.allowedHeaders);
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
    if (settings.credentials) h.push(['access-control-allow-credentials', 'true']);
    return h;
  }
  function actual(origin: string): Allowed<CorsGrant> {
    const h = grant(origin);
    const { exposed } = settings;
    if (exposed.length > 0) h.push(['access-control-expose-headers', exposed.join(', ')]);
    if (!star) h.push(vary);
    return Object.freeze({ ok: true, value: granted, headers: freezePairs(h) });
  }
  function preflight(origin: string, privateNetwork: boolean): Answered {
    const h = grant(origin);
    const { allowedHeaders } = settings;
    h.push(['access-control-allow-methods', settings.methods.join(', ')]);
    if (allowedHeaders.length > 0) h.push(['access-control-allow-headers', allowedHeaders.join(', ')]);
    h.push(['access-control-max-age', String(settings.maxAgeSeconds)]);
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
