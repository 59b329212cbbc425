import { createRefreshTokenRotator } from '@bulwark/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRefreshTokenStore } from '../src/index.js';
import { connect, runPrefix } from './redis-url.js';

// What only Redis can show: how much a family takes after many rotations, and the rotator end to end.
let client: Redis;
const prefix = runPrefix('refresh');

beforeAll(async () => {
  client = await connect();
});
afterAll(async () => {
  const keys = await client.keys(`*${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

describe('Redis refresh-token families', () => {
  it('keep one key of constant size however often they rotate, and rotation never extends the lifetime', async () => {
    const own = `${prefix}-size`;
    const rotator = createRefreshTokenRotator({
      store: createRedisRefreshTokenStore({ client, prefix: own }),
      familyTtlMs: 3_600_000,
    });
    const issued = await rotator.issue('user-1', 'web');
    const keys = await client.keys(`${own}:*`);
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    const fieldsAtStart = await client.hlen(key);
    let token = issued.token;
    for (let i = 0; i < 300; i++) {
      const v = await rotator.rotate(token, 'web');
      if (!v.ok) throw new Error(`rotation ${i} refused: ${v.error?.code}`);
      token = v.value.token;
    }
    expect(await client.keys(`${own}:*`)).toEqual([key]);
    expect(await client.hlen(key)).toBe(fieldsAtStart);
    expect(await client.hget(key, 'g')).toBe('300');
    expect(await client.pttl(key)).toBeLessThanOrEqual(3_600_000);
    // Neither the raw token nor its secret part is stored anywhere in the family.
    expect(JSON.stringify(await client.hgetall(key))).not.toContain(token);
  });

  it('bind the family to its client: another client presenting the token revokes it', async () => {
    const rotator = createRefreshTokenRotator({ store: createRedisRefreshTokenStore({ client, prefix }) });
    const issued = await rotator.issue('user-1', 'client-a');
    const stolen = await rotator.rotate(issued.token, 'client-b');
    expect(stolen.ok ? undefined : [stolen.error?.code, stolen.error?.status]).toEqual([
      'OAUTH_REFRESH_CLIENT_MISMATCH',
      400,
    ]);
    const own = await rotator.rotate(issued.token, 'client-a');
    expect(own.ok ? undefined : own.error?.code).toBe('OAUTH_REFRESH_INVALID');
  });
});
