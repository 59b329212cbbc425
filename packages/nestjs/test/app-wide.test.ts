import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '@bulwark/core';
import { BulwarkModule } from '../src/index.js';

@Controller()
class JsonController {
  @Get('json')
  json(): { hello: string } {
    return { hello: 'world' };
  }
}

const events: SecurityEvent[] = [];

@Module({
  imports: [
    BulwarkModule.forRoot({
      cors: { origins: ['https://app.example'] },
      onEvent: (e) => events.push(e),
    }),
  ],
  controllers: [JsonController],
})
class AppModule {}

// On the fastify platform the app-wide steps run on the server's request event and their answer is read
// back in an onRequest hook; a request that never went through the server (inject()) runs them there.
// Either way they run once per request: one CORS refusal is one event, and every answer has the headers.
describe('nestjs (fastify): app-wide steps run once per request, over the server and inject()', () => {
  let app: NestFastifyApplication;
  let url: string;
  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger: false,
    });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  const preflight = {
    origin: 'https://evil.example',
    'access-control-request-method': 'GET',
  };

  it('over the server', async () => {
    events.length = 0;
    for (let i = 0; i < 3; i++) {
      const refused = await fetch(`${url}/json`, { method: 'OPTIONS', headers: preflight });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await refused.json()).code).toBe('CORS_ORIGIN_DENIED');
      const ok = await fetch(`${url}/json`, { headers: { origin: 'https://app.example' } });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await ok.json()).toEqual({ hello: 'world' });
    }
    expect(events.filter((e) => e.type === 'cors.denied')).toHaveLength(3);
  });

  it('over inject()', async () => {
    events.length = 0;
    for (let i = 0; i < 3; i++) {
      const refused = await app.inject({ method: 'OPTIONS', url: '/json', headers: preflight });
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['x-content-type-options']).toBe('nosniff');
      expect(refused.json().code).toBe('CORS_ORIGIN_DENIED');
      const ok = await app.inject({
        method: 'GET',
        url: '/json',
        headers: { origin: 'https://app.example' },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(ok.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(events.filter((e) => e.type === 'cors.denied')).toHaveLength(3);
  });
});
