// What both fixture servers share: the same stores (from REDIS_URL), the same policies, and the handlers'
// framework-free part. Each adapter file only translates requests and responses.
import { createRefreshTokenRotator, createWebhookVerifier, type RateLimiterOptions } from '@bulwark/core';
import { type BulwarkStores, storesFromEnv } from '../../src/index.js';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

export async function makeApp() {
  const stores: BulwarkStores = await storesFromEnv();
  if (stores.backend !== 'redis') throw new Error('the multi-instance fixture needs REDIS_URL');
  const limit = Number(process.env.GLOBAL_LIMIT);
  // One bucket for everyone: what a shared global limit looks like.
  const globalLimit: RateLimiterOptions = {
    name: 'multi',
    buckets: [{ name: 'global', key: () => 'all', rate: `${limit}/hour`, burst: limit }],
    store: stores.rateLimit,
    storeTimeoutMs: 2_000,
    failMode: 'closed',
  };
  const webhooks = createWebhookVerifier({
    scheme: 'standard',
    secrets: [process.env.WEBHOOK_SECRET ?? ''],
    replayStore: stores.replay,
  });
  // Strict rotation, so the concurrency test sees reuse detection across instances (not the retry window).
  const refresh = createRefreshTokenRotator({ store: stores.refresh, graceMs: 0 });
  let processed = 0;

  return {
    globalLimit,
    stats: (): Reply => json(200, { processed }),
    webhooks,
    /** The webhook handler's work, counted so the test can see how often it ran across both instances. */
    async processWebhook(): Promise<Reply> {
      // Long enough that a delivery to the other instance arrives while this one is still processing.
      await new Promise((r) => setTimeout(r, 150));
      processed += 1;
      return json(200, { duplicate: false });
    },
    async login(): Promise<Reply> {
      const issued = await refresh.issue('user-1', 'web');
      return json(200, { refresh_token: issued.token });
    },
    async refresh(token: string | undefined): Promise<Reply> {
      const verdict = await refresh.rotate(token, 'web');
      if (!verdict.ok) {
        const { status, headers, body = '' } = verdict.reply;
        return { status, headers: Object.fromEntries(headers), body };
      }
      return json(200, { refresh_token: verdict.value.token });
    },
    close: () => stores.close(),
  };
}
