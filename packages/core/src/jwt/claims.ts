import type { SecurityError } from '../errors.js';
import { JWT_ERRORS } from './errors.js';

/** The claims rules of a verifier, resolved from its options once. */
export interface ClaimsPolicy {
  /** Accepted audiences; undefined only with `dangerouslyAcceptAnyAudience`. */
  readonly audience: readonly string[] | undefined;
  /** Seconds. */
  readonly clockToleranceSeconds: number;
  /** Seconds since `iat` after which a token is refused; undefined for no limit. */
  readonly maxTokenAgeSeconds: number | undefined;
  /** Longest accepted `exp - iat` (or `exp - now` without `iat`), seconds. */
  readonly maxLifetimeSeconds: number;
  readonly requiredClaims: readonly string[];
  /** `jti` must be present (revocation needs it). */
  readonly requireJti: boolean;
}

type Failure = [SecurityError, string];

function notAString(name: 'iss' | 'sub' | 'jti'): Failure {
  return [JWT_ERRORS.claimInvalid, `"${name}" is not a string`];
}

/** A NumericDate (RFC 7519 §2): a finite JSON number. `1e999` parses to Infinity and is refused. */
function numericDate(claims: Record<string, unknown>, name: string): number | undefined | Failure {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    return [JWT_ERRORS.claimInvalid, `"${name}" is not a finite number`];
  }
  return v;
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean | undefined {
  if (typeof aud === 'string') return accepted.includes(aud);
  if (!Array.isArray(aud)) return undefined;
  for (const a of aud) if (typeof a !== 'string') return undefined;
  return aud.some((a) => accepted.includes(a as string));
}

/**
 * Check the time and audience claims of a verified token at `now` (seconds). Returns the denial, or
 * undefined when every rule holds. `exp` is required; `nbf` and `iat` are checked when present, within
 * the clock tolerance; a token whose lifetime exceeds `maxLifetimeSeconds` is refused even if still unexpired.
 *
 * @example
 * const failure = checkClaims(claims, policy, Math.floor(Date.now() / 1000));
 */
export function checkClaims(
  claims: Record<string, unknown>,
  policy: ClaimsPolicy,
  now: number,
): Failure | undefined {
  const required = policy.requiredClaims;
  for (let i = 0; i < required.length; i++) {
    const name = required[i]!;
    if (!Object.hasOwn(claims, name)) return [JWT_ERRORS.claimInvalid, `required claim "${name}" is missing`];
  }
  // RFC 7519 §4.1: these are strings. Handlers read them as such (`findUser(claims.sub)`), so an object
  // `sub` like {"$ne":null} must not get through typed as a string. Read by name, in this order (a loop
  // over the names would be one keyed load per name).
  const { iss, sub, jti } = claims;
  if (iss !== undefined && typeof iss !== 'string') return notAString('iss');
  if (sub !== undefined && typeof sub !== 'string') return notAString('sub');
  if (jti !== undefined && typeof jti !== 'string') return notAString('jti');
  const exp = numericDate(claims, 'exp');
  if (exp === undefined) return [JWT_ERRORS.claimInvalid, '"exp" is required'];
  if (typeof exp !== 'number') return exp;
  const nbf = numericDate(claims, 'nbf');
  if (typeof nbf === 'object') return nbf;
  const iat = numericDate(claims, 'iat');
  if (typeof iat === 'object') return iat;
  const tol = policy.clockToleranceSeconds;
  if (exp <= now - tol) return [JWT_ERRORS.expired, 'exp is in the past'];
  if (nbf !== undefined && nbf > now + tol) return [JWT_ERRORS.notYetValid, 'nbf is in the future'];
  if (iat !== undefined && iat > now + tol) return [JWT_ERRORS.notYetValid, 'iat is in the future'];
  if (policy.maxTokenAgeSeconds !== undefined) {
    if (iat === undefined) return [JWT_ERRORS.claimInvalid, '"iat" is required by maxTokenAgeSeconds'];
    if (now - iat - tol > policy.maxTokenAgeSeconds)
      return [JWT_ERRORS.expired, 'token is older than maxTokenAgeSeconds'];
  }
  const lifetime = exp - (iat ?? now);
  if (lifetime > policy.maxLifetimeSeconds) {
    return [
      JWT_ERRORS.lifetimeTooLong,
      `lifetime ${Math.round(lifetime)} s exceeds ${policy.maxLifetimeSeconds} s`,
    ];
  }
  if (policy.audience !== undefined) {
    const match = audienceMatches(claims.aud, policy.audience);
    if (match === undefined)
      return [JWT_ERRORS.audienceMismatch, '"aud" is missing or not a string/string array'];
    if (!match) return [JWT_ERRORS.audienceMismatch, '"aud" names none of the accepted audiences'];
  }
  if (policy.requireJti) {
    const jti = claims.jti;
    if (typeof jti !== 'string' || jti === '' || jti.length > 256) {
      return [
        JWT_ERRORS.claimInvalid,
        '"jti" (a string of at most 256 characters) is required for revocation',
      ];
    }
  }
  return undefined;
}

/**
 * RFC 7515 §4.1.9: a `typ` without a slash means `application/<typ>`; compared case-insensitively.
 *
 * @example
 * normalizeTyp('AT+JWT') // 'application/at+jwt'
 */
export function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}
