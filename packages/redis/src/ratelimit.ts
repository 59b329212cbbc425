import type { BucketRule, ConsumeResult, RateLimitStore } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { defineScript, invalidReply, runScript } from './script.js';

// GCRA over any number of buckets, all or nothing; the same arithmetic as core's `gcra()`, 1 µs slack included (so memory and Redis
// agree), on the server clock so app servers with skewed clocks agree. One value per bucket: its theoretical
// arrival time (TAT) in ms with microsecond precision, handed to SET as a Lua number (Redis writes it with
// %.17g, full double precision, which costs less than string.format in the script). ARGV holds (intervalMs,
// burst, cost) per key. Replies 4 integers per key: allowed, remaining, retryAfterMs, resetMs (times rounded
// up to whole ms). When a bucket denies, nothing is written; the buckets that would have allowed report their
// state without this request.
const GCRA = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local SLACK = 1e-3
local n = #KEYS
local stored, overlay, out, ok = {}, {}, {}, true
local function base_of(tat, capacity)
  local b = now
  if tat ~= nil and tat > now then b = tat end
  -- A TAT beyond the whole burst means the clock went back: clamp so a key is never locked out longer.
  if b - now > capacity then b = now + capacity end
  return b
end
local function rem(capacity, used, interval)
  return math.max(0, math.floor((capacity - used + SLACK) / interval))
end
for i = 1, n do
  local k = KEYS[i]
  local interval, burst, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local capacity = burst * interval
  if stored[k] == nil then stored[k] = tonumber(redis.call('GET', k)) or false end
  local current = overlay[k]
  if current == nil then current = stored[k] or nil end
  local b = base_of(current, capacity)
  local ahead = b + cost * interval - now
  local o = 4 * (i - 1)
  if ahead - capacity > SLACK then
    ok = false
    out[o+1], out[o+2], out[o+3], out[o+4] = 0, rem(capacity, b - now, interval), math.ceil(ahead - capacity), math.ceil(b - now)
  else
    overlay[k] = b + cost * interval
    out[o+1], out[o+2], out[o+3], out[o+4] = 1, rem(capacity, ahead, interval), 0, math.ceil(ahead)
  end
end
if ok then
  for k, tat in pairs(overlay) do
    redis.call('SET', k, tat, 'PX', math.max(1, math.ceil(tat - now)))
  end
else
  for i = 1, n do
    local o = 4 * (i - 1)
    if out[o+1] == 1 then
      local interval, burst = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1])
      local capacity = burst * interval
      local b = base_of(stored[KEYS[i]] or nil, capacity)
      out[o+2], out[o+4] = rem(capacity, b - now, interval), math.ceil(b - now)
    end
  end
end
return out
`);

// The common case (one bucket) without the multi-bucket bookkeeping: about half the server time per call.
const GCRA_ONE = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local capacity = burst * interval
local b = tonumber(redis.call('GET', KEYS[1])) or now
if b < now then b = now elseif b - now > capacity then b = now + capacity end
local ahead = b + cost * interval - now
if ahead - capacity > 1e-3 then
  return { 0, math.max(0, math.floor((capacity - b + now + 1e-3) / interval)), math.ceil(ahead - capacity), math.ceil(b - now) }
end
redis.call('SET', KEYS[1], b + cost * interval, 'PX', math.max(1, math.ceil(ahead)))
return { 1, math.max(0, math.floor((capacity - ahead + 1e-3) / interval)), 0, math.ceil(ahead) }
`);

function parse(reply: unknown, count: number): ConsumeResult[] {
  if (!Array.isArray(reply) || reply.length !== 4 * count) throw invalidReply('ratelimit.consume');
  const results: ConsumeResult[] = [];
  for (let i = 0; i < count; i++) {
    const b = 4 * i;
    results.push({
      allowed: reply[b] === 1,
      remaining: Number(reply[b + 1]),
      retryAfterMs: Number(reply[b + 2]),
      resetMs: Number(reply[b + 3]),
    });
  }
  return results;
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

  function one(key: string, rule: BucketRule, cost: number): Promise<ConsumeResult> {
    return runScript(
      resolved,
      'ratelimit.consume',
      GCRA_ONE,
      [prefix + key],
      [rule.intervalMs, rule.burst, cost],
    ).then((reply) => parse(reply, 1)[0]!);
  }

  function many(
    entries: readonly { key: string; rule: BucketRule; cost: number }[],
  ): Promise<ConsumeResult[]> {
    const keys: string[] = [];
    const args: number[] = [];
    for (const { key, rule, cost } of entries) {
      keys.push(prefix + key);
      args.push(rule.intervalMs, rule.burst, cost);
    }
    return runScript(resolved, 'ratelimit.consume', GCRA, keys, args).then((reply) =>
      parse(reply, entries.length),
    );
  }

  return {
    consume: one,
    async consumeAll(entries) {
      if (entries.length === 0) return [];
      // The limiter calls consumeAll even for a single bucket.
      if (entries.length === 1) return [await one(entries[0]!.key, entries[0]!.rule, entries[0]!.cost)];
      return many(entries);
    },
  };
}
