import type { BucketRule, ConsumeResult, RateLimitStore } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { defineScript, invalidReply, runScript } from './script.js';

// GCRA over any number of buckets, all or nothing. One value per bucket: its theoretical arrival time (TAT),
// in ms with microsecond precision, taken from the server clock so app servers with skewed clocks agree.
// ARGV holds (intervalMs, burst, cost) per key. Replies 4 integers per key: allowed, remaining, retryAfterMs,
// resetMs. When any bucket denies, nothing is written and every entry reports allowed = 0.
const GCRA = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local n = #KEYS
local tats, nexts, ok = {}, {}, true
for i = 1, n do
  local interval, burst, cost = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local tat = tonumber(redis.call('GET', KEYS[i]))
  if tat == nil or tat < now then tat = now end
  tats[i] = tat
  nexts[i] = tat + cost * interval
  if nexts[i] - burst * interval > now then ok = false end
end
local out = {}
for i = 1, n do
  local interval, burst = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1])
  local base = 4 * (i - 1)
  if ok then
    local ahead = nexts[i] - now
    redis.call('SET', KEYS[i], string.format('%.3f', nexts[i]), 'PX', math.max(1, math.ceil(ahead)))
    out[base+1] = 1
    out[base+2] = math.max(0, math.floor((burst * interval - ahead) / interval + 1e-9))
    out[base+3] = 0
    out[base+4] = math.ceil(ahead)
  else
    local ahead = tats[i] - now
    out[base+1] = 0
    out[base+2] = math.max(0, math.floor((burst * interval - ahead) / interval + 1e-9))
    out[base+3] = math.max(0, math.ceil(nexts[i] - burst * interval - now))
    out[base+4] = math.ceil(ahead)
  end
end
return out
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
  const resolved = resolveOptions('ratelimit.store', options);
  const prefix = `{${resolved.prefix}:rl}:`;

  function run(
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
    async consume(key, rule, cost) {
      return (await run([{ key, rule, cost }]))[0]!;
    },
    async consumeAll(entries) {
      if (entries.length === 0) return [];
      return run(entries);
    },
  };
}
