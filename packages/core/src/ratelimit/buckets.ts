import { checkOptions, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import type { BucketRule } from '../stores/types.js';
import { policyItem } from './rate-limit-fields.js';
import { parseBurst, parseRate, type RateSpec } from './rate.js';

/** What a rule knows about the request beyond the request itself; adapters fill it from earlier rules. */
export interface RateLimitContext {
  /** Subject for `key: 'subject'` buckets. Default: the `sub` of `claims`. */
  readonly subject?: string | undefined;
  /** Verified JWT claims (set by the adapters once `requireJwt` accepted the token): subject and tiers. */
  readonly claims?: Readonly<Record<string, unknown>> | undefined;
  /** An API key your app has already verified. Hashed before it reaches a store. */
  readonly apiKey?: string | undefined;
  /** Route pattern (`/orders/:id`) for `perRoute` buckets. Never the raw path: that would be a key per URL. */
  readonly route?: string | undefined;
}

/**
 * Who a bucket counts: the client IP, the verified subject, the verified API key, or your own function.
 * Any string type-checks, so options kept in a `const` (where `'subject'` widens to `string`) are accepted
 * as written; a name other than the three is a ConfigError when the limiter is built.
 */
export type BucketKey =
  | 'ip'
  | 'subject'
  | 'apiKey'
  | (string & {})
  | ((req: RequestLike, context: RateLimitContext) => string | undefined);

/** One tier of a tiered bucket. */
export interface RateLimitTier {
  rate: RateSpec;
  burst?: number;
}

/** One bucket of a limiter. A request is allowed only when every bucket that applies allows it. */
export interface RateLimitBucket {
  /** Policy name, sent in the RateLimit headers (letters, digits, `_`, `-`, `.`). */
  name: string;
  /** Sustained rate, e.g. `'100/min'`. Required unless `tiers` is given. */
  rate?: RateSpec;
  /** Requests allowed at once (default: the whole limit). */
  burst?: number;
  /** Who is counted. Default `'ip'`. When the key is undefined (no subject yet…), the bucket does not apply. */
  key?: BucketKey;
  /** Rates by tier name; `tier` picks one per request and the first listed is the default. */
  tiers?: Readonly<Record<string, RateLimitTier>>;
  /** Picks the tier of a request, e.g. from a claim. */
  tier?: (req: RequestLike, context: RateLimitContext) => string | undefined;
  /** Count each route separately (uses `context.route`; the bucket does not apply when it is unknown). */
  perRoute?: boolean;
}

/** A tier (or the only rate) of a bucket, ready for the store. */
export interface CompiledRate {
  readonly policyName: string;
  readonly keyPrefix: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly rule: BucketRule;
  readonly policy: string;
}

/** A validated bucket. */
export interface CompiledBucket {
  readonly key:
    | 'ip'
    | 'subject'
    | 'apiKey'
    | ((req: RequestLike, context: RateLimitContext) => string | undefined);
  readonly perRoute: boolean;
  readonly rates: readonly CompiledRate[];
  readonly byTier: ReadonlyMap<string, CompiledRate> | undefined;
  readonly tier: ((req: RequestLike, context: RateLimitContext) => string | undefined) | undefined;
}

const NAME = /^[A-Za-z0-9_.-]{1,32}$/;
const BUCKET_KEYS = optionKeys<RateLimitBucket>()(
  'name',
  'rate',
  'burst',
  'key',
  'tiers',
  'tier',
  'perRoute',
);
const TIER_KEYS = optionKeys<RateLimitTier>()('rate', 'burst');

function compileRate(
  option: string,
  policyName: string,
  prefix: string,
  spec: unknown,
  burst: unknown,
): CompiledRate {
  const rate = parseRate(option === '' ? 'ratelimit.rate' : `${option}.rate`, spec);
  const b = parseBurst(option === '' ? 'ratelimit.burst' : `${option}.burst`, burst, rate.limit);
  return {
    policyName,
    keyPrefix: prefix,
    limit: rate.limit,
    windowSeconds: Math.max(1, Math.ceil(rate.windowMs / 1000)),
    rule: { intervalMs: rate.windowMs / rate.limit, burst: b },
    policy: policyItem(policyName, rate.limit, rate.windowMs),
  };
}

/**
 * Validate bucket definitions once, at construction.
 *
 * @example
 * compileBuckets('api', [{ name: 'ip', rate: '100/min' }]);
 */
export function compileBuckets(
  limiterName: string,
  buckets: readonly RateLimitBucket[],
  shorthand = false,
): CompiledBucket[] {
  if (buckets.length === 0) {
    throw new ConfigError(
      'ratelimit.buckets',
      'is empty',
      "give at least one bucket, e.g. { name: 'ip', rate: '100/min' }",
    );
  }
  const seen = new Set<string>();
  // Policy names are also store key prefixes: tier `pro` of bucket `user` is `user-pro`, which must not be
  // another bucket's name, or the two would share (and drain) one store key under different rules.
  const policies = new Set<string>();
  const claim = (option: string, policyName: string): void => {
    if (policies.has(policyName)) {
      throw new ConfigError(
        option,
        `gives the policy name '${policyName}', which another bucket or tier already has`,
        'rename the bucket or the tier',
      );
    }
    policies.add(policyName);
  };
  const compiled = buckets.map((b, i) => {
    const option = `ratelimit.buckets[${i}]`;
    // The limiter's `rate`/`burst` shorthand is one bucket: its errors name the options the user wrote.
    if (!shorthand) checkOptions(option, b, BUCKET_KEYS);
    if (typeof b?.name !== 'string' || !NAME.test(b.name)) {
      throw new ConfigError(`${option}.name`, 'must be 1–32 letters, digits, _ . -', "e.g. 'ip' or 'user'");
    }
    if (seen.has(b.name))
      throw new ConfigError(`${option}.name`, `'${b.name}' is used twice`, 'name each bucket once');
    seen.add(b.name);
    const key = b.key ?? 'ip';
    if (typeof key !== 'function' && key !== 'ip' && key !== 'subject' && key !== 'apiKey') {
      throw new ConfigError(
        `${option}.key`,
        `'${String(key)}' is not a key kind`,
        "use 'ip', 'subject', 'apiKey' or a function",
      );
    }
    const kind = key as CompiledBucket['key'];
    const prefix = `${limiterName}|${b.name}`;
    if (b.tiers === undefined) {
      if (b.tier !== undefined)
        throw new ConfigError(`${option}.tier`, 'is set without tiers', 'add tiers or remove tier');
      return {
        key: kind,
        perRoute: b.perRoute === true,
        rates: [compileRate(shorthand ? '' : option, b.name, prefix, b.rate, b.burst)],
        byTier: undefined,
        tier: undefined,
      };
    }
    if (b.rate !== undefined || b.burst !== undefined) {
      throw new ConfigError(`${option}.rate`, 'is set together with tiers', 'put the rate inside each tier');
    }
    if (typeof b.tier !== 'function') {
      throw new ConfigError(
        `${option}.tier`,
        'is required with tiers',
        'pass a function that returns a tier name',
      );
    }
    const byTier = new Map<string, CompiledRate>();
    for (const [tierName, tier] of Object.entries(b.tiers)) {
      checkOptions(`${option}.tiers.${tierName}`, tier, TIER_KEYS);
      if (!NAME.test(tierName)) {
        throw new ConfigError(
          `${option}.tiers.${tierName}`,
          'is not a valid tier name',
          'use letters, digits, _ . -',
        );
      }
      byTier.set(
        tierName,
        compileRate(
          `${option}.tiers.${tierName}`,
          `${b.name}-${tierName}`,
          `${prefix}-${tierName}`,
          tier?.rate,
          tier?.burst,
        ),
      );
    }
    if (byTier.size === 0) throw new ConfigError(`${option}.tiers`, 'is empty', 'list at least one tier');
    return { key: kind, perRoute: b.perRoute === true, rates: [...byTier.values()], byTier, tier: b.tier };
  });
  compiled.forEach((c, i) => {
    for (const r of c.rates) {
      claim(c.byTier === undefined ? `buckets[${i}].name` : `buckets[${i}].tiers`, r.policyName);
    }
  });
  return compiled;
}
