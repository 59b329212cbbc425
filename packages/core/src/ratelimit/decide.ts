import type { RequestLike } from '../http/request.js';
import type { ConsumeResult } from '../stores/types.js';
import { allow, deny, type HeaderList, type HeaderPair, type Verdict } from '../verdict.js';
import type { CompiledRate } from './buckets.js';
import { limitedError } from './errors.js';
import { nextUnitMs } from './gcra.js';
import type { RateLimitInfo } from './limiter.js';
import type { LimiterReports } from './limiter-reports.js';
import {
  type BucketState,
  itemHead,
  pushLegacy,
  type ResetFormat,
  rateLimitHeaders,
  rateLimitItem,
  retryAfterPair,
} from './rate-limit-fields.js';

/**
 * The 429 of a denial with these fields, shared between identical denials (`limitedError`). Every field's value
 * is in the key: two denials with the same RateLimit, Retry-After and reset can still differ in which bucket the
 * legacy X-RateLimit-Limit/Remaining describe (the refusing bucket that waits longest).
 */
function limitedVerdict(headers: HeaderList): Verdict<RateLimitInfo> {
  let key = '';
  for (let i = 0; i < headers.length; i++) key += `${headers[i]![1]}\n`;
  return deny(limitedError(headers, key));
}

/** What the store's answers mean for the client: the verdict and its RateLimit fields, any number of buckets. */
export class Decision {
  constructor(
    private readonly reports: LimiterReports,
    private readonly legacy: ResetFormat | undefined,
    private readonly clock: () => number,
    /** The policy field when the rates are the same for every request (see `Planner.fixed`). */
    private readonly fixedPolicy: string | undefined,
  ) {}

  /** The verdict from the store's answers (`results[i]` for `rates[i]`). */
  decide(
    req: RequestLike,
    ip: string | undefined,
    rates: readonly CompiledRate[],
    results: readonly ConsumeResult[],
  ): Verdict<RateLimitInfo> {
    const { fixedPolicy, legacy } = this;
    const states: BucketState[] = [];
    let policy = fixedPolicy ?? '';
    let retryAfterMs = 0;
    let denied: string[] | undefined;
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      const rate = rates[i]!;
      states.push({
        name: rate.policyName,
        limit: rate.limit,
        windowSeconds: rate.windowSeconds,
        result: r,
        nextUnitMs: nextUnitMs(r, rate.rule),
      });
      if (fixedPolicy === undefined) policy = policy === '' ? rate.policy : `${policy}, ${rate.policy}`;
      if (!r.allowed) {
        if (denied === undefined) denied = [];
        denied.push(rate.policyName);
        if (r.retryAfterMs > retryAfterMs) retryAfterMs = r.retryAfterMs;
      }
    }
    const nowMs = legacy === 'epoch-seconds' ? this.clock() : 0;
    const headers = rateLimitHeaders(states, policy, legacy, retryAfterMs, nowMs);
    if (denied === undefined) return allow({ clientIp: ip, buckets: states }, headers);
    this.reports.limited(req, ip, denied, retryAfterMs);
    return limitedVerdict(headers);
  }
}

/**
 * {@link Decision} for a limiter of one fixed-rate bucket (the `rate` shorthand, the common per-IP policy):
 * the same verdict, fields and events, written straight from the one answer. Its item head and policy pair
 * are built once with the limiter, where the general path loops over the buckets and builds both per request.
 */
export class SingleDecision {
  private readonly head: string;
  private readonly policyPair: HeaderPair;

  constructor(
    private readonly rate: CompiledRate,
    private readonly reports: LimiterReports,
    private readonly legacy: ResetFormat | undefined,
    private readonly clock: () => number,
  ) {
    this.head = itemHead(rate.policyName);
    this.policyPair = Object.freeze(['ratelimit-policy', rate.policy] as const);
  }

  /** The verdict from the store's answer for the one bucket. */
  decide(req: RequestLike, ip: string | undefined, result: ConsumeResult): Verdict<RateLimitInfo> {
    const { rate, legacy } = this;
    const next = nextUnitMs(result, rate.rule);
    const state: BucketState = {
      name: rate.policyName,
      limit: rate.limit,
      windowSeconds: rate.windowSeconds,
      result,
      nextUnitMs: next,
    };
    const headers: HeaderPair[] = [
      this.policyPair,
      ['ratelimit', rateLimitItem(this.head, result.remaining, next)],
    ];
    // As the general path: the wait of a refusing bucket, when it is a positive number.
    const retryAfterMs = !result.allowed && result.retryAfterMs > 0 ? result.retryAfterMs : 0;
    if (retryAfterMs > 0) headers.push(retryAfterPair(retryAfterMs));
    if (legacy !== undefined) {
      pushLegacy(headers, state, legacy, legacy === 'epoch-seconds' ? this.clock() : 0);
    }
    if (result.allowed) return allow({ clientIp: ip, buckets: [state] }, headers);
    this.reports.limited(req, ip, [rate.policyName], retryAfterMs);
    return limitedVerdict(headers);
  }
}
