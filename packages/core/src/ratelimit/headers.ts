import type { HeaderFields } from '../errors.js';
import type { ConsumeResult } from '../stores/types.js';

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
}

/** `"name";q=100;w=60`: the draft-10 RateLimit-Policy item of one policy. */
export function policyItem(name: string, limit: number, windowMs: number): string {
  return `"${name}";q=${limit};w=${Math.max(1, Math.ceil(windowMs / 1000))}`;
}

const seconds = (ms: number): number => (ms <= 0 ? 0 : Math.ceil(ms / 1000));

/**
 * Response fields for the evaluated buckets: `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-
 * ratelimit-headers-10 structured lists), `Retry-After` on denials (delta seconds, at least 1), and with
 * `legacy` the `X-RateLimit-*` trio of the most constrained bucket. `t` and `X-RateLimit-Reset` are the
 * seconds until that bucket is full again (a delta, not a timestamp).
 *
 * @example
 * rateLimitHeaders(states, policies, false, 0)['ratelimit'] // '"ip";r=99;t=1'
 */
export function rateLimitHeaders(
  states: readonly BucketState[],
  policyHeader: string,
  legacy: boolean,
  retryAfterMs: number,
): Record<string, string> {
  let current = '';
  let tightest: BucketState | undefined;
  for (const s of states) {
    if (current !== '') current += ', ';
    current += `"${s.name}";r=${s.result.remaining};t=${seconds(s.result.resetMs)}`;
    if (
      tightest === undefined ||
      s.result.remaining < tightest.result.remaining ||
      (s.result.remaining === tightest.result.remaining && s.result.resetMs > tightest.result.resetMs)
    ) {
      tightest = s;
    }
  }
  const headers: Record<string, string> = { 'ratelimit-policy': policyHeader, ratelimit: current };
  if (retryAfterMs > 0) headers['retry-after'] = String(Math.max(1, seconds(retryAfterMs)));
  if (legacy && tightest !== undefined) {
    headers['x-ratelimit-limit'] = String(tightest.limit);
    headers['x-ratelimit-remaining'] = String(tightest.result.remaining);
    headers['x-ratelimit-reset'] = String(seconds(tightest.result.resetMs));
  }
  return headers;
}

/** A frozen empty header set for requests no bucket applied to. */
export const NO_HEADERS: HeaderFields = Object.freeze({});
