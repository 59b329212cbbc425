import { EVENTS } from '../observe/reporter.js';
import { observedCheck, timedOperation } from '../observe/telemetry.js';
import type { ClientIpResolver } from '../http/client-ip.js';
import { resolveKeyed } from '../http/client-ip.js';
import type { RequestLike } from '../http/request.js';
import type { ConsumeResult } from '../stores/types.js';
import { RULE, type Rule } from '../rule.js';
import type { Verdict } from '../verdict.js';
import type { RateLimitContext } from './buckets.js';
import { Decision, SingleDecision } from './decide.js';
import { limiterSettings, type RateLimiterOptions } from './limiter-options.js';
import { LimiterReports } from './limiter-reports.js';
import { Plan, Planner } from './plan.js';
import type { BucketState } from './rate-limit-fields.js';
import { consumeWithTimeout, type StoreEntry } from './store-call.js';

export type { RateLimiterOptions } from './limiter-options.js';
export { hashKeyPart } from './store-keys.js';

/** What an allowed request established. */
export interface RateLimitInfo {
  /** Client address used for `ip` buckets. */
  readonly clientIp: string | undefined;
  /** Every bucket that applied. */
  readonly buckets: readonly BucketState[];
}

/** A configured rate limiter. */
export interface RateLimiter extends Rule<'ratelimit'> {
  /**
   * Count the request in every bucket that applies; 429 (with headers) when any is exhausted. When the
   * store fails and `failMode` is `open`, the request is allowed with `degraded` set to
   * `RATELIMIT_STORE_UNAVAILABLE`.
   */
  check(req: RequestLike, context?: RateLimitContext): Promise<Verdict<RateLimitInfo>>;
  /**
   * Count a request that another rule refused before this limiter saw it (a bad or missing token), so a
   * flood of refused requests still spends the client's quota. Nothing the request claimed is established
   * (a certificate-bound refusal even carries someone else's claims), so it counts only in the buckets that
   * need no verified identity: client IP, `route` when given, and key functions (which get no claims). 429
   * once those are spent, replacing the refusal; otherwise allowed, with the RateLimit fields to add to it.
   *
   * @example
   * const v = await limiter.countRefused(req, '/orders'); // after requireJwt refused req
   */
  countRefused(req: RequestLike, route?: string): Promise<Verdict<RateLimitInfo>>;
  /**
   * True when what this limiter decides cannot depend on who the request is: every bucket is keyed by the
   * client IP, with no tier function and no cost function (which could read verified claims). Such a
   * limiter gives the same answer before authentication as after, so adapters run it first: a flood over
   * the limit is refused without a signature check, and a refused token is counted like any request.
   */
  readonly beforeAuthentication: boolean;
  /** The resolver used for client IPs (share it with other rules). */
  readonly clientIp: ClientIpResolver;
  readonly name: string;
}

const EMPTY_CONTEXT: RateLimitContext = Object.freeze({});

/** A limiter's check that decides without waiting: see {@link synchronousCheck}. */
export type SynchronousCheck = (req: RequestLike, context?: RateLimitContext) => Verdict<RateLimitInfo>;

// Registered: a limiter built by another installed copy of core still offers its synchronous check.
const CHECK_NOW: unique symbol = Symbol.for('bulwark.ratelimit.checkNow');

/**
 * The synchronous form of `limiter.check`, when the limiter's store answers synchronously (the default memory
 * store); undefined otherwise (a network store, or a limiter not built by `createRateLimiter`). It decides
 * exactly as `check` does (same verdict, same events and telemetry) without a promise, so an adapter whose
 * framework takes callback-style hooks can let an allowed request continue without a microtask hop.
 *
 * @example
 * const now = synchronousCheck(limiter);
 * const verdict = now !== undefined ? now(req) : await limiter.check(req);
 */
export function synchronousCheck(limiter: RateLimiter): SynchronousCheck | undefined {
  const now = (limiter as { [CHECK_NOW]?: unknown })[CHECK_NOW];
  return typeof now === 'function' ? (now as SynchronousCheck) : undefined;
}

/**
 * Build a GCRA rate limiter with one or more buckets. Validates everything now: zero, negative or NaN
 * limits, unknown key kinds and bad names throw a `ConfigError`.
 *
 * @example
 * const limiter = createRateLimiter({
 *   clientIp: { trustedProxies: ['10.0.0.0/8'] },
 *   buckets: [
 *     { name: 'ip', rate: '100/min', burst: 20 },
 *     { name: 'user', key: 'subject', rate: '1000/min' },
 *   ],
 * });
 * const v = await limiter.check(req, { subject: claims.sub });
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { name, buckets, cost, failMode, timeoutMs, events, store, sync, clientIp, legacy, clock } =
    limiterSettings(options);
  const reports = new LimiterReports(name, failMode, clientIp, events);
  const planner = new Planner(buckets, cost, clientIp, reports);
  const { fixed, who } = planner;
  const general = new Decision(reports, legacy, clock, planner.fixedPolicy);
  // One fixed-rate bucket (the `rate` shorthand): its verdicts are written without the general loop.
  const single = fixed?.length === 1 ? new SingleDecision(fixed[0]!, reports, legacy, clock) : undefined;
  const decide = (
    req: RequestLike,
    planned: Plan,
    results: readonly ConsumeResult[],
  ): Verdict<RateLimitInfo> =>
    single !== undefined && results.length === 1
      ? single.decide(req, planned.ip, results[0]!)
      : general.decide(req, planned.ip, planned.rates, results);

  const limiter: RateLimiter = {
    [RULE]: 'ratelimit',
    [EVENTS]: events,
    name,
    clientIp,
    beforeAuthentication:
      typeof cost !== 'function' && buckets.every((b) => b.key === 'ip' && b.tier === undefined),
    countRefused(req, route) {
      return limiter.check(req, route === undefined ? EMPTY_CONTEXT : { route });
    },
    check: observedCheck(
      'ratelimit',
      events,
      async (req: RequestLike, context: RateLimitContext = EMPTY_CONTEXT) => {
        const planned = planner.plan(req, context);
        if (!(planned instanceof Plan)) return planned;
        if (sync !== undefined) return decide(req, planned, sync.consumeAllSync(planned.entries));
        let results: readonly ConsumeResult[];
        try {
          results = await timedOperation(
            'ratelimit.store.consume',
            consumeWithTimeout(store, planned.entries, timeoutMs),
          );
        } catch (err) {
          return reports.storeFailed(req, err);
        }
        reports.storeAnswered();
        return decide(req, planned, results);
      },
    ),
  };
  if (sync !== undefined) {
    // The same decision as `check`, without a promise: the memory store answers synchronously, so an adapter
    // whose framework takes callback-style hooks lets an allowed request go on without a microtask hop.
    // With one fixed-rate IP bucket (the `rate` shorthand) and a fixed cost, the store entry is a scratch
    // object, refilled per check: the memory store reads it synchronously and keeps nothing of it.
    const scratch: StoreEntry[] | undefined =
      single !== undefined && typeof cost !== 'function'
        ? [{ key: '', rule: fixed![0]!.rule, cost: Math.min(cost, fixed![0]!.rule.burst) }]
        : undefined;
    const now = observedCheck(
      'ratelimit',
      events,
      (req: RequestLike, context: RateLimitContext = EMPTY_CONTEXT): Verdict<RateLimitInfo> => {
        if (scratch !== undefined) {
          if (!resolveKeyed(clientIp, req, who)) return reports.unknownClient(req);
          const entry = scratch[0]!;
          entry.key = planner.fixedKeysOf(who.key!)[0]!;
          return single!.decide(req, who.ip, sync.consumeAllSync(scratch)[0]!);
        }
        const planned = planner.plan(req, context);
        if (!(planned instanceof Plan)) return planned;
        return decide(req, planned, sync.consumeAllSync(planned.entries));
      },
    );
    (limiter as { [CHECK_NOW]?: SynchronousCheck })[CHECK_NOW] = now;
  }
  return limiter;
}
