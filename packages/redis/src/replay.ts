import type { ClaimOutcome, ReplayStore } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions, tagged } from './options.js';
import { bounded, defineScript, invalidReply, runScript } from './script.js';

// Set-if-absent that also tells a loser what it lost to: 'c' claimed, 'p' processing, 'd' done.
const CLAIM = defineScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], 'p', 'PX', ARGV[1])
return 'c'
`);

const OUTCOMES: Readonly<Record<string, ClaimOutcome>> = { c: 'claimed', p: 'processing', d: 'done' };

function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * Replay / idempotency claims on Redis (webhook ids, idempotency keys, OAuth state single use). Each call is
 * one round trip. A claim that answers only after the timeout (a stalled server) is released as soon as it
 * lands, so the sender's retry of a request we refused is processed instead of being stuck as 'processing'.
 *
 * @example
 * const replay = createRedisReplayStore({ client });
 * if ((await replay.claim(`stripe:${event.id}`, 86_400_000)) !== 'claimed') return skip();
 */
export function createRedisReplayStore(options: RedisStoreOptions): ReplayStore {
  const resolved = resolveOptions('replay.store', options);
  const prefix = `${resolved.prefix}:rp:`;
  const { client } = resolved;

  return {
    async claim(key, ttlMs) {
      const redisKey = prefix + tagged(key);
      const reply = await runScript(resolved, 'replay.claim', CLAIM, [redisKey], [ttl(ttlMs)], (late) => {
        if (late === 'c') client.del(redisKey).catch(() => undefined);
      });
      const outcome = typeof reply === 'string' ? OUTCOMES[reply] : undefined;
      if (outcome === undefined) throw invalidReply('replay.claim');
      return outcome;
    },
    async complete(key, ttlMs) {
      await bounded(resolved, 'replay.complete', client.set(prefix + tagged(key), 'd', 'PX', ttl(ttlMs)));
    },
    async release(key) {
      await bounded(resolved, 'replay.release', client.del(prefix + tagged(key)));
    },
  };
}
