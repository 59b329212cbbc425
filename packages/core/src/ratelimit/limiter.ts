import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import {
  type ClientIpResolver,
  type ClientIpResolverOptions,
  clientIpResolverAt,
  type KeyedClient,
  resolveKeyed,
} from '../http/client-ip.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { isCloudflareWorkers } from '../http/runtime.js';
import { EVENTS, Reporter, reporterOf } from '../observe/reporter.js';
import { observedCheck, timedOperation } from '../observe/telemetry.js';
import {
  createMemoryRateLimitStore,
  SYNC_STORE,
  type MemoryRateLimitStore,
} from '../stores/memory-ratelimit.js';
import type { ConsumeResult, RateLimitStore } from '../stores/types.js';
import { RULE, type Rule } from '../rule.js';
import { allow, allowDegraded, deny, type HeaderList, type Verdict } from '../verdict.js';
import { type CompiledRate, compileBuckets, type RateLimitBucket, type RateLimitContext } from './buckets.js';
import { limitedError, RATELIMIT_ERRORS } from './errors.js';
import { nextUnitMs } from './gcra.js';
import { type BucketState, type ResetFormat, rateLimitHeaders } from './rate-limit-fields.js';
import { consumeWithTimeout, type StoreEntry, StoreTimeout } from './store-call.js';
import type { RateSpec } from './rate.js';
import { KEY_CACHE_MAX, StoreKeys } from './store-keys.js';

export { hashKeyPart } from './store-keys.js';

/** Options of {@link createRateLimiter}. Give `rate` (one per-IP bucket) or `buckets`. */
export interface RateLimiterOptions {
  /** Limiter name, the first part of every store key (default `rl`). Two limiters sharing a store need two names. */
  name?: string;
  /** Shorthand for one per-IP bucket named `ip`. */
  rate?: RateSpec;
  /** Burst of the shorthand bucket (default: the whole limit). */
  burst?: number;
  /** Several buckets evaluated together; all must allow, and a denial consumes none. */
  buckets?: readonly RateLimitBucket[];
  /** Cost of a request (default 1); a function may charge expensive requests more. */
  cost?: number | ((req: RequestLike, context: RateLimitContext) => number);
  /** Where bucket state lives. Default: a bounded memory store (one process). */
  store?: RateLimitStore;
  /** How the client IP is found: a shared resolver, or options for a new one. */
  clientIp?: ClientIpResolver | ClientIpResolverOptions;
  /** When the store fails or is slow: `open` (default) lets the request through, `closed` answers 503. */
  failMode?: 'open' | 'closed';
  /** Longest wait for a network store before `failMode` applies (default 200 ms, 1–10 000). */
  storeTimeoutMs?: number;
  /**
   * Also send `X-RateLimit-Limit/Remaining/Reset`. `true` writes Reset in delta seconds (the `t` of
   * RateLimit); `{ reset: 'epoch-seconds' }` writes it as the Unix time in seconds, as GitHub's API does.
   * Default false.
   */
  legacyHeaders?: boolean | { readonly reset?: ResetFormat };
  /**
   * Receives `ratelimit.limited`, `ratelimit.store_error` (each failing call), `ratelimit.store_failing` and
   * `ratelimit.store_recovered` (once per outage), `ratelimit.client_ip_unknown` (once). Without any hook
   * (here or the app's), the once-per-condition ones are logged (docs/observability.md).
   */
  onEvent?: OnEvent;
  /** Clock for the default memory store, for tests. */
  now?: () => number;
}

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

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const LIMITER_KEYS = optionKeys<RateLimiterOptions>()(
  'name',
  'rate',
  'burst',
  'buckets',
  'cost',
  'store',
  'clientIp',
  'failMode',
  'storeTimeoutMs',
  'legacyHeaders',
  'onEvent',
  'now',
);
// What a request let through by a failing store was counted in: nothing.
const NOT_COUNTED: RateLimitInfo = Object.freeze({ clientIp: undefined, buckets: Object.freeze([]) });
const EMPTY_CONTEXT: RateLimitContext = Object.freeze({});

/** The value of field `name` in `headers`, `-` when absent. */
function fieldOf(headers: HeaderList, name: string): string {
  for (let i = 0; i < headers.length; i++) if (headers[i]![0] === name) return headers[i]![1];
  return '-';
}

/** What one check charges: the store entries, the rate of each, the client address. */
class Plan {
  constructor(
    readonly ip: string | undefined,
    readonly entries: StoreEntry[],
    readonly rates: readonly CompiledRate[],
  ) {}
}

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
 * express-rate-limit's (and @fastify/rate-limit's) shape, `{ windowMs, limit }` / `{ windowMs, max }` /
 * `{ timeWindow, max }`: named as what the user wrote, with the bulwark option that means the same.
 */
function refuseForeignShape(options: RateLimiterOptions): void {
  if (typeof options !== 'object' || options === null) return;
  const o = options as Record<string, unknown>;
  const window = 'windowMs' in o ? 'windowMs' : 'timeWindow' in o ? 'timeWindow' : undefined;
  const count = 'limit' in o ? 'limit' : 'max' in o ? 'max' : undefined;
  if (window === undefined && count === undefined) return;
  const limit = typeof o[count ?? ''] === 'number' ? (o[count ?? ''] as number) : 100;
  const given = o[window ?? ''];
  const ms = window === undefined ? 60_000 : typeof given === 'number' ? given : '<the window in ms>';
  const wrote = [window, count].filter((k) => k !== undefined).map((k) => `${k}: ${JSON.stringify(o[k!])}`);
  throw new ConfigError(
    `ratelimit.${window ?? count}`,
    `{ ${wrote.join(', ')} } is express-rate-limit's shape; bulwark takes the rate as one option`,
    `use rate: { limit: ${limit}, windowMs: ${ms} }${ms === 60_000 ? ` (or rate: '${limit}/min')` : ''}`,
  );
}

/** The `X-RateLimit-Reset` form `legacyHeaders` asks for, or undefined for none. */
function legacyFormat(option: RateLimiterOptions['legacyHeaders']): ResetFormat | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return 'delta-seconds';
  const o = checkOptions('ratelimit.legacyHeaders', option, ['reset']) as { reset?: unknown };
  if (o.reset === undefined || o.reset === 'delta-seconds' || o.reset === 'epoch-seconds') {
    return o.reset ?? 'delta-seconds';
  }
  throw new ConfigError(
    'ratelimit.legacyHeaders.reset',
    `${JSON.stringify(o.reset)} is not a reset format`,
    "use 'delta-seconds' (the default, as RateLimit's t) or 'epoch-seconds' (Unix time, as GitHub)",
  );
}

function isResolver(value: unknown): value is ClientIpResolver {
  return typeof (value as ClientIpResolver | undefined)?.key === 'function';
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
  refuseForeignShape(options);
  checkOptions('ratelimit', options, LIMITER_KEYS);
  const name = options.name ?? 'rl';
  if (!NAME.test(name))
    throw new ConfigError('ratelimit.name', 'must be 1–32 letters, digits, _ . -', "e.g. 'api'");
  if (options.buckets !== undefined && (options.rate !== undefined || options.burst !== undefined)) {
    throw new ConfigError('ratelimit.rate', 'is set together with buckets', 'put the rate inside a bucket');
  }
  const buckets = compileBuckets(
    name,
    options.buckets ?? [
      {
        name: 'ip',
        rate: options.rate as RateSpec,
        ...(options.burst !== undefined ? { burst: options.burst } : {}),
      },
    ],
    options.buckets === undefined,
  );
  const minBurst = Math.min(...buckets.flatMap((b) => b.rates.map((r) => r.rule.burst)));
  const cost = options.cost ?? 1;
  // A cost above the smallest burst could never be paid: every request would be refused.
  if (typeof cost !== 'function') numberOption('ratelimit.cost', cost, { min: 1, max: minBurst });
  const failMode = options.failMode ?? 'open';
  if (failMode !== 'open' && failMode !== 'closed') {
    throw new ConfigError(
      'ratelimit.failMode',
      `'${String(failMode)}' is not a mode`,
      "use 'open' or 'closed'",
    );
  }
  const timeoutMs = numberOption('ratelimit.storeTimeoutMs', options.storeTimeoutMs, {
    min: 1,
    max: 10_000,
    fallback: 200,
  });
  const events = new Reporter(options.onEvent, 'ratelimit');
  const onEvent = events.emit;
  const store = options.store ?? createMemoryRateLimitStore(options.now ? { now: options.now } : {});
  if (typeof store?.consume !== 'function') {
    throw new ConfigError(
      'ratelimit.store',
      'does not implement RateLimitStore',
      'pass createMemoryRateLimitStore() or a Redis store',
    );
  }
  const sync =
    (store as Partial<MemoryRateLimitStore>)[SYNC_STORE] === true
      ? (store as MemoryRateLimitStore)
      : undefined;
  const clientIp = isResolver(options.clientIp)
    ? options.clientIp
    : clientIpResolverAt('ratelimit.clientIp.', options.clientIp ?? {});
  const resolverEvents = reporterOf(clientIp);
  if (resolverEvents !== undefined) events.adopt(resolverEvents);
  if (isCloudflareWorkers() && clientIp.platform === undefined && buckets.some((b) => b.key === 'ip')) {
    throw new ConfigError(
      'ratelimit.clientIp.platform',
      'is not set, and on Cloudflare Workers there is no socket address: every client would be one IP bucket',
      "name the platform: clientIp: { platform: 'cloudflare' } (the client address Cloudflare's edge writes into cf-connecting-ip)",
    );
  }
  const legacy = legacyFormat(options.legacyHeaders);
  const clock = options.now ?? Date.now;
  let warnedUnknownIp = false;
  let storeDown = false;
  let warnedNoRoute = false;
  const storeKeys = new StoreKeys();
  // Filled by the synchronous start of each check, read before its first await.
  const who: KeyedClient = { ip: undefined, key: undefined };
  // When every bucket is a fixed-rate IP bucket (the `rate` shorthand, or IP buckets only), which rates apply
  // and the RateLimit-Policy they give are the same for every request: computed once here.
  const fixed = buckets.every((b) => b.key === 'ip' && b.byTier === undefined && !b.perRoute)
    ? buckets.map((b) => b.rates[0]!)
    : undefined;
  const fixedPolicy = fixed?.map((r) => r.policy).join(', ');
  // Their store keys by client bucket, built once per client instead of per request: the resolver hands back
  // the same bucket string for a peer, so this lookup finds its hash computed, and the store then gets the
  // same key string every time (hash computed, compared by identity) rather than a new one to build and hash.
  const fixedKeys = new Map<string, readonly string[]>();
  const storeKeysOf = (rates: readonly CompiledRate[], ipKey: string): readonly string[] => {
    let keys = fixedKeys.get(ipKey);
    if (keys === undefined) {
      if (fixedKeys.size >= KEY_CACHE_MAX) fixedKeys.clear();
      keys = rates.map((r) => `${r.keyPrefix}|${ipKey}`);
      fixedKeys.set(ipKey, keys);
    }
    return keys;
  };

  const storeFailed = (req: RequestLike, err: unknown): Verdict<RateLimitInfo> => {
    const detail = err instanceof StoreTimeout ? err.message : `store failed: ${String(err)}`;
    emit(onEvent, {
      type: 'ratelimit.store_error',
      ...(failMode === 'closed' ? { code: RATELIMIT_ERRORS.storeUnavailable.code } : {}),
      detail,
      method: req.method,
      path: requestPath(req.url),
      data: { limiter: name, failMode },
    });
    if (!storeDown) {
      storeDown = true;
      emit(onEvent, {
        type: 'ratelimit.store_failing',
        code: RATELIMIT_ERRORS.storeUnavailable.code,
        detail:
          failMode === 'open'
            ? `ratelimit '${name}': the store is failing and requests are let through UNCOUNTED (failMode 'open') until it answers again: ${detail}`
            : `ratelimit '${name}': the store is failing and requests are refused with 503 (failMode 'closed') until it answers again: ${detail}`,
        data: { limiter: name, failMode },
      });
    }
    return failMode === 'open'
      ? allowDegraded(NOT_COUNTED, RATELIMIT_ERRORS.storeUnavailable)
      : deny(RATELIMIT_ERRORS.storeUnavailable);
  };

  const unknownClient = (req: RequestLike): Verdict<RateLimitInfo> => {
    if (!warnedUnknownIp) {
      warnedUnknownIp = true;
      const detail =
        clientIp.platform !== undefined
          ? `ratelimit '${name}': the request has no valid ${clientIp.platform} client-address header; it did not come through the platform's edge (clientIp.platform)`
          : `ratelimit '${name}': the request has no client address, so its IP bucket cannot be chosen and it is refused (${RATELIMIT_ERRORS.clientIpUnknown.code}). ` +
            "Pass the runtime's connection to the handler (Bun: fetch(request, server); Deno: (request, info); node: @bulwark/fetch/node), " +
            "or name the platform whose edge writes the address: clientIp: { platform: 'cloudflare' | 'fly' | 'vercel' }";
      emit(onEvent, {
        type: 'ratelimit.client_ip_unknown',
        code: RATELIMIT_ERRORS.clientIpUnknown.code,
        detail,
        method: req.method,
        path: requestPath(req.url),
        data: { limiter: name },
      });
    }
    return deny(RATELIMIT_ERRORS.clientIpUnknown);
  };

  /** The buckets one request is charged in, before the store is asked: everything but the store call. */
  const plan = (req: RequestLike, context: RateLimitContext): Plan | Verdict<RateLimitInfo> => {
    let ip: string | undefined;
    let ipKey: string | undefined;
    let requestCost = 1;
    if (typeof cost === 'function') {
      const c = cost(req, context);
      requestCost = Number.isSafeInteger(c) && c >= 0 ? c : 1;
    } else requestCost = cost;
    if (fixed !== undefined) {
      // Never one shared bucket for every client whose address is unknown: one of them could then
      // refuse service to all the others. Refused, loudly, until the address is provided.
      if (!resolveKeyed(clientIp, req, who)) return unknownClient(req);
      const keys = storeKeysOf(fixed, who.key!);
      const entries = new Array<StoreEntry>(fixed.length);
      for (let i = 0; i < fixed.length; i++) {
        const rate = fixed[i]!;
        // A cost above the burst could never be admitted; it takes the whole bucket instead.
        entries[i] = {
          key: keys[i]!,
          rule: rate.rule,
          cost: Math.min(requestCost, rate.rule.burst),
        };
      }
      return new Plan(who.ip, entries, fixed);
    }
    const entries: StoreEntry[] = [];
    const applied: CompiledRate[] = [];
    for (const b of buckets) {
      let identity: string;
      if (b.key === 'ip') {
        if (ipKey === undefined) {
          // As above: an unknown client is refused, never one shared bucket.
          if (!resolveKeyed(clientIp, req, who)) return unknownClient(req);
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
        identity = storeKeys.identity(b.key === 'subject' ? 'subject' : 'secret', raw);
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
          if (!warnedNoRoute) {
            warnedNoRoute = true;
            emit(onEvent, {
              type: 'ratelimit.route_unknown',
              detail:
                'a perRoute bucket was skipped: the adapter did not know the route (mount rateLimit() on the route itself)',
              method: req.method,
              path: requestPath(req.url),
            });
          }
          continue;
        }
        prefix = storeKeys.routePrefix(prefix, route);
      }
      // A cost above the burst could never be admitted; it takes the whole bucket instead.
      const charge = Math.min(requestCost, rate.rule.burst);
      entries.push({ key: storeKeys.storeKey(prefix, identity), rule: rate.rule, cost: charge });
      applied.push(rate);
    }
    if (entries.length === 0) return allow({ clientIp: ip, buckets: [] });
    return new Plan(ip, entries, applied);
  };

  /** The verdict from the store's answers (`results[i]` for `rates[i]`). */
  const decide = (
    req: RequestLike,
    ip: string | undefined,
    rates: readonly CompiledRate[],
    results: readonly ConsumeResult[],
  ): Verdict<RateLimitInfo> => {
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
    const headers = rateLimitHeaders(
      states,
      policy,
      legacy,
      retryAfterMs,
      legacy === 'epoch-seconds' ? clock() : 0,
    );
    if (denied === undefined) return allow({ clientIp: ip, buckets: states }, headers);
    // Under a flood nobody may listen: the event is built only for a hook, a log or a sampled denial log.
    if (events.reaches('ratelimit.limited')) {
      emit(onEvent, {
        type: 'ratelimit.limited',
        code: RATELIMIT_ERRORS.limited.code,
        detail: `exhausted: ${denied.join(', ')}`,
        method: req.method,
        path: requestPath(req.url),
        data: { limiter: name, buckets: denied, clientIp: ip, retryAfterMs: Math.ceil(retryAfterMs) },
      });
    }
    // The list is [policy, ratelimit, retry-after, …legacy]; what names a 429 is all of it after the policy.
    return deny(
      limitedError(
        headers,
        `${fieldOf(headers, 'x-ratelimit-reset')}|${fieldOf(headers, 'retry-after')}|${fieldOf(headers, 'ratelimit')}|${policy}`,
      ),
    );
  };

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
        const planned = plan(req, context);
        if (!(planned instanceof Plan)) return planned;
        let results: readonly ConsumeResult[];
        if (sync !== undefined) {
          results = sync.consumeAllSync(planned.entries);
        } else {
          try {
            results = await timedOperation(
              'ratelimit.store.consume',
              consumeWithTimeout(store, planned.entries, timeoutMs),
            );
          } catch (err) {
            return storeFailed(req, err);
          }
          if (storeDown) {
            storeDown = false;
            emit(onEvent, {
              type: 'ratelimit.store_recovered',
              detail: `ratelimit '${name}': the store answers again; requests are counted`,
              data: { limiter: name },
            });
          }
        }
        return decide(req, planned.ip, planned.rates, results);
      },
    ),
  };
  if (sync !== undefined) {
    // The same decision as `check`, without a promise: the memory store answers synchronously, so an adapter
    // whose framework takes callback-style hooks lets an allowed request go on without a microtask hop.
    // With one fixed-rate IP bucket (the `rate` shorthand) the store entry is a scratch object, refilled per
    // check: the memory store reads it synchronously and keeps nothing of it.
    const scratch: StoreEntry[] | undefined =
      fixed?.length === 1 ? [{ key: '', rule: fixed[0]!.rule, cost: 1 }] : undefined;
    const now = observedCheck(
      'ratelimit',
      events,
      (req: RequestLike, context: RateLimitContext = EMPTY_CONTEXT): Verdict<RateLimitInfo> => {
        if (scratch !== undefined && typeof cost !== 'function') {
          if (!resolveKeyed(clientIp, req, who)) return unknownClient(req);
          const entry = scratch[0]!;
          const rate = fixed![0]!;
          entry.key = storeKeysOf(fixed!, who.key!)[0]!;
          entry.cost = Math.min(cost, rate.rule.burst);
          return decide(req, who.ip, fixed!, sync.consumeAllSync(scratch));
        }
        const planned = plan(req, context);
        if (!(planned instanceof Plan)) return planned;
        return decide(req, planned.ip, planned.rates, sync.consumeAllSync(planned.entries));
      },
    );
    (limiter as { [CHECK_NOW]?: SynchronousCheck })[CHECK_NOW] = now;
  }
  return limiter;
}
