import type { ConsumeResult } from '../stores/types.js';
import type { HeaderList, HeaderPair } from '../verdict.js';

/** One evaluated bucket, as reported to the client and to the app. */
export interface BucketState {
  /** Policy name (`ip`, `user-pro`…). */
  readonly name: string;
  /** Requests per window of the policy. */
  readonly limit: number;
  /** Window of the policy, in seconds. */
  readonly windowSeconds: number;
  /** The store's answer for this bucket. */
  readonly result: ConsumeResult;
  /**
   * Milliseconds until the bucket admits one more request of cost 1 (the `t` of the RateLimit field, the
   * `X-RateLimit-Reset` of legacy headers); undefined when the bucket is full.
   */
  readonly nextUnitMs: number | undefined;
}

/**
 * How `X-RateLimit-Reset` is written: seconds from now (`delta-seconds`, the `t` of RateLimit), or the Unix
 * time in seconds at which the bucket admits one more request (`epoch-seconds`, as GitHub's API does).
 */
export type ResetFormat = 'delta-seconds' | 'epoch-seconds';

/** `"name";q=100;w=60`: the draft-10 RateLimit-Policy item of one policy. */
export function policyItem(name: string, limit: number, windowMs: number): string {
  return `"${name}";q=${limit};w=${Math.max(1, Math.ceil(windowMs / 1000))}`;
}

// A limiter's policy field is the same string from request to request (one fixed at construction for the
// rate shorthand): its pair is reused while it does not change.
let lastPolicy: HeaderPair = Object.freeze(['ratelimit-policy', ''] as const);
function policyPair(policy: string): HeaderPair {
  if (lastPolicy[1] !== policy) lastPolicy = Object.freeze(['ratelimit-policy', policy] as const);
  return lastPolicy;
}

const seconds = (ms: number): number => (ms <= 0 ? 0 : Math.ceil(ms / 1000));

/** `"name";r=`: how the RateLimit item of the policy `name` starts. */
export function itemHead(name: string): string {
  return `"${name}";r=`;
}

/** The RateLimit item of one bucket: {@link itemHead}, the units left, and `t` unless the bucket is full. */
export function rateLimitItem(head: string, remaining: number, nextUnitMs: number | undefined): string {
  return nextUnitMs === undefined ? `${head}${remaining}` : `${head}${remaining};t=${seconds(nextUnitMs)}`;
}

/** `Retry-After` of a denial that waits `retryAfterMs` (> 0): delta seconds, at least 1. */
export function retryAfterPair(retryAfterMs: number): HeaderPair {
  return ['retry-after', String(Math.max(1, seconds(retryAfterMs)))];
}

/**
 * The `X-RateLimit-*` trio of the bucket that reports: its limit, the units left, and the reset (see
 * {@link rateLimitHeaders}), pushed onto `headers`.
 */
export function pushLegacy(
  headers: HeaderPair[],
  state: BucketState,
  legacy: ResetFormat,
  nowMs: number,
): void {
  const wait = seconds(state.nextUnitMs ?? 0);
  // The whole seconds of the delta are added to the current second, rounded up, so both forms name the
  // same instant and a client never retries before the delta it would otherwise have been given.
  headers.push(
    ['x-ratelimit-limit', String(state.limit)],
    ['x-ratelimit-remaining', String(state.result.remaining)],
    ['x-ratelimit-reset', String(legacy === 'delta-seconds' ? wait : Math.ceil(nowMs / 1000) + wait)],
  );
}

/**
 * Response fields for the evaluated buckets: `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-
 * ratelimit-headers-10 structured lists), `Retry-After` on denials (delta seconds, at least 1), and with
 * `legacy` the `X-RateLimit-*` trio of one bucket: on a denial the refusing bucket that waits longest, else
 * the one with the fewest requests left. `t` is the seconds until that bucket admits one more request
 * (draft §4.1.2: until additional quota is made available), left out for a bucket that is full; a refusing
 * bucket's `t` is never later than `Retry-After` (draft §6). `X-RateLimit-Reset` is the same instant, as
 * that delta (0 for a full bucket) or, with `epoch-seconds`, as the Unix time in seconds `nowMs` + delta,
 * rounded up (the current second for a full bucket).
 *
 * @example
 * rateLimitHeaders(states, policies, false, 0) // [['ratelimit-policy', …], ['ratelimit', '"ip";r=99;t=1']]
 */
export function rateLimitHeaders(
  states: readonly BucketState[],
  policyHeader: string,
  legacy: ResetFormat | undefined,
  retryAfterMs: number,
  nowMs = 0,
): HeaderList {
  let current = '';
  let reported: BucketState | undefined;
  for (const s of states) {
    if (current !== '') current += ', ';
    current += rateLimitItem(itemHead(s.name), s.result.remaining, s.nextUnitMs);
    if (reported === undefined || reports(s, reported)) reported = s;
  }
  const headers: HeaderPair[] = [policyPair(policyHeader), ['ratelimit', current]];
  if (retryAfterMs > 0) headers.push(retryAfterPair(retryAfterMs));
  if (legacy !== undefined && reported !== undefined) pushLegacy(headers, reported, legacy, nowMs);
  return headers;
}

/** Whether `a` rather than `b` is the bucket the legacy trio describes. */
function reports(a: BucketState, b: BucketState): boolean {
  if (a.result.allowed !== b.result.allowed) return !a.result.allowed;
  if (!a.result.allowed) return a.result.retryAfterMs > b.result.retryAfterMs;
  if (a.result.remaining !== b.result.remaining) return a.result.remaining < b.result.remaining;
  return (a.nextUnitMs ?? 0) > (b.nextUnitMs ?? 0);
}
