import type { RevocationStore } from '@bulwark/core';
import { type RedisStoreOptions, resolveOptions, tagged } from './options.js';
import { bounded, defineScript, runScript } from './script.js';

// Expiry is absolute (the token's own `exp`); compare it with the server clock, not ours.
const REVOKE = defineScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local left = tonumber(ARGV[1]) - now
if left > 0 then redis.call('SET', KEYS[1], '1', 'PX', math.ceil(left)) end
return 1
`);

/**
 * JWT revocation denylist on Redis: each entry expires when the revoked token would have. Reads are a single
 * EXISTS. Errors throw {@link RedisStoreError}; the verifier then refuses the token (fails closed).
 *
 * @example
 * const revocations = createRedisRevocationStore({ client });
 * await revocations.revoke(claims.jti, claims.exp * 1000);
 */
export function createRedisRevocationStore(options: RedisStoreOptions): RevocationStore {
  const resolved = resolveOptions('stores.revocation', options);
  const prefix = `${resolved.prefix}:rv:`;
  const { client } = resolved;

  return {
    async revoke(id, expiresAtMs) {
      await runScript(resolved, 'revocation.revoke', REVOKE, [prefix + tagged(id)], [Math.ceil(expiresAtMs)]);
    },
    async isRevoked(id) {
      return (await bounded(resolved, 'revocation.isRevoked', client.exists(prefix + tagged(id)))) === 1;
    },
  };
}
