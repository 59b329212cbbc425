import { makeTestKeys, jwtSpec, rateLimitSpec, call } from '@bulwark/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { BulwarkModule, isConfigError, RateLimit } from '../src/index.js';
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

describe('nestjs: @RateLimit names are checked at startup', () => {
  it('refuses to start when a handler names an unknown limiter', async () => {
    @Controller('x')
    class Typo {
      @Get()
      @RateLimit('apii')
      get(): string {
        return 'x';
      }
    }
    @Module({
      imports: [BulwarkModule.forRoot({ rateLimit: { limiters: { api: { rate: '10/min' } } } })],
      controllers: [Typo],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    const error = await app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    await app.close();
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toContain("@RateLimit('apii') on Typo.get");
  });
});
