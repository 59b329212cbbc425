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

/** A new refresh-token family, as {@link RefreshTokenStore.create} records it. */
export interface NewRefreshFamily {
  readonly familyId: string;
  readonly subject: string;
  /** The client the family is issued to: every rotation must come from this client (RFC 6749 §6). */
  readonly clientId: string;
  /** Hash of the first token. */
  readonly tokenHash: string;
  /** Absolute lifetime of the family; rotation never extends it. */
  readonly ttlMs: number;
}

/** One rotation request, as {@link RefreshTokenStore.rotate} receives it. */
export interface RotateRequest {
  /** The family the presented token names (the rotator derives it from the token). */
  readonly familyId: string;
  /** The client presenting the token. */
  readonly clientId: string;
  readonly presentedHash: string;
  /** Hash of the successor, which becomes the family's current token when the presented one is current. */
  readonly nextHash: string;
  /**
   * The successor, sealed with a key derived from the presented token: kept with the family so a retry of
   * the same token within `graceMs` gets the same successor back, and useless to anyone without that token.
   */
  readonly sealedNext: string;
  /** How long the token rotated last may be presented again for the same successor; 0 disables it. */
  readonly graceMs: number;
}

/**
 * Outcome of {@link RefreshTokenStore.rotate}, checked in this order:
 * - `unknown`: no such family, or it has expired; nothing changes.
 * - `revoked`: the family was already revoked (logout or an earlier reuse); nothing changes.
 * - `client_mismatch`: the family belongs to another client; the family is now revoked (a token that left
 *   its client is compromised, RFC 9700 §4.14). `clientId` is the client the family is bound to.
 * - `rotated`: the presented hash was the current token; `nextHash` is now current, the presented hash is
 *   kept as the one previous token (with the time and `sealedNext`), and `generation` counts rotations.
 * - `repeated`: the presented hash is the previous token, rotated at most `graceMs` ago, and its successor
 *   has not been used: nothing changes and the stored `sealedNext` / `nextHash` of that rotation come back,
 *   so a client whose response was lost (or a store reply that came too late) gets the same token again.
 * - `reused`: any other token of the family (it names the family, so it was issued in it: an older
 *   generation): the whole family is now revoked.
 *
 * Only the current and the previous hash are kept per family, however often it rotates: older tokens are
 * recognised as the family's by the family id they carry, not by a stored hash.
 */
export type RotateResult =
  | {
      readonly status: 'rotated';
      readonly familyId: string;
      readonly subject: string;
      readonly clientId: string;
      readonly generation: number;
    }
  | {
      readonly status: 'repeated';
      readonly familyId: string;
      readonly subject: string;
      readonly clientId: string;
      readonly generation: number;
      readonly sealedNext: string;
      readonly nextHash: string;
    }
  | {
      readonly status: 'reused';
      readonly familyId: string;
      readonly subject: string;
      readonly clientId: string;
      readonly generation: number;
    }
  | {
      readonly status: 'client_mismatch';
      readonly familyId: string;
      readonly subject: string;
      readonly clientId: string;
    }
  | { readonly status: 'revoked'; readonly familyId: string }
  | { readonly status: 'unknown' };

/**
 * Refresh-token families: one fixed-size record per family (subject, client, revoked flag, generation,
 * current hash, previous hash with its time and sealed successor), kept for the family's absolute lifetime
 * `ttlMs` from `create`. Only hashes and sealed values reach the store. Rotation never adds a record, so a
 * client rotating in a loop cannot grow the store. A Redis implementation keeps one hash per family (its
 * own hash tag) and runs `rotate` as one Lua script.
 */
export interface RefreshTokenStore {
  /** Start a family whose current token is `tokenHash`, bound to `clientId`. */
  create(family: NewRefreshFamily): Promise<void>;
  /** One atomic step, see {@link RotateResult}. */
  rotate(request: RotateRequest): Promise<RotateResult>;
  /** Revoke a whole family (logout, reuse detected). Resolves false when no live family has this id. */
  revokeFamily(familyId: string): Promise<boolean>;
}
