import 'reflect-metadata';
import { request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtSpec, makeTestKeys } from '@bulwark/conformance';
import { deny, type Reply } from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';
import {
  Controller,
  Get,
  Inject,
  type INestApplication,
  Module,
  type NestMiddleware,
  Query,
  Res,
  type MiddlewareConsumer,
} from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeAnswer } from '../src/answer.filter.js';
import { BulwarkModule, JWT_ERRORS, RATELIMIT_ERRORS, RequireJwt } from '../src/index.js';

// A refusal on the express platform is written to the node response directly (writeHeaders), not through
// express's res.set/res.send: the client gets the head res.send gave it, less the ETag (an error body is
// never revalidated). On fastify every answer still goes through fastify's reply, hooks included.

/** writeAnswer as it was before: every header through the adapter, then adapter.reply (express: res.send). */
function writeThroughAdapter(adapter: HttpAdapterHost['httpAdapter'], response: unknown, reply: Reply): void {
  const raw = (response as { raw?: ServerResponse }).raw ?? (response as ServerResponse);
  for (const pair of reply.headers) {
    if (pair[0] === 'set-cookie' || pair[0] === 'vary') setHeaders(raw, [pair]);
    else adapter.setHeader(response, pair[0], pair[1]);
  }
  adapter.reply(response, reply.body ?? '', reply.status);
}

const PROBLEM = JSON.stringify({
  type: 'x',
  title: 'Too Many Requests',
  status: 429,
  detail: 'é',
  code: 'RATE_LIMITED',
});

/** Replies by name: frozen from core, a per-request (unfrozen) one, and ones the adapter keeps writing. */
const REPLIES: Record<string, () => Reply> = {
  // core's rendering, frozen, with the rule's Vary and a cookie
  malformed: () =>
    deny(JWT_ERRORS.malformed, [
      ['vary', 'Origin'],
      ['set-cookie', 'seen=1; Path=/'],
    ]).reply,
  // built per request, not frozen, a body with a non-ASCII character (Content-Length counts bytes)
  limited: () => ({
    status: 429,
    headers: [
      ['ratelimit', '"api";r=0;t=60'],
      ['retry-after', '60'],
      ['content-type', 'application/problem+json'],
      ['cache-control', 'no-store'],
    ],
    body: PROBLEM,
  }),
  // a content type the direct write does not know how express formats: through the adapter
  flowed: () => ({ status: 400, headers: [['content-type', 'text/plain; format=flowed']], body: 'no' }),
  // not a refusal (a webhook delivery already processed): through the adapter
  duplicate: () => ({
    status: 200,
    headers: [['content-type', 'application/json; charset=utf-8']],
    body: '{"received":true,"duplicate":true}',
  }),
  // core's 429, frozen
  spent: () => deny(RATELIMIT_ERRORS.limited).reply,
};

// HEAD: both platforms answer it with the GET handler (express's router, fastify's exposeHeadRoutes).
@Controller()
class AnswerController {
  constructor(@Inject(HttpAdapterHost) private readonly host: HttpAdapterHost) {}

  @Get('now')
  now(@Query('reply') name: string, @Res() res: unknown): void {
    writeAnswer(this.host.httpAdapter, res, REPLIES[name]!());
  }

  @Get('before')
  before(@Query('reply') name: string, @Res() res: unknown): void {
    writeThroughAdapter(this.host.httpAdapter, res, REPLIES[name]!());
  }

  @Get('orders')
  @RequireJwt()
  orders(): { ok: true } {
    return { ok: true };
  }
}

/** Headers the app set before the refusal: the refusal's replace them, Vary and Set-Cookie add to them. */
class EarlyHeaders implements NestMiddleware {
  use(_req: unknown, res: ServerResponse, next: () => void): void {
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Set-Cookie', ['early=1; Path=/']);
    res.setHeader('Cache-Control', 'private');
    res.setHeader('X-Early', '1');
    next();
  }
}

interface Raw {
  status: number;
  head: string[];
  body: string;
}

/** The raw head (names as sent, in order; Date left out) and body of one request. */
function rawCall(
  url: string,
  path: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const head: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          if (res.rawHeaders[i]!.toLowerCase() !== 'date')
            head.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        }
        resolve({ status: res.statusCode!, head, body: Buffer.concat(chunks).toString() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const withoutEtag = (r: Raw): Raw => ({
  ...r,
  head: r.head.filter((h) => !h.toLowerCase().startsWith('etag:')),
});

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): how a refusal is written`, () => {
    let app: INestApplication;
    let url = '';
    const hooks: string[] = [];
    beforeAll(async () => {
      const keys = await makeTestKeys();
      @Module({ imports: [BulwarkModule.forRoot({ jwt: jwtSpec(keys) })], controllers: [AnswerController] })
      class AppModule {
        configure(consumer: MiddlewareConsumer): void {
          consumer.apply(EarlyHeaders).forRoutes('*path');
        }
      }
      app = await NestFactory.create(
        AppModule,
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      if (platform === 'fastify') {
        const fastify = app.getHttpAdapter().getInstance();
        fastify.addHook('onSend', async (request: { url: string }, reply: { statusCode: number }) => {
          hooks.push(`onSend ${request.url} ${reply.statusCode}`);
        });
        fastify.addHook('onResponse', async (request: { url: string }, reply: { statusCode: number }) => {
          hooks.push(`onResponse ${request.url} ${reply.statusCode}`);
        });
      }
      await app.listen(0, '127.0.0.1');
      url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    });
    afterEach(() => {
      vi.restoreAllMocks();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('sends what the adapter sent, less an ETag on a refusal (express), every header in place', async () => {
      for (const name of Object.keys(REPLIES)) {
        for (const method of ['GET', 'HEAD']) {
          const now = await rawCall(url, `/now?reply=${name}`, method);
          const before = await rawCall(url, `/before?reply=${name}`, method);
          const where = `${name} ${method}`;
          const refusal = REPLIES[name]!().status >= 400;
          const direct = platform === 'express' && refusal && name !== 'flowed';
          // The direct write drops only the ETag; everything else is byte for byte what res.send wrote.
          expect(now, where).toEqual(direct ? withoutEtag(before) : before);
          if (platform === 'express') {
            expect(
              before.head.some((h) => h.startsWith('ETag:')),
              where,
            ).toBe(true);
            expect(
              now.head.some((h) => h.startsWith('ETag:')),
              where,
            ).toBe(!direct);
          }
          expect(now.body, where).toBe(method === 'HEAD' ? '' : (REPLIES[name]!().body ?? ''));
          if (refusal) {
            const length = now.head.find((h) => h.toLowerCase().startsWith('content-length:'));
            expect(length?.toLowerCase(), where).toBe(
              `content-length: ${Buffer.byteLength(REPLIES[name]!().body!)}`,
            );
          }
        }
      }
      const malformed = (await rawCall(url, '/now?reply=malformed')).head.map((h) => h.toLowerCase());
      expect(malformed).toContain('vary: accept-encoding, origin');
      expect(malformed.filter((h) => h.startsWith('set-cookie:'))).toEqual([
        'set-cookie: early=1; path=/',
        'set-cookie: seen=1; path=/',
      ]);
      expect(malformed).toContain('x-early: 1');
      expect(malformed).toContain('cache-control: no-store');
      expect(malformed).toContain('content-type: application/problem+json; charset=utf-8');
    });

    it("a guard's refusal: the same head, and on express neither res.set nor res.send", async () => {
      const send = vi.spyOn(express.response, 'send');
      const set = vi.spyOn(express.response, 'set');
      const res = await rawCall(url, '/orders', 'GET', { authorization: 'Bearer not.a-token' });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).code).toBe('JWT_MALFORMED');
      const lower = res.head.map((h) => h.toLowerCase());
      expect(lower).toContain('www-authenticate: bearer error="invalid_token"');
      expect(lower).toContain('content-type: application/problem+json; charset=utf-8');
      expect(lower).toContain(`content-length: ${Buffer.byteLength(res.body)}`);
      expect(lower.some((h) => h.startsWith('etag:'))).toBe(false);
      if (platform === 'express') {
        expect(send).not.toHaveBeenCalled();
        expect(set).not.toHaveBeenCalled();
      }
    });

    if (platform === 'fastify') {
      it("fastify's onSend and onResponse hooks see a refusal", async () => {
        hooks.length = 0;
        const res = await rawCall(url, '/orders', 'GET', { authorization: 'Bearer not.a-token' });
        expect(res.status).toBe(401);
        await new Promise((r) => setTimeout(r, 20));
        expect(hooks).toEqual(['onSend /orders 401', 'onResponse /orders 401']);
      });
    }
  });
}
