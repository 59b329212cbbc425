import type { RequestLike } from '../http/request.js';
import { deny, type Denied } from '../verdict.js';
import { JWT_ERRORS } from './errors.js';

/** b64token per RFC 6750 §2.1. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** The rest of a b64token from `lastIndex`, when what comes before is known to be b64token characters (no `=`). */
const B64TOKEN_REST = /[A-Za-z0-9\-._~+/]*=*$/y;
/** `access_token` as a query parameter name (RFC 6750 §2.3), which we refuse. */
const QUERY_TOKEN = /[?&]access_token=/;

/** An access token and the scheme it was sent with (`Authorization: Bearer …` or `Authorization: DPoP …`). */
export interface Credentials {
  readonly scheme: 'bearer' | 'dpop';
  readonly token: string;
}

/**
 * Read the access token of a request per RFC 6750 §2.1 (and RFC 9449 §7.1 for the DPoP scheme, when
 * `dpop` is true), deliberately:
 * - the scheme is matched case-insensitively (RFC 9110 §11.1), separated by one or more spaces;
 * - more than one Authorization header (or two folded into one with a comma) is a 400 `invalid_request`
 *   (never pick one of them);
 * - a token in the query string (`access_token=`) is a 400: URLs end up in logs and Referer headers;
 * - a form-encoded body token (§2.2) is not read.
 *
 * `checkToken: false` leaves the b64token check of the token's characters to the caller (see
 * {@link isB64Token}).
 *
 * @example
 * const c = extractCredentials(req, true);
 * if ('ok' in c) return c; // denied verdict
 * c.scheme; // 'bearer' | 'dpop'
 */
export function extractCredentials(req: RequestLike, dpop: boolean, checkToken = true): Credentials | Denied {
  const values = req.headerValues?.('authorization');
  if (values !== undefined && values.length > 1) return deny(JWT_ERRORS.invalidRequest);
  const header = values === undefined ? req.header('authorization') : values[0];
  if (req.url.includes('access_token=') && QUERY_TOKEN.test(req.url)) return deny(JWT_ERRORS.tokenInQuery);
  if (header === undefined || header === '') return deny(JWT_ERRORS.missing);
  let scheme: Credentials['scheme'];
  let i: number;
  if (header.length >= 7 && header.charCodeAt(6) === 32 && header.slice(0, 6).toLowerCase() === 'bearer') {
    scheme = 'bearer';
    i = 7;
  } else if (
    dpop &&
    header.length >= 5 &&
    header.charCodeAt(4) === 32 &&
    header.slice(0, 4).toLowerCase() === 'dpop'
  ) {
    scheme = 'dpop';
    i = 5;
  } else return deny(JWT_ERRORS.missing);
  while (header.charCodeAt(i) === 32) i++;
  const token = header.slice(i);
  // A comma cannot occur in a b64token: it is a second header folded into this one (as WHATWG Headers
  // and some proxies join duplicates), so it gets the same answer as two Authorization headers.
  if (token.includes(',')) return deny(JWT_ERRORS.invalidRequest);
  if (token === '' || (checkToken && !B64TOKEN.test(token))) return deny(JWT_ERRORS.malformed);
  return { scheme, token };
}

/**
 * True when `token` is a b64token (RFC 6750 §2.1). The verifier asks only when it refuses a token read with
 * `checkToken: false`: any token it accepts is three canonical base64url parts, which always is one.
 * `checked`: how many leading characters are already known to be base64url (at least one is then): only
 * the rest is read.
 *
 * @example
 * isB64Token('a.b.c') // true
 */
export function isB64Token(token: string, checked = 0): boolean {
  if (checked <= 0 || checked > token.length) return B64TOKEN.test(token);
  B64TOKEN_REST.lastIndex = checked;
  return B64TOKEN_REST.test(token);
}

/**
 * True when the request carries no credentials at all: no `Authorization` header (not even an empty one)
 * and no `access_token` in the query. What an optional route lets through anonymously; anything else is
 * verified, so a bad token is refused, never taken for no token.
 *
 * @example
 * if (route.optional && carriesNoCredentials(req)) return anonymous;
 */
export function carriesNoCredentials(req: RequestLike): boolean {
  const values = req.headerValues?.('authorization');
  if (values !== undefined ? values.length > 0 : req.header('authorization') !== undefined) return false;
  return !(req.url.includes('access_token=') && QUERY_TOKEN.test(req.url));
}

/**
 * Read the bearer token of a request (the `Bearer` scheme only), as {@link extractCredentials} does.
 *
 * @example
 * const t = extractBearer(req);
 * if (typeof t !== 'string') return t; // denied verdict
 */
export function extractBearer(req: RequestLike): string | Denied {
  const c = extractCredentials(req, false);
  return 'ok' in c ? c : c.token;
}
