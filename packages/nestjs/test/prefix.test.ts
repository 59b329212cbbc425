import 'reflect-metadata';
import { call, corsSpec, type HttpResult, jwtSpec, makeTestKeys } from '@bulwark/conformance';
import { Body, Controller, Get, HttpCode, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulwarkModule } from '../src/index.js';

const ORIGIN = 'https://app.example.com';

@Controller()
class DataController {
  @Get('data')
  data(): { data: string } {
    return { data: 'secret' };
  }

  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown): { echo: unknown } {
    return { echo: body };
  }
}

function varies(res: HttpResult): string[] {
  return String(res.headers.vary ?? '')
    .toLowerCase()
    .split(/\s*,\s*/);
}

function expectAnswer(res: HttpResult, what: string): void {
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['strict-transport-security'], what).toBe('max-age=31536000; includeSubDomains');
  expect(res.headers['access-control-allow-origin'], what).toBe(ORIGIN);
  expect(varies(res), what).toContain('origin');
}

// The app-wide rules run ahead of Nest's global prefix and body parsers, on both platforms.
for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): app-wide rules with app.setGlobalPrefix()`, () => {
    let app: INestApplication;
    let url: string;
    beforeAll(async () => {
      @Module({
        imports: [
          BulwarkModule.forRoot({
            securityHeaders: true,
            cors: corsSpec(),
            jwt: jwtSpec(await makeTestKeys()),
          }),
        ],
        controllers: [DataController],
      })
      class AppModule {}
      app = await NestFactory.create(
        AppModule,
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      app.setGlobalPrefix('api');
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('answers inside the prefix and 404s inside and outside it with the headers and the CORS answer', async () => {
      const ok = await call(url, '/api/data', { headers: { origin: ORIGIN } });
      expect(ok.status).toBe(200);
      expectAnswer(ok, '/api/data');
      for (const path of ['/api/missing', '/outside', '/']) {
        const res = await call(url, path, { headers: { origin: ORIGIN } });
        expect(res.status, path).toBe(404);
        expectAnswer(res, path);
      }
    });

    it('answers preflights inside and outside the prefix before routing', async () => {
      for (const path of ['/api/data', '/outside']) {
        const res = await call(url, path, {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, 'access-control-request-method': 'PUT' },
        });
        expect(res.status, path).toBe(204);
        expectAnswer(res, path);
        expect(res.headers['access-control-allow-methods'], path).toContain('PUT');
      }
    });

    it('keeps them on the body parser answers (malformed 400, oversize 413)', async () => {
      const post = (body: string) =>
        call(url, '/api/echo', {
          method: 'POST',
          headers: { origin: ORIGIN, 'content-type': 'application/json' },
          body,
        });
      const malformed = await post('{"a":');
      expect(malformed.status).toBe(400);
      expectAnswer(malformed, 'malformed');
      const big = await post(JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
      expect(big.status).toBe(413);
      expectAnswer(big, 'oversize');
    });
  });
}
