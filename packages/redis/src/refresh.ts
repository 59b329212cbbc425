import type { RefreshTokenStore, RotateResult } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions, tagged } from './options.js';
import { defineScript, invalidReply, runScript } from './script.js';

// Layout: one hash per family, `<prefix>:rt:{<familyId>}` (its own hash tag, so families spread over a
// Cluster and every script touches one declared key). Fields: s subject, c client, r revoked 0|1,
// g generation, h current hash, p previous hash, pt its rotation time (ms), n its sealed successor.
// A fixed number of fields whatever the number of rotations; the key expires with the family (absolute
// lifetime from create; rotation never extends it).
const CREATE = defineScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 's', ARGV[1], 'c', ARGV[2], 'r', '0', 'g', '0', 'h', ARGV[3], 'p', '', 'pt', '0', 'n', '')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`);

// ARGV: client id, presented hash, next hash, sealed next, graceMs. Same order of checks as the memory store.
// HSET only after HMGET found the family, inside one script: a missing family is never recreated without TTL.
const ROTATE = defineScript(`
local f = redis.call('HMGET', KEYS[1], 's', 'c', 'r', 'g', 'h', 'p', 'pt', 'n')
if not f[1] then return { 'unknown' } end
if f[3] == '1' then return { 'revoked' } end
if f[2] ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'r', '1')
  return { 'client_mismatch', f[1], f[2] }
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local g = tonumber(f[4])
if f[5] == ARGV[2] then
  g = g + 1
  redis.call('HSET', KEYS[1], 'g', g, 'h', ARGV[3], 'p', ARGV[2], 'pt', now, 'n', ARGV[4])
  return { 'rotated', f[1], f[2], g }
end
local grace = tonumber(ARGV[5])
if grace > 0 and f[6] == ARGV[2] and now - tonumber(f[7]) <= grace then
  return { 'repeated', f[1], f[2], g, f[8], f[5] }
end
redis.call('HSET', KEYS[1], 'r', '1')
return { 'reused', f[1], f[2], g }
`);

// HSET on a missing family would create a key without expiry: only flag a live one.
const REVOKE = defineScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'r', '1')
  return 1
end
return 0
`);

function toResult(reply: unknown, familyId: string): RotateResult {
  if (!Array.isArray(reply)) throw invalidReply('refresh.rotate');
  const [status, subject, clientId, generation, sealedNext, nextHash] = reply as unknown[];
  if (status === 'unknown') return { status };
  if (status === 'revoked') return { status, familyId };
  if (typeof subject !== 'string' || typeof clientId !== 'string') throw invalidReply('refresh.rotate');
  if (status === 'client_mismatch') return { status, familyId, subject, clientId };
  if (typeof generation !== 'number') throw invalidReply('refresh.rotate');
  if (status === 'rotated' || status === 'reused') return { status, familyId, subject, clientId, generation };
  if (status === 'repeated' && typeof sealedNext === 'string' && typeof nextHash === 'string') {
    return { status, familyId, subject, clientId, generation, sealedNext, nextHash };
  }
  throw invalidReply('refresh.rotate');
}

/**
 * Refresh-token families on Redis: rotation, reuse detection, client binding and family revocation in one
 * Lua script on one key per family, so of N concurrent uses of a token on any number of instances exactly
 * one rotates, and a family takes the same space after its thousandth rotation as after its first. Only
 * token hashes and sealed successors are stored. A rotation whose reply comes after the timeout has still
 * happened: the client's retry within the rotator's `graceMs` gets the same successor back.
 *
 * @example
 * const rotator = createRefreshTokenRotator({ store: createRedisRefreshTokenStore({ client }) });
 */
export function createRedisRefreshTokenStore(options: RedisStoreOptions): RefreshTokenStore {
  const resolved = resolveOptions('stores.refresh', options);
  const prefix = `${resolved.prefix}:rt:`;
  const key = (familyId: string) => prefix + tagged(familyId);

  return {
    async create({ familyId, subject, clientId, tokenHash, ttlMs }) {
      await runScript(
        resolved,
        'refresh.create',
        CREATE,
        [key(familyId)],
        [subject, clientId, tokenHash, Math.max(1, Math.ceil(ttlMs))],
      );
    },
    async rotate(request) {
      const reply = await runScript(
        resolved,
        'refresh.rotate',
        ROTATE,
        [key(request.familyId)],
        [
          request.clientId,
          request.presentedHash,
          request.nextHash,
          request.sealedNext,
          Math.max(0, Math.floor(request.graceMs)),
        ],
      );
      return toResult(reply, request.familyId);
    },
    async revokeFamily(familyId) {
      const reply = await runScript(resolved, 'refresh.revokeFamily', REVOKE, [key(familyId)], []);
      if (reply !== 0 && reply !== 1) throw invalidReply('refresh.revokeFamily');
      return reply === 1;
    },
  };
}
