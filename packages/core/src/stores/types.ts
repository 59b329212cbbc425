/**
 * Store contracts. Each operation is one atomic step, so a store backed by a shared server (Redis) gives
 * the same guarantees across many instances as the memory store gives in one process.
 * Times are milliseconds. Keys reaching a store are already hashed/length-capped by the rule using it.
 */

/** Result of a rate-limit `consume`. */
export interface ConsumeResult {
  /** True when the request fits in the bucket; nothing is consumed when false. */
  readonly allowed: boolean;
  /** Requests (of cost 1) still available right after this call. */
  readonly remaining: number;
  /** Milliseconds until the next request of this cost would be allowed (0 when allowed). */
  readonly retryAfterMs: number;
  /** Milliseconds until the bucket is completely empty again (full capacity restored). */
  readonly resetMs: number;
}

/** Parameters of one GCRA bucket: `limit` requests per `periodMs`, with a burst tolerance. */
export interface BucketRule {
  /** Emission interval: one request every `intervalMs` on average. */
  readonly intervalMs: number;
  /** Number of requests that may arrive at once (>= 1). */
  readonly burst: number;
}

/** Rate-limit store: GCRA, one timestamp (theoretical arrival time) per key. */
export interface RateLimitStore {
  /** Atomically check and, if allowed, consume `cost` from the bucket at `key`. */
  consume(key: string, rule: BucketRule, cost: number): Promise<ConsumeResult>;
  /**
   * Atomically consume from several buckets: allowed only when every bucket allows; when one denies,
   * none is consumed. `results[i]` corresponds to `keys[i]`.
   */
  consumeAll?(
    entries: readonly { key: string; rule: BucketRule; cost: number }[],
  ): Promise<readonly ConsumeResult[]>;
}

/** State of a replay/idempotency claim. */
export type ClaimOutcome = 'claimed' | 'processing' | 'done';

/**
 * Replay/idempotency store. `claim` is an atomic set-if-absent: the first caller gets `'claimed'`, later
 * callers see whether the first is still `'processing'` or `'done'`.
 */
export interface ReplayStore {
  /** Claim `key` for `ttlMs`. */
  claim(key: string, ttlMs: number): Promise<ClaimOutcome>;
  /** Mark a claimed key as done and keep it for `ttlMs` (two-phase idempotency). */
  complete(key: string, ttlMs: number): Promise<void>;
  /** Release a claim so the key can be claimed again (the handler failed; let the retry through). */
  release(key: string): Promise<void>;
}

/** Revocation (denylist) store for token identifiers. */
export interface RevocationStore {
  /** Revoke `id` until `expiresAtMs` (epoch ms), when the token would have expired anyway. */
  revoke(id: string, expiresAtMs: number): Promise<void>;
  /** True when `id` is revoked and its entry has not expired. */
  isRevoked(id: string): Promise<boolean>;
}

/** Outcome of rotating a refresh token. */
export type RotateResult =
  | { readonly status: 'rotated'; readonly familyId: string; readonly subject: string }
  | {
      readonly status: 'grace';
      readonly familyId: string;
      readonly subject: string;
      readonly successorHash: string;
    }
  | { readonly status: 'reused'; readonly familyId: string; readonly subject: string }
  | { readonly status: 'unknown' }
  | { readonly status: 'revoked'; readonly familyId: string };

/** Refresh-token families. Tokens are stored as hashes only. */
export interface RefreshTokenStore {
  /** Start a family with its first token hash. */
  create(familyId: string, subject: string, tokenHash: string, ttlMs: number): Promise<void>;
  /**
   * Atomically retire `presentedHash` and make `nextHash` the family's current token. Presenting a retired
   * token revokes the whole family (`'reused'`), unless it was retired less than `graceMs` ago (`'grace'`).
   */
  rotate(presentedHash: string, nextHash: string, graceMs: number, ttlMs: number): Promise<RotateResult>;
  /** Revoke a whole family (logout, reuse detected). */
  revokeFamily(familyId: string): Promise<void>;
}
