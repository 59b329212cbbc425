import 'reflect-metadata';
import { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Header, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BulwarkModule, RateLimit } from '../src/index.js';

const ORIGIN = 'https://app.example.com';

@Controller()
class HeadersController {
  @Get('plain')
  @RateLimit('api')
  plain(): { ok: boolean } {
    return { ok: true };
  }

  // The handler's own values for fields bulwark sets earlier: each must win, as it did over setHeader.
  @Get('own')
  @RateLimit('api')
  @Header('X-Frame-Options', 'SAMEORIGIN')
  @Header('Access-Control-Allow-Origin', 'https://other.example')
  @Header('RateLimit-Policy', '"mine";q=1')
  own(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({
  imports: [
    BulwarkModule.forRoot({
      securityHeaders: true,
      cors: { origins: [ORIGIN] },
      rateLimit: { limiters: { api: { rate: '1000/min' } } },
    }),
  ],
  controllers: [HeadersController],
})
class AppModule {}

/** Lowercase names node's setHeader is called with from now on (the platform's own calls included). */
const setHeaderNames = (spy = vi.spyOn(ServerResponse.prototype, 'setHeader')) => ({
  names: () => spy.mock.calls.map((call) => String(call[0]).toLowerCase()),
  clear: () => spy.mockClear(),
});

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): constant headers written into node’s header table`, () => {
    let app: INestApplication | undefined;
    let url = '';
    const start = async (): Promise<void> => {
      app = await NestFactory.create(
        AppModule,
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      await app.listen(0, '127.0.0.1');
      url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    };
    afterEach(() => {
      vi.restoreAllMocks();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('sends the security headers, the CORS grant and the rate limit policy without setHeader', async () => {
      await start();
      const set = setHeaderNames();
      for (let i = 0; i < 2; i++) {
        set.clear();
        const res = await fetch(`${url}/plain`, { headers: { origin: ORIGIN } });
        expect(res.status).toBe(200);
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
        expect(res.headers.get('vary')).toContain('Origin');
        expect(res.headers.get('ratelimit-policy')).toBe('"ip";q=1000;w=60');
        expect(res.headers.get('ratelimit')).toMatch(/^"ip";r=\d+;t=\d+$/);
        expect(res.headers.get('x-powered-by')).toBeNull();
        for (const name of ['x-frame-options', 'access-control-allow-origin', 'ratelimit-policy'])
          expect(set.names()).not.toContain(name);
        await res.arrayBuffer();
      }
    });

    it('a handler’s own header still wins over each of them', async () => {
      const res = await fetch(`${url}/own`, { headers: { origin: ORIGIN } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('access-control-allow-origin')).toBe('https://other.example');
      expect(res.headers.get('ratelimit-policy')).toBe('"mine";q=1');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      await res.arrayBuffer();
    });
  });
}
