import { randomBytes } from 'node:crypto';
import type { ClaimResult, ReplayStore } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions, tagged } from './options.js';
import { defineScript, invalidReply, runScript } from './script.js';

// A live claim is stored as 'p' followed by its fencing token, a finished one as 'd'.
// Set-if-absent that also tells a loser what it lost to: 'c' claimed, 'p' processing, 'd' done.
const CLAIM = defineScript(`
local v = redis.call('GET', KEYS[1])
if v then return string.sub(v, 1, 1) end
redis.call('SET', KEYS[1], 'p' .. ARGV[2], 'PX', ARGV[1])
return 'c'
`);

// Done when the claim is still ours, or lapsed with nobody claiming since; never over another claim or 'd'.
const COMPLETE = defineScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= 'p' .. ARGV[1] then return 0 end
redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
return 1
`);

// Delete only our own live claim: a holder that outlived its claim must not delete a later one, or 'd'.
const RELEASE = defineScript(`
if redis.call('GET', KEYS[1]) ~= 'p' .. ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * Replay / idempotency claims on Redis (webhook ids, idempotency keys, OAuth state single use). Each call is
 * one round trip. `complete` and `release` are compare-and-set on the claim's fencing token (Lua), so a
 * handler that outlived its claim cannot undo a retry's work. A claim that answers only after the timeout
 * (a stalled server) is released as soon as it lands, so the sender's retry of a request we refused is
 * processed instead of being stuck as 'processing'.
 *
 * @example
 * const replay = createRedisReplayStore({ client });
 * const claim = await replay.claim(`stripe:${event.id}`, 600_000);
 * if (claim.outcome !== 'claimed') return skip();
 * await handle(event);
 * await replay.complete(`stripe:${event.id}`, claim.token, 86_400_000);
 */
export function createRedisReplayStore(options: RedisStoreOptions): ReplayStore {
  const resolved = resolveOptions('stores.replay', options);
  const prefix = `${resolved.prefix}:rp:`;

  function release(redisKey: string, token: string): Promise<unknown> {
    return runScript(resolved, 'replay.release', RELEASE, [redisKey], [token]);
  }

  return {
    async claim(key, ttlMs): Promise<ClaimResult> {
      const redisKey = prefix + tagged(key);
      // 128 random bits: unique across every instance sharing this Redis, no coordination needed.
      const token = randomBytes(16).toString('base64url');
      const reply = await runScript(
        resolved,
        'replay.claim',
        CLAIM,
        [redisKey],
        [ttl(ttlMs), token],
        (late) => {
          if (late === 'c') release(redisKey, token).catch(() => undefined);
        },
      );
      if (reply === 'c') return { outcome: 'claimed', token };
      if (reply === 'p') return { outcome: 'processing' };
      if (reply === 'd') return { outcome: 'done' };
      throw invalidReply('replay.claim');
    },
    async complete(key, token, ttlMs) {
      const reply = await runScript(
        resolved,
        'replay.complete',
        COMPLETE,
        [prefix + tagged(key)],
        [token, ttl(ttlMs)],
      );
      if (reply !== 0 && reply !== 1) throw invalidReply('replay.complete');
      return reply === 1;
    },
    async release(key, token) {
      const reply = await release(prefix + tagged(key), token);
      if (reply !== 0 && reply !== 1) throw invalidReply('replay.release');
      return reply === 1;
    },
  };
}
