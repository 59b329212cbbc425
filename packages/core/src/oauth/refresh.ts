import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError, type SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import type { RefreshTokenStore, RotateResult } from '../stores/types.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { OAUTH_ERRORS } from './errors.js';
import { randomBytes } from '../bytes/index.js';
import {
  composeRefreshToken,
  familyIdOf,
  hashRefreshToken,
  openSuccessor,
  parseRefreshToken,
  REFRESH_FAMILY_KEY_BYTES,
  REFRESH_SECRET_BYTES,
  sealSuccessor,
} from './refresh-token.js';

/** Options of {@link createRefreshTokenRotator}. */
export interface RefreshTokenRotatorOptions {
  /** Where families live: `createMemoryRefreshTokenStore()` for one instance, `@bulwark/redis` for many. */
  store: RefreshTokenStore;
  /** Absolute lifetime of a family (a login): rotation never extends it. Default 30 days. */
  familyTtlMs?: number;
  /**
   * How long the token just rotated may be presented again and get the same successor back, as long as that
   * successor is unused: a client whose refresh response was lost (network, a store reply that came after
   * the timeout) retries without being logged out. Default 10 000 ms, at most 60 000; 0 makes every second
   * use reuse. Trade-off: within this window a thief replaying that token gets the same successor as the
   * client, and the theft is detected at the next rotation by either of them instead of at once.
   */
  graceMs?: number;
  /** Receives `refresh.rotated`, `refresh.rejected`, `refresh.reuse_detected`, `refresh.client_mismatch` and `refresh.revoked`. */
  onEvent?: OnEvent;
}

/** A freshly issued refresh token: hand `token` to the client, keep nothing but what the store holds. */
export interface IssuedRefreshToken {
  readonly token: string;
  /** The family (login) the token belongs to: log it, keep it to revoke the login later. Not a secret. */
  readonly familyId: string;
  readonly subject: string;
  /** The client the family is bound to. */
  readonly clientId: string;
}

/** Issues and rotates refresh tokens with reuse detection, bound to the client they were issued to. */
export interface RefreshTokenRotator {
  /** Start a family for `subject`, issued to `clientId` (at the code exchange). */
  issue(subject: string, clientId: string): Promise<IssuedRefreshToken>;
  /**
   * Exchange a refresh token presented by the authenticated client `clientId` for its successor. A retired
   * token, or a token of another client, revokes its whole family.
   */
  rotate(token: string | undefined, clientId: string | undefined): Promise<Verdict<IssuedRefreshToken>>;
  /** Revoke the family of `token` (logout). Resolves false when the token names no live family. */
  revoke(token: string): Promise<boolean>;
  /** Revoke a family by id (e.g. "sign out everywhere" for a family you tracked). */
  revokeFamily(familyId: string): Promise<boolean>;
}

const DAY = 86_400_000;

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

const ROTATOR_KEYS = optionKeys<RefreshTokenRotatorOptions>()('store', 'familyTtlMs', 'graceMs', 'onEvent');

/**
 * Refresh-token rotation with reuse detection and client binding (RFC 6749 §6, RFC 9700 §4.14). Tokens are
 * 384-bit random opaque strings; the store only ever sees their SHA-256 and a family id derived from them.
 * Each use by the family's own client returns a new token and retires the old one; presenting a retired
 * token, or presenting a token from another client, revokes the family, so the thief and the user both
 * lose it and the user signs in again. Rotation is one atomic store step: N concurrent uses of a token yield
 * exactly one new token.
 *
 * @example
 * const refresh = createRefreshTokenRotator({ store: createMemoryRefreshTokenStore(), onEvent: log });
 * const { token } = await refresh.issue(user.id, client.id);
 * const v = await refresh.rotate(body.refresh_token, authenticatedClient.id);
 * if (!v.ok) return sendProblem(v.error); // invalid_grant
 */
export function createRefreshTokenRotator(options: RefreshTokenRotatorOptions): RefreshTokenRotator {
  const store = options?.store;
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.rotate !== 'function' ||
    typeof store.create !== 'function' ||
    typeof store.revokeFamily !== 'function'
  ) {
    throw new ConfigError(
      'oauth.refresh.store',
      'is required',
      'pass createMemoryRefreshTokenStore() or a Redis store',
    );
  }
  checkOptions('oauth.refresh', options, ROTATOR_KEYS);
  const familyTtlMs = numberOption('oauth.refresh.familyTtlMs', options.familyTtlMs, {
    min: 60_000,
    max: 400 * DAY,
    fallback: 30 * DAY,
  });
  // 0 is strict rotation; above a minute the retry window is a replay window.
  const graceMs = numberOption('oauth.refresh.graceMs', options.graceMs, {
    min: 0,
    max: 60_000,
    fallback: 10_000,
  });
  const onEvent = options.onEvent;

  function reject(error: SecurityError, detail: string, data?: Record<string, unknown>) {
    emit(onEvent, { type: 'refresh.rejected', code: error.code, detail, ...(data ? { data } : {}) });
    return deny(error);
  }

  function storeFailed(detail: string) {
    return reject(OAUTH_ERRORS.storeUnavailable, `refresh-token store failed: ${detail}`);
  }

  async function outcome(
    result: RotateResult,
    presented: string,
    familyKey: Uint8Array,
    next: string,
  ): Promise<Verdict<IssuedRefreshToken>> {
    switch (result.status) {
      case 'rotated':
      case 'repeated': {
        let token = next;
        if (result.status === 'repeated') {
          // The same successor as the first answer: open it with the presented token and check it is the
          // family's current one, so a damaged or foreign store value is never handed out as a token.
          const secret = await openSuccessor(presented, result.sealedNext);
          token = secret === undefined ? '' : composeRefreshToken(familyKey, secret);
          if (token === '' || (await hashRefreshToken(token)) !== result.nextHash) {
            return storeFailed('the stored successor does not open to the current token');
          }
        }
        const { familyId, subject, clientId, generation } = result;
        emit(onEvent, {
          type: 'refresh.rotated',
          data: { familyId, subject, clientId, generation, repeated: result.status === 'repeated' },
        });
        return allow({ token, familyId, subject, clientId });
      }
      case 'reused':
        emit(onEvent, {
          type: 'refresh.reuse_detected',
          code: OAUTH_ERRORS.refreshReused.code,
          detail: 'a retired refresh token was presented; the whole family is revoked',
          data: {
            familyId: result.familyId,
            subject: result.subject,
            clientId: result.clientId,
            generation: result.generation,
          },
        });
        return deny(OAUTH_ERRORS.refreshReused);
      case 'client_mismatch':
        emit(onEvent, {
          type: 'refresh.client_mismatch',
          code: OAUTH_ERRORS.refreshClientMismatch.code,
          detail: 'a refresh token was presented by another client than its own; the whole family is revoked',
          data: { familyId: result.familyId, subject: result.subject, clientId: result.clientId },
        });
        return deny(OAUTH_ERRORS.refreshClientMismatch);
      case 'revoked':
        return reject(OAUTH_ERRORS.refreshInvalid, 'the token family is revoked', {
          familyId: result.familyId,
        });
      default:
        return reject(OAUTH_ERRORS.refreshInvalid, 'unknown or expired refresh token');
    }
  }

  return {
    async issue(subject, clientId) {
      if (!nonEmpty(subject)) throw new TypeError('subject must be a non-empty string');
      if (!nonEmpty(clientId)) throw new TypeError('clientId must be a non-empty string');
      const familyKey = randomBytes(REFRESH_FAMILY_KEY_BYTES);
      const token = composeRefreshToken(familyKey, randomBytes(REFRESH_SECRET_BYTES));
      const familyId = await familyIdOf(familyKey);
      const tokenHash = await hashRefreshToken(token);
      await store.create({ familyId, subject, clientId, tokenHash, ttlMs: familyTtlMs });
      return { token, familyId, subject, clientId };
    },
    async rotate(token, clientId) {
      const parts = parseRefreshToken(token);
      if (parts === undefined) {
        return reject(OAUTH_ERRORS.refreshInvalid, 'refresh token is missing or malformed');
      }
      // A public client's client_id comes straight from the request body: a missing one is bad input.
      if (!nonEmpty(clientId))
        return reject(OAUTH_ERRORS.refreshInvalid, 'no client to check the token against');
      const secret = randomBytes(REFRESH_SECRET_BYTES);
      const next = composeRefreshToken(parts.familyKey, secret);
      const [familyId, presentedHash, nextHash, sealedNext] = await Promise.all([
        familyIdOf(parts.familyKey),
        hashRefreshToken(parts.text),
        hashRefreshToken(next),
        sealSuccessor(parts.text, secret),
      ]);
      let result: RotateResult;
      try {
        result = await store.rotate({ familyId, clientId, presentedHash, nextHash, sealedNext, graceMs });
      } catch (err) {
        return storeFailed(err instanceof Error ? err.message : 'unknown error');
      }
      return outcome(result, parts.text, parts.familyKey, next);
    },
    async revoke(token) {
      const parts = parseRefreshToken(token);
      if (parts === undefined) return false;
      const familyId = await familyIdOf(parts.familyKey);
      if (!(await store.revokeFamily(familyId))) return false;
      emit(onEvent, { type: 'refresh.revoked', data: { familyId } });
      return true;
    },
    async revokeFamily(familyId) {
      const revoked = await store.revokeFamily(familyId);
      if (revoked) emit(onEvent, { type: 'refresh.revoked', data: { familyId } });
      return revoked;
    },
  };
}
