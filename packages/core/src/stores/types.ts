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
 * Result of {@link ReplayStore.claim}. The winner gets a fencing `token`: only the holder of the live claim
 * can complete or release it, so a holder that outlived its claim cannot undo what a later holder did.
 */
export type ClaimResult =
  | { readonly outcome: 'claimed'; readonly token: string }
  | { readonly outcome: 'processing' }
  | { readonly outcome: 'done' };

/**
 * Replay/idempotency store. `claim` is an atomic set-if-absent: the first caller gets `'claimed'` and a
 * fencing token, later callers see whether the claim is still `'processing'` or `'done'`. `complete` and
 * `release` are compare-and-set on that token, each one atomic step.
 */
export interface ReplayStore {
  /** Claim `key` for `ttlMs`; the token is unique to this claim (two claims of one key never share it). */
  claim(key: string, ttlMs: number): Promise<ClaimResult>;
  /**
   * Mark the claim as done and keep it for `ttlMs` (two-phase idempotency). Applies when `token` still holds
   * the claim, or when the claim lapsed and nobody claimed the key since (the work did finish). Returns false,
   * changing nothing, when another claim holds the key or it is already done.
   */
  complete(key: string, token: string, ttlMs: number): Promise<boolean>;
  /**
   * Release the claim so the key can be claimed again (the handler failed; let the retry through). Applies
   * only while `token` holds the claim; returns false, changing nothing, otherwise (a holder that outlived
   * its claim must not delete a later holder's claim or "done" marker).
   */
  release(key: string, token: string): Promise<boolean>;
}

/** Revocation (denylist) store for token identifiers. */
export interface RevocationStore {
  /** Revoke `id` until `expiresAtMs` (epoch ms), when the token would have expired anyway. */
  revoke(id: string, expiresAtMs: number): Promise<void>;
  /** True when `id` is revoked and its entry has not expired. */
  isRevoked(id: string): Promise<boolean>;
}

/**
 * Outcome of {@link RefreshTokenStore.rotate}.
 * - `rotated`: the presented hash was a current token of its family; every current token of the family is
 *   now retired and `nextHash` is the only current one.
 * - `grace`: the presented hash is the family's most recently retired token, retired at most `graceMs` ago
 *   (a client retrying a refresh whose response it lost); `nextHash` is added as one more current token
 *   (at most 8 current tokens per family, beyond which it is `reused`) and nothing is retired.
 * - `reused`: the presented hash was retired (outside the grace rule): the whole family is now revoked.
 * - `revoked`: the family was already revoked (logout or an earlier reuse); nothing changes.
 * - `unknown`: no such hash, or its family has expired; nothing changes.
 */
export type RotateResult =
  | { readonly status: 'rotated'; readonly familyId: string; readonly subject: string }
  | { readonly status: 'grace'; readonly familyId: string; readonly subject: string }
  | { readonly status: 'reused'; readonly familyId: string; readonly subject: string }
  | { readonly status: 'revoked'; readonly familyId: string }
  | { readonly status: 'unknown' };

/**
 * Refresh-token families. Only token hashes reach the store. A family lives `ttlMs` from `create` (its
 * absolute lifetime); every record of it, retired hashes and the revoked flag included, is kept until then
 * so a late reuse is still recognised. A Redis implementation keeps one hash per family and one key per token
 * hash pointing to its family, with a hash tag on the family id, and runs `rotate` as one Lua script.
 */
export interface RefreshTokenStore {
  /** Start a family whose first current token is `tokenHash`. */
  create(familyId: string, subject: string, tokenHash: string, ttlMs: number): Promise<void>;
  /** One atomic step, see {@link RotateResult}. `graceMs` 0 disables the grace rule. */
  rotate(presentedHash: string, nextHash: string, graceMs: number): Promise<RotateResult>;
  /** The family a token hash (current or retired) belongs to, while the family lives. */
  findFamily(tokenHash: string): Promise<string | undefined>;
  /** Revoke a whole family (logout, reuse detected); its tokens are refused until it expires. */
  revokeFamily(familyId: string): Promise<void>;
}
