import { makeTestKeys, jwtSpec, rateLimitSpec, call } from '@bulwark/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nestHarness } from './harness.js';

// NestJS-only: @SkipRateLimit() on a handler exempts it from its controller's @RateLimit('direct').
for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): @SkipRateLimit`, () => {
    let app: Awaited<ReturnType<ReturnType<typeof nestHarness>['start']>>;
    beforeAll(async () => {
      app = await nestHarness(platform).start({
        jwt: jwtSpec(await makeTestKeys()),
        rateLimit: rateLimitSpec(),
      });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('never limits a skipped handler while its siblings are limited', async () => {
      for (let i = 0; i < 3; i++) expect((await call(app.url, '/rl/direct')).status).toBe(200);
      expect((await call(app.url, '/rl/direct')).status).toBe(429);
      for (let i = 0; i < 6; i++) {
        const res = await call(app.url, '/rl/skipped');
        expect(res.status).toBe(200);
        expect(res.headers.ratelimit).toBeUndefined();
      }
    });
  });
}
