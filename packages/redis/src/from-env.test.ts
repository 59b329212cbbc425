import { describe, expect, it } from 'vitest';
import { isRedisStoreError, storesFromEnv } from './index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('storesFromEnv', () => {
  it('gives memory stores without REDIS_URL', async () => {
    const stores = await storesFromEnv({ env: {} });
    expect(stores.backend).toBe('memory');
    expect((await stores.replay.claim('evt', 60_000)).outcome).toBe('claimed');
    await stores.close();
  });

  it('gives Redis stores, shared between two instances, with REDIS_URL', async () => {
    const env = { REDIS_URL, REDIS_PREFIX: `bwtest:env:${process.pid}:${Date.now().toString(36)}` };
    const [a, b] = [await storesFromEnv({ env }), await storesFromEnv({ env })];
    try {
      expect([a.backend, b.backend]).toEqual(['redis', 'redis']);
      const claim = await a.replay.claim('evt', 60_000);
      expect(claim.outcome).toBe('claimed');
      expect(await b.replay.claim('evt', 60_000)).toEqual({ outcome: 'processing' });
      if (claim.outcome === 'claimed') expect(await a.replay.release('evt', claim.token)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses to start on memory when the configured Redis is unreachable', async () => {
    const err = await storesFromEnv({ env: { REDIS_URL: 'redis://user:secret@127.0.0.1:1' } }).catch(
      (e) => e,
    );
    expect(isRedisStoreError(err) && err.code === 'REDIS_UNAVAILABLE').toBe(true);
    expect(String(err.message)).not.toContain('secret');
  });
});
