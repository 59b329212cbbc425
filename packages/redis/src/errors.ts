/** Stable codes of {@link RedisStoreError}; documented in docs/errors.md. */
export type RedisStoreErrorCode = 'REDIS_TIMEOUT' | 'REDIS_UNAVAILABLE' | 'REDIS_REPLY_INVALID';

/**
 * A Redis store operation did not complete. Stores throw it and never guess an answer: the rule that called
 * decides what a failure means (the rate limiter fails open or closed as configured; replay, revocation and
 * refresh rotation fail closed). The message names the operation, never a key or a token.
 *
 * @example
 * try { await store.claim(key, 60_000); } catch (e) { if (isRedisStoreError(e)) respond503(); }
 */
export class RedisStoreError extends Error {
  readonly code: RedisStoreErrorCode;

  constructor(code: RedisStoreErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RedisStoreError';
    this.code = code;
  }
}

const CODES: ReadonlySet<string> = new Set(['REDIS_TIMEOUT', 'REDIS_UNAVAILABLE', 'REDIS_REPLY_INVALID']);

/**
 * True for a {@link RedisStoreError}, checked by name and code so duplicate installs still match.
 *
 * @example
 * if (isRedisStoreError(err) && err.code === 'REDIS_TIMEOUT') metrics.redisTimeouts++;
 */
export function isRedisStoreError(value: unknown): value is RedisStoreError {
  return (
    value instanceof Error &&
    value.name === 'RedisStoreError' &&
    CODES.has((value as { code?: unknown }).code as string)
  );
}
