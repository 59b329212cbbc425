import { fail as failed, ok, type Result } from '../verdict.js';

/** A SPIFFE ID that passed {@link parseSpiffeId}: safe to compare component by component. */
export interface SpiffeId {
  /** The whole ID, exactly as parsed, e.g. `spiffe://corp.example.com/ns/billing/sa/api`. */
  readonly id: string;
  /** Lowercase trust domain, e.g. `corp.example.com`. */
  readonly trustDomain: string;
  /** Path with its leading `/`, or `''` for a trust domain ID. */
  readonly path: string;
}

/** Outcome of {@link parseSpiffeId}: the ID, or why it is not one (operator detail, never shown to clients). */
export type SpiffeIdResult = Result<SpiffeId, string>;

const PREFIX = 'spiffe://';
/**
 * SPIFFE-ID spec: IDs longer than this many bytes SHOULD NOT be considered valid; bulwark refuses them.
 *
 * @example
 * if (uri.length > SPIFFE_ID_MAX_BYTES) refuse();
 */
export const SPIFFE_ID_MAX_BYTES = 2048;
/** SPIFFE-ID spec §2.1: a trust domain name is at most 255 bytes. */
const TRUST_DOMAIN_MAX_BYTES = 255;

// a-z 0-9 . - _ for the trust domain; the path adds A-Z.
const TD_CHAR = new Uint8Array(128);
const PATH_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const lower = c >= 97 && c <= 122;
  const upper = c >= 65 && c <= 90;
  const digit = c >= 48 && c <= 57;
  const punct = c === 46 || c === 45 || c === 95;
  TD_CHAR[c] = lower || digit || punct ? 1 : 0;
  PATH_CHAR[c] = lower || upper || digit || punct ? 1 : 0;
}

const fail = (reason: string): SpiffeIdResult => failed(reason);

function trustDomainProblem(td: string): string | undefined {
  if (td.length === 0) return 'the trust domain is empty';
  if (td.length > TRUST_DOMAIN_MAX_BYTES)
    return `the trust domain is longer than ${TRUST_DOMAIN_MAX_BYTES} bytes`;
  for (let i = 0; i < td.length; i++) {
    const c = td.charCodeAt(i);
    if (c < 128 && TD_CHAR[c] === 1) continue;
    if (c === 58 /* : */) return 'a port is not allowed in the trust domain';
    if (c === 64 /* @ */) return 'userinfo is not allowed in the trust domain';
    if (c === 91 /* [ */ || c === 93 /* ] */) return 'an IP literal is not a trust domain';
    if (c >= 65 && c <= 90) return 'the trust domain must be lowercase';
    return `the trust domain has a character outside [a-z0-9.-_] at offset ${i}`;
  }
  return undefined;
}

function pathProblem(path: string): string | undefined {
  if (path.length === 0) return undefined;
  if (path.charCodeAt(0) !== 47) return 'the path must start with /';
  let segStart = 1;
  for (let i = 1; i <= path.length; i++) {
    const c = i === path.length ? 47 : path.charCodeAt(i);
    if (c === 47) {
      const len = i - segStart;
      if (len === 0) {
        return i === path.length ? 'a trailing / is not allowed' : 'empty path segments (//) are not allowed';
      }
      if (
        path.charCodeAt(segStart) === 46 /* . */ &&
        (len === 1 || (len === 2 && path.charCodeAt(segStart + 1) === 46))
      ) {
        return 'path segments . and .. are not allowed';
      }
      segStart = i + 1;
      continue;
    }
    if (c < 128 && PATH_CHAR[c] === 1) continue;
    return `the path has a character outside [a-zA-Z0-9.-_] at offset ${i}`;
  }
  return undefined;
}

/**
 * Parse a SPIFFE ID strictly, per the SPIFFE-ID specification: scheme exactly `spiffe`, a lowercase
 * trust domain of `[a-z0-9.-_]` (no port, userinfo or IP literal), path segments of `[a-zA-Z0-9.-_]`
 * with no empty, `.` or `..` segment and no trailing `/`, no query, fragment or percent-encoding, at most
 * 2048 bytes. Nothing is normalised: an ID that would need normalising is refused, so two IDs that
 * compare equal as strings are the same identity.
 *
 * @example
 * const r = parseSpiffeId('spiffe://corp.example.com/ns/billing/sa/api');
 * if (r.ok) r.value.trustDomain; // 'corp.example.com'
 */
export function parseSpiffeId(input: string): SpiffeIdResult {
  if (typeof input !== 'string') return fail('not a string');
  // Every accepted character is ASCII, so the character count is the byte count for anything that passes.
  if (input.length > SPIFFE_ID_MAX_BYTES) return fail(`longer than ${SPIFFE_ID_MAX_BYTES} bytes`);
  if (!input.startsWith(PREFIX)) {
    return fail(
      input.slice(0, PREFIX.length).toLowerCase() === PREFIX
        ? 'the scheme must be lowercase spiffe://'
        : 'the scheme must be spiffe://',
    );
  }
  if (input.includes('%')) return fail('percent-encoding is not allowed');
  if (input.includes('?')) return fail('a query is not allowed');
  if (input.includes('#')) return fail('a fragment is not allowed');
  const slash = input.indexOf('/', PREFIX.length);
  const trustDomain = slash === -1 ? input.slice(PREFIX.length) : input.slice(PREFIX.length, slash);
  const path = slash === -1 ? '' : input.slice(slash);
  const problem = trustDomainProblem(trustDomain) ?? pathProblem(path);
  if (problem !== undefined) return fail(problem);
  return ok(Object.freeze({ id: input, trustDomain, path }));
}

/**
 * Validate a bare trust domain name (`corp.example.com`), or the trust domain ID form
 * (`spiffe://corp.example.com`). Returns the bare name, or the reason it is invalid.
 *
 * @example
 * parseTrustDomain('spiffe://corp.example.com') // { ok: true, value: 'corp.example.com' }
 */
export function parseTrustDomain(input: string): Result<string, string> {
  if (typeof input !== 'string') return failed('not a string');
  if (input.startsWith(PREFIX)) {
    const r = parseSpiffeId(input);
    if (!r.ok) return r;
    if (r.value.path !== '') return failed('a trust domain has no path');
    return ok(r.value.trustDomain);
  }
  const problem = trustDomainProblem(input);
  return problem === undefined ? ok(input) : failed(problem);
}

/**
 * Validate a SPIFFE ID path (`/ns/billing`): non-empty, segments of `[a-zA-Z0-9.-_]`, no empty, `.` or `..`
 * segment, no trailing `/`. Returns the reason it is invalid, or `undefined`.
 *
 * @example
 * spiffePathProblem('/ns/billing') // undefined
 */
export function spiffePathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'the path is empty';
  return pathProblem(path);
}
