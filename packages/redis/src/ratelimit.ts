import type { BucketRule, ConsumeResult, RateLimitStore } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { defineScript, invalidReply, runScript } from './script.js';

// GCRA over any number of buckets, all or nothing; the same arithmetic as core's `gcra()` (1 µs slack
// included, so memory and Redis agree) on the server clock, so app servers with skewed clocks agree.
//
// Stored format: one value per bucket, its theoretical arrival time (TAT) in microseconds since the epoch,
// an integer whenever the rule's interval is a whole number of µs (any rate whose interval is, such as
// 100/min or 10/s). Until issue #18 (round 2) the TAT was stored in milliseconds with a fraction. Both
// scripts read both formats on the same key: a value below 1e14 cannot be a µs time after 1973, so it is
// milliseconds: it is scaled and rounded up to a whole µs (never giving quota back), and the next consume
// that writes stores it in µs. Same key names, so Cluster hash slots and a running bucket carry over the
// upgrade: no key is ignored, no quota is given back. (An instance still running the previous version
// reads a µs value as a TAT far ahead, clamps it to a full bucket and denies: it fails closed, for at most
// the rolling deploy.)
//
// Expiry: a key lives until the next whole second after its TAT (PXAT; never before the TAT: a key that
// vanished early would give quota back). Every write keeps that invariant, so a consume that moves the TAT
// within the same second leaves the expiry alone: the hot path is TIME, GET and INCRBY of the increment (the
// integer is updated in place), plus a PEXPIREAT at most once per second of TAT. SET is used when the bucket
// was idle (TAT in the past), the value is in the old format or not a whole µs, or the clock went back.
//
// ARGV holds (increment, capacity) per key in µs: cost x interval and burst x interval. The reply per key
// is a pair (retry, t) in whole µs rounded up: retry 0 when allowed, else how long until the cost fits; t
// the time until the bucket is full again (with this request when it is applied). The client derives
// `remaining` from t with core's formula (see `decode`). When a bucket denies, nothing is written; the
// buckets that would have allowed report their state without this request.
const GCRA = defineScript(`
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local n = #KEYS
local stored, overlay, out, ok = {}, {}, {}, true
local function load(k)
  local v = tonumber(redis.call('GET', k))
  if v ~= nil and v < 1e14 then v = math.ceil(v * 1000) end
  return v or false
end
local function base_of(tat, cap)
  local b = now
  if tat and tat > now then b = tat end
  -- A TAT beyond the whole burst means the clock went back: clamp so a key is never locked out longer.
  if b - now > cap then b = now + cap end
  return b
end
for i = 1, n do
  local k = KEYS[i]
  local inc, cap = tonumber(ARGV[2*i-1]), tonumber(ARGV[2*i])
  if stored[k] == nil then stored[k] = load(k) end
  local current = overlay[k]
  if current == nil then current = stored[k] end
  local b = base_of(current, cap)
  local ahead = b + inc - now
  if ahead - cap > 1 then
    ok = false
    out[2*i-1], out[2*i] = math.ceil(ahead - cap), math.ceil(b - now)
  else
    overlay[k] = b + inc
    out[2*i-1], out[2*i] = 0, math.ceil(ahead)
  end
end
if ok then
  for k, tat in pairs(overlay) do
    if tat > now and tat ~= stored[k] then
      redis.call('SET', k, tat, 'PXAT', (math.floor(tat / 1000000) + 1) * 1000)
    end
  end
else
  for i = 1, n do
    if out[2*i-1] == 0 then
      out[2*i] = math.ceil(base_of(stored[KEYS[i]], tonumber(ARGV[2*i])) - now)
    end
  end
end
return out
`);

// The common case (one bucket) without the multi-bucket bookkeeping. Replies t alone when allowed.
const GCRA_ONE = defineScript(`
local t = redis.call('TIME')
local now = t[1] * 1000000 + t[2]
local inc, cap = tonumber(ARGV[1]), tonumber(ARGV[2])
local stored = tonumber(redis.call('GET', KEYS[1]))
local b, inplace = now, false
if stored ~= nil then
  if stored < 1e14 then stored = math.ceil(stored * 1000) elseif stored > now then inplace = true end
  if stored > now then b = stored end
end
if b - now > cap then b = now + cap; inplace = false end
local ahead = b + inc - now
if ahead - cap > 1 then return { math.ceil(ahead - cap), math.ceil(b - now) } end
local tat = b + inc
if tat > now and tat ~= stored then
  if inplace and tat < 9007199254740992 and stored % 1 == 0 and inc % 1 == 0 then
    redis.call('INCRBY', KEYS[1], ARGV[1])
    if math.floor(tat / 1000000) ~= math.floor(stored / 1000000) then
      redis.call('PEXPIREAT', KEYS[1], (math.floor(tat / 1000000) + 1) * 1000)
    end
    return ahead
  end
  redis.call('SET', KEYS[1], tat, 'PXAT', (math.floor(tat / 1000000) + 1) * 1000)
end
return math.ceil(ahead)
`);

/** A rule's interval in µs; a product that is whole but for float noise (0.06 ms x 1000) is made whole. */
function intervalUs(intervalMs: number): number {
  const us = intervalMs * 1000;
  const whole = Math.round(us);
  return whole > 0 && Math.abs(us - whole) < 1e-9 * whole ? whole : us;
}

/**
 * One bucket's answer from its (retry, t) pair in µs; `remaining` with core's formula and 1 µs slack, never
 * more than the burst (less the cost when allowed), as in core's gcra.
 */
function decode(
  retryUs: unknown,
  tUs: unknown,
  rule: BucketRule,
  cost: number,
  interval: number,
): ConsumeResult {
  if (typeof retryUs !== 'number' || typeof tUs !== 'number') throw invalidReply('ratelimit.consume');
  const allowed = retryUs === 0;
  const most = allowed ? rule.burst - cost : rule.burst;
  return {
    allowed,
    remaining: Math.max(0, Math.min(most, Math.floor((rule.burst * interval - tUs + 1) / interval))),
    retryAfterMs: Math.ceil(retryUs / 1000),
    resetMs: Math.ceil(tUs / 1000),
  };
}

/**
 * Rate-limit buckets on Redis: GCRA in one Lua script, one round trip per request, exact under any
 * concurrency and across instances. `consumeAll` checks several buckets (per client, per user, global)
 * atomically. All bucket keys share one hash tag so `consumeAll` also works on Redis Cluster; the price is
 * that rate limiting lives on one Cluster shard (see docs/scaling.md).
 *
 * @example
 * const store = createRedisRateLimitStore({ client: new Redis(url, REDIS_CLIENT_OPTIONS) });
 * await store.consume('ip:203.0.113.7', { intervalMs: 600, burst: 100 }, 1);
 */
export function createRedisRateLimitStore(options: RedisStoreOptions): RateLimitStore {
  const resolved = resolveOptions('stores.ratelimit', options);
  const prefix = `{${resolved.prefix}:rl}:`;

  /** One bucket; `wrap` answers `[result]` (consumeAll) without another promise. */
  function one(key: string, rule: BucketRule, cost: number, wrap: true): Promise<ConsumeResult[]>;
  function one(key: string, rule: BucketRule, cost: number, wrap?: false): Promise<ConsumeResult>;
  function one(
    key: string,
    rule: BucketRule,
    cost: number,
    wrap?: boolean,
  ): Promise<ConsumeResult | ConsumeResult[]> {
    const interval = intervalUs(rule.intervalMs);
    const capacity = rule.burst * interval;
    const args = [cost * interval, capacity];
    return runScript(resolved, 'ratelimit.consume', GCRA_ONE, [prefix + key], args, undefined, (reply) => {
      let result: ConsumeResult;
      if (typeof reply === 'number') result = decode(0, reply, rule, cost, interval);
      else if (Array.isArray(reply) && reply.length === 2)
        result = decode(reply[0], reply[1], rule, cost, interval);
      else throw invalidReply('ratelimit.consume');
      return wrap === true ? [result] : result;
    });
  }

  function many(
    entries: readonly { key: string; rule: BucketRule; cost: number }[],
  ): Promise<ConsumeResult[]> {
    const keys: string[] = [];
    const args: number[] = [];
    const intervals: number[] = [];
    for (const { key, rule, cost } of entries) {
      const interval = intervalUs(rule.intervalMs);
      keys.push(prefix + key);
      args.push(cost * interval, rule.burst * interval);
      intervals.push(interval);
    }
    return runScript(resolved, 'ratelimit.consume', GCRA, keys, args, undefined, (reply) => {
      if (!Array.isArray(reply) || reply.length !== 2 * entries.length)
        throw invalidReply('ratelimit.consume');
      // A denial anywhere consumes nothing, so no bucket's remaining is reduced by its cost.
      const consumed = reply.every((v, i) => i % 2 === 1 || v === 0);
      return intervals.map((interval, i) =>
        decode(reply[2 * i], reply[2 * i + 1], entries[i]!.rule, consumed ? entries[i]!.cost : 0, interval),
      );
    });
  }

  return {
    consume: (key, rule, cost) => one(key, rule, cost),
    consumeAll(entries) {
      if (entries.length === 0) return Promise.resolve([]);
      // The limiter calls consumeAll even for a single bucket.
      if (entries.length === 1) return one(entries[0]!.key, entries[0]!.rule, entries[0]!.cost, true);
      return many(entries);
    },
  };
}
