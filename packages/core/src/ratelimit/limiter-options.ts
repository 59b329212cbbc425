import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import type { OnEvent } from '../events.js';
import {
  type ClientIpResolver,
  type ClientIpResolverOptions,
  clientIpResolverAt,
} from '../http/client-ip.js';
import type { RequestLike } from '../http/request.js';
import { isCloudflareWorkers } from '../http/runtime.js';
import { Reporter, reporterOf } from '../observe/reporter.js';
import {
  createMemoryRateLimitStore,
  SYNC_STORE,
  type MemoryRateLimitStore,
} from '../stores/memory-ratelimit.js';
import type { RateLimitStore } from '../stores/types.js';
import {
  type CompiledBucket,
  compileBuckets,
  type RateLimitBucket,
  type RateLimitContext,
} from './buckets.js';
import type { ResetFormat } from './rate-limit-fields.js';
import type { RateSpec } from './rate.js';

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

/** A limiter's options, validated: everything `createRateLimiter` builds from. */
export interface LimiterSettings {
  readonly name: string;
  readonly buckets: readonly CompiledBucket[];
  readonly cost: number | ((req: RequestLike, context: RateLimitContext) => number);
  readonly failMode: 'open' | 'closed';
  readonly timeoutMs: number;
  readonly events: Reporter;
  readonly store: RateLimitStore;
  /** The store, when it answers synchronously (the memory store). */
  readonly sync: MemoryRateLimitStore | undefined;
  readonly clientIp: ClientIpResolver;
  readonly legacy: ResetFormat | undefined;
  readonly clock: () => number;
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
 * Validate a limiter's options (zero, negative or NaN limits, unknown key kinds, bad names: `ConfigError`)
 * and build what they name: compiled buckets, the store, the client-IP resolver, the reporter.
 *
 * @example
 * const settings = limiterSettings({ rate: '100/min' }); // settings.buckets[0].rates[0].policy
 */
export function limiterSettings(options: RateLimiterOptions): LimiterSettings {
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
  return { name, buckets, cost, failMode, timeoutMs, events, store, sync, clientIp, legacy, clock };
}
