import type { RefreshTokenStore, RotateResult } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions } from './options.js';
import { defineScript, invalidReply, runScript } from './script.js';

// Layout (one hash tag for the whole store, so a script may reach the family of any token, also on Cluster):
//   <tag>:f:<familyId>  hash  s subject, r revoked 0|1, c current hashes (JSON array), lr last retired, la its time
//   <tag>:t:<hash>      string familyId, for every current and retired hash
// Every key of a family expires with it (absolute lifetime from create; rotation never extends it).
const CREATE = defineScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', '0', 'c', cjson.encode({ ARGV[2] }), 'lr', '', 'la', '0')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
return 1
`);

// KEYS: presented token key, next token key. ARGV: family key prefix, presented hash, next hash, graceMs.
// The family key is derived in the script; it shares the tag, so it is on the same slot.
const ROTATE = defineScript(`
local fam = redis.call('GET', KEYS[1])
if not fam then return { 'unknown' } end
local fk = ARGV[1] .. fam
local f = redis.call('HMGET', fk, 's', 'r', 'c', 'lr', 'la')
if not f[1] then return { 'unknown' } end
if f[2] == '1' then return { 'revoked', fam } end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local left = redis.call('PTTL', fk)
if left <= 0 then return { 'unknown' } end
local current = cjson.decode(f[3])
for _, h in ipairs(current) do
  if h == ARGV[2] then
    redis.call('SET', KEYS[2], fam, 'PX', left)
    redis.call('HSET', fk, 'c', cjson.encode({ ARGV[3] }), 'lr', ARGV[2], 'la', now)
    return { 'rotated', fam, f[1] }
  end
end
local grace = tonumber(ARGV[4])
if grace > 0 and f[4] == ARGV[2] and now - tonumber(f[5]) <= grace and #current < 8 then
  redis.call('SET', KEYS[2], fam, 'PX', left)
  table.insert(current, ARGV[3])
  redis.call('HSET', fk, 'c', cjson.encode(current))
  return { 'grace', fam, f[1] }
end
redis.call('HSET', fk, 'r', '1')
return { 'reused', fam, f[1] }
`);

const FIND = defineScript(`
local fam = redis.call('GET', KEYS[1])
if fam and redis.call('EXISTS', ARGV[1] .. fam) == 1 then return fam end
return false
`);

// HSET on a missing family would create a key without expiry: only flag a live one.
const REVOKE = defineScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'r', '1') end
return 1
`);

function toResult(reply: unknown): RotateResult {
  if (!Array.isArray(reply)) throw invalidReply('refresh.rotate');
  const [status, familyId, subject] = reply as unknown[];
  if (status === 'unknown') return { status };
  if (typeof familyId !== 'string') throw invalidReply('refresh.rotate');
  if (status === 'revoked') return { status, familyId };
  if (typeof subject !== 'string') throw invalidReply('refresh.rotate');
  if (status === 'rotated' || status === 'grace' || status === 'reused') return { status, familyId, subject };
  throw invalidReply('refresh.rotate');
}

/**
 * Refresh-token families on Redis: rotation, reuse detection and family revocation in one Lua script, so of
 * N concurrent uses of a token on any number of instances exactly one rotates. Only token hashes are stored.
 *
 * @example
 * const rotator = createRefreshTokenRotator({ store: createRedisRefreshTokenStore({ client }) });
 */
export function createRedisRefreshTokenStore(options: RedisStoreOptions): RefreshTokenStore {
  const resolved = resolveOptions('refresh.store', options);
  const tag = `{${resolved.prefix}:rt}`;
  const familyPrefix = `${tag}:f:`;
  const tokenPrefix = `${tag}:t:`;

  return {
    async create(familyId, subject, tokenHash, ttlMs) {
      await runScript(
        resolved,
        'refresh.create',
        CREATE,
        [familyPrefix + familyId, tokenPrefix + tokenHash],
        [subject, tokenHash, Math.max(1, Math.ceil(ttlMs)), familyId],
      );
    },
    async rotate(presentedHash, nextHash, graceMs) {
      const reply = await runScript(
        resolved,
        'refresh.rotate',
        ROTATE,
        [tokenPrefix + presentedHash, tokenPrefix + nextHash],
        [familyPrefix, presentedHash, nextHash, Math.max(0, Math.floor(graceMs))],
      );
      return toResult(reply);
    },
    async findFamily(tokenHash) {
      const reply = await runScript(
        resolved,
        'refresh.findFamily',
        FIND,
        [tokenPrefix + tokenHash],
        [familyPrefix],
      );
      if (reply === null) return undefined;
      if (typeof reply !== 'string') throw invalidReply('refresh.findFamily');
      return reply;
    },
    async revokeFamily(familyId) {
      await runScript(resolved, 'refresh.revokeFamily', REVOKE, [familyPrefix + familyId], []);
    },
  };
}
