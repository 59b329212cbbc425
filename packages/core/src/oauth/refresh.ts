import { encodeBase64Url } from '../encoding/base64url.js';
import { ConfigError, type SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import type { RefreshTokenStore } from '../stores/types.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { OAUTH_ERRORS } from './errors.js';
import { randomBytes, sha256 } from './hmac-keys.js';

/** Options of {@link createRefreshTokenRotator}. */
export interface RefreshTokenRotatorOptions {
  /** Where families live: `createMemoryRefreshTokenStore()` for one instance, `@bulwark/redis` for many. */
  store: RefreshTokenStore;
  /** Absolute lifetime of a family (a login): rotation never extends it. Default 30 days. */
  familyTtlMs?: number;
  /**
   * How long the previous token still works, once, for a client whose refresh response was lost (0 = off,
   * the default; at most 60 s). Trade-off: within this window a thief who replays the token just used is not
   * detected immediately; it is detected at the next rotation outside the window.
   */
  graceMs?: number;
  /** Receives `refresh.rotated`, `refresh.rejected` and `refresh.reuse_detected` events. */
  onEvent?: OnEvent;
}

/** A freshly issued refresh token: hand `token` to the client, keep nothing but what the store holds. */
export interface IssuedRefreshToken {
  readonly token: string;
  readonly familyId: string;
  readonly subject: string;
}

/** Issues and rotates refresh tokens with reuse detection. */
export interface RefreshTokenRotator {
  /** Start a family for `subject` (at login). */
  issue(subject: string): Promise<IssuedRefreshToken>;
  /** Exchange a refresh token for its successor; a retired token revokes its whole family. */
  rotate(token: string | undefined): Promise<Verdict<IssuedRefreshToken>>;
  /** Revoke the family of `token` (logout). Resolves false when the token is unknown. */
  revoke(token: string): Promise<boolean>;
  /** Revoke a family by id (e.g. "sign out everywhere" for a family you tracked). */
  revokeFamily(familyId: string): Promise<void>;
}

// 32 random bytes as base64url: exactly 43 characters.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const DAY = 86_400_000;

async function hashToken(token: string): Promise<string> {
  return encodeBase64Url(await sha256(token));
}

/**
 * Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP §4.14.2). Tokens are 256-bit random
 * opaque strings; the store only ever sees their SHA-256. Each use returns a new token and retires the old
 * one; presenting a retired token revokes the family, so the thief and the user both lose it and the user
 * signs in again. Rotation is one atomic store step: N concurrent uses of a token yield exactly one new token.
 *
 * @example
 * const refresh = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore(), onEvent: log });
 * const { token } = await refresh.issue(user.id);
 * const v = await refresh.rotate(body.refresh_token);
 * if (!v.ok) return sendProblem(v.error); // invalid_grant
 */
export function createRefreshTokenRotator(options: RefreshTokenRotatorOptions): RefreshTokenRotator {
  const store = options?.store;
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.rotate !== 'function' ||
    typeof store.create !== 'function'
  ) {
    throw new ConfigError(
      'refresh.store',
      'is required',
      'pass createMemoryRefreshTokenStore() or a Redis store',
    );
  }
  const familyTtlMs = options.familyTtlMs ?? 30 * DAY;
  if (!Number.isInteger(familyTtlMs) || familyTtlMs < 60_000 || familyTtlMs > 400 * DAY) {
    throw new ConfigError(
      'refresh.familyTtlMs',
      `${familyTtlMs} is not between one minute and 400 days`,
      'keep the default of 30 days',
    );
  }
  const graceMs = options.graceMs ?? 0;
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs > 60_000) {
    throw new ConfigError(
      'refresh.graceMs',
      `${graceMs} is not between 0 and 60 000 ms`,
      'use 0 (strict) or a few seconds for clients that retry',
    );
  }
  const onEvent = options.onEvent;

  function reject(error: SecurityError, detail: string, data?: Record<string, unknown>) {
    emit(onEvent, { type: 'refresh.rejected', code: error.code, detail, ...(data ? { data } : {}) });
    return deny(error);
  }

  function storeFailed(err: unknown) {
    return reject(
      OAUTH_ERRORS.storeUnavailable,
      `refresh-token store failed: ${err instanceof Error ? err.message : 'unknown error'}`,
    );
  }

  return {
    async issue(subject) {
      if (typeof subject !== 'string' || subject === '')
        throw new TypeError('subject must be a non-empty string');
      const token = encodeBase64Url(randomBytes(32));
      const familyId = encodeBase64Url(randomBytes(16));
      await store.create(familyId, subject, await hashToken(token), familyTtlMs);
      return { token, familyId, subject };
    },
    async rotate(token) {
      if (typeof token !== 'string' || !TOKEN.test(token)) {
        return reject(OAUTH_ERRORS.refreshInvalid, 'refresh token is missing or malformed');
      }
      const next = encodeBase64Url(randomBytes(32));
      let result: Awaited<ReturnType<RefreshTokenStore['rotate']>>;
      try {
        result = await store.rotate(await hashToken(token), await hashToken(next), graceMs);
      } catch (err) {
        return storeFailed(err);
      }
      switch (result.status) {
        case 'rotated':
        case 'grace':
          emit(onEvent, {
            type: 'refresh.rotated',
            data: { familyId: result.familyId, subject: result.subject, grace: result.status === 'grace' },
          });
          return allow({ token: next, familyId: result.familyId, subject: result.subject });
        case 'reused':
          emit(onEvent, {
            type: 'refresh.reuse_detected',
            code: OAUTH_ERRORS.refreshReused.code,
            detail: 'a retired refresh token was presented; the whole family is revoked',
            data: { familyId: result.familyId, subject: result.subject },
          });
          return deny(OAUTH_ERRORS.refreshReused);
        case 'revoked':
          return reject(OAUTH_ERRORS.refreshInvalid, 'the token family is revoked', {
            familyId: result.familyId,
          });
        default:
          return reject(OAUTH_ERRORS.refreshInvalid, 'unknown or expired refresh token');
      }
    },
    async revoke(token) {
      if (typeof token !== 'string' || !TOKEN.test(token)) return false;
      const familyId = await store.findFamily(await hashToken(token));
      if (familyId === undefined) return false;
      await store.revokeFamily(familyId);
      emit(onEvent, { type: 'refresh.revoked', data: { familyId } });
      return true;
    },
    async revokeFamily(familyId) {
      await store.revokeFamily(familyId);
      emit(onEvent, { type: 'refresh.revoked', data: { familyId } });
    },
  };
}
