import { type ClientIpResolver, type KeyedClient, resolveKeyed } from '../http/client-ip.js';
import type { RequestLike } from '../http/request.js';
import { allow, type Verdict } from '../verdict.js';
import type { CompiledBucket, CompiledRate, RateLimitContext } from './buckets.js';
import type { RateLimitInfo } from './limiter.js';
import type { LimiterReports } from './limiter-reports.js';
import type { StoreEntry } from './store-call.js';
import { KEY_CACHE_MAX, StoreKeys } from './store-keys.js';

/** What one check charges: the store entries, the rate of each, the client address. */
export class Plan {
  constructor(
    readonly ip: string | undefined,
    readonly entries: StoreEntry[],
    readonly rates: readonly CompiledRate[],
  ) {}
}

type Cost = number | ((req: RequestLike, context: RateLimitContext) => number);

/** The buckets one request is charged in, before the store is asked: everything but the store call. */
export class Planner {
  /**
   * When every bucket is a fixed-rate IP bucket (the `rate` shorthand, or IP buckets only), which rates
   * apply and the RateLimit-Policy they give are the same for every request: computed once here.
   */
  readonly fixed: readonly CompiledRate[] | undefined;
  readonly fixedPolicy: string | undefined;
  /** Filled by the synchronous start of each check, read before its first await. */
  readonly who: KeyedClient = { ip: undefined, key: undefined };
  private readonly storeKeys = new StoreKeys();
  // The fixed rates' store keys by client bucket, built once per client instead of per request: the resolver
  // hands back the same bucket string for a peer, so this lookup finds its hash computed, and the store then
  // gets the same key string every time (hash computed, compared by identity) rather than a new one to build.
  private readonly fixedKeys = new Map<string, readonly string[]>();

  constructor(
    private readonly buckets: readonly CompiledBucket[],
    private readonly cost: Cost,
    private readonly clientIp: ClientIpResolver,
    private readonly reports: LimiterReports,
  ) {
    this.fixed = buckets.every((b) => b.key === 'ip' && b.byTier === undefined && !b.perRoute)
      ? buckets.map((b) => b.rates[0]!)
      : undefined;
    this.fixedPolicy = this.fixed?.map((r) => r.policy).join(', ');
  }

  /** The store keys of the fixed rates for the client bucket `ipKey`. */
  fixedKeysOf(ipKey: string): readonly string[] {
    let keys = this.fixedKeys.get(ipKey);
    if (keys === undefined) {
      if (this.fixedKeys.size >= KEY_CACHE_MAX) this.fixedKeys.clear();
      keys = this.fixed!.map((r) => `${r.keyPrefix}|${ipKey}`);
      this.fixedKeys.set(ipKey, keys);
    }
    return keys;
  }

  /** The charge of `req`: a non-negative safe integer from the cost function, else 1. */
  requestCost(req: RequestLike, context: RateLimitContext): number {
    const cost = this.cost;
    if (typeof cost !== 'function') return cost;
    const c = cost(req, context);
    return Number.isSafeInteger(c) && c >= 0 ? c : 1;
  }

  plan(req: RequestLike, context: RateLimitContext): Plan | Verdict<RateLimitInfo> {
    const requestCost = this.requestCost(req, context);
    const { fixed, who, clientIp } = this;
    if (fixed !== undefined) {
      // Never one shared bucket for every client whose address is unknown: one of them could then
      // refuse service to all the others. Refused, loudly, until the address is provided.
      if (!resolveKeyed(clientIp, req, who)) return this.reports.unknownClient(req);
      const keys = this.fixedKeysOf(who.key!);
      const entries = new Array<StoreEntry>(fixed.length);
      for (let i = 0; i < fixed.length; i++) {
        const rate = fixed[i]!;
        // A cost above the burst could never be admitted; it takes the whole bucket instead.
        entries[i] = { key: keys[i]!, rule: rate.rule, cost: Math.min(requestCost, rate.rule.burst) };
      }
      return new Plan(who.ip, entries, fixed);
    }
    let ip: string | undefined;
    let ipKey: string | undefined;
    const entries: StoreEntry[] = [];
    const applied: CompiledRate[] = [];
    for (const b of this.buckets) {
      let identity: string;
      if (b.key === 'ip') {
        if (ipKey === undefined) {
          // As above: an unknown client is refused, never one shared bucket.
          if (!resolveKeyed(clientIp, req, who)) return this.reports.unknownClient(req);
          ip = who.ip;
          ipKey = who.key!;
        }
        identity = ipKey;
      } else {
        const raw =
          b.key === 'subject'
            ? (context.subject ?? context.claims?.sub)
            : b.key === 'apiKey'
              ? context.apiKey
              : b.key(req, context);
        if (typeof raw !== 'string' || raw === '') continue;
        identity = this.storeKeys.identity(b.key === 'subject' ? 'subject' : 'secret', raw);
      }
      let rate = b.rates[0]!;
      if (b.byTier !== undefined) {
        const t = b.tier!(req, context);
        rate = (t === undefined ? undefined : b.byTier.get(t)) ?? rate;
      }
      let prefix = rate.keyPrefix;
      if (b.perRoute) {
        const route = context.route;
        if (route === undefined || route === '') {
          this.reports.routeUnknown(req);
          continue;
        }
        prefix = this.storeKeys.routePrefix(prefix, route);
      }
      // A cost above the burst could never be admitted; it takes the whole bucket instead.
      const charge = Math.min(requestCost, rate.rule.burst);
      entries.push({ key: this.storeKeys.storeKey(prefix, identity), rule: rate.rule, cost: charge });
      applied.push(rate);
    }
    if (entries.length === 0) return allow({ clientIp: ip, buckets: [] });
    return new Plan(ip, entries, applied);
  }
}
