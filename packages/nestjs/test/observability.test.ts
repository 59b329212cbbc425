import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  call,
  defineObservabilitySuite,
  defineTelemetrySuite,
  makeMtlsPki,
  type MtlsPki,
  mtlsCall,
  mtlsSpec,
  type ObservabilityHarness,
  type ObservedRules,
} from '@bulwark/conformance';
import { Controller, Get, Inject, type LoggerService, Module, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOidcClient, createOidcLogin, type SecurityEvent } from '@bulwark/core';
import type { EventOptions, PlatformRequest } from '../src/index.js';
import {
  authorizePathPrefix,
  BulwarkModule,
  OidcLoginService,
  RequireJwt,
  RequireMtls,
} from '../src/index.js';

@Controller()
class OrdersController {
  @Get('orders')
  @RequireJwt()
  orders(): { ok: true } {
    return { ok: true };
  }

  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }
}

// The app's Nest logger: what BulwarkModule must write to when nothing else is configured.
const lines: string[] = [];
const nestLogger: LoggerService = {
  log: (message: unknown, context?: unknown) => lines.push(`${String(context)}: ${String(message)}`),
  error: (message: unknown, ...rest: unknown[]) => lines.push(`${String(rest.at(-1))}: ${String(message)}`),
  warn: (message: unknown, context?: unknown) => lines.push(`${String(context)}: ${String(message)}`),
};

function appModule(rules: ObservedRules, events: EventOptions | undefined) {
  @Module({
    imports: [
      BulwarkModule.forRoot({
        jwt: rules.jwt,
        // Global: counted before @RequireJwt, so refused requests count too.
        rateLimit: { limiters: { api: rules.rateLimit }, global: 'api' },
        securityHeaders: false,
        ...events,
      }),
    ],
    controllers: [OrdersController],
  })
  class AppModule {}
  return AppModule;
}

for (const platform of ['express', 'fastify'] as const) {
  const harness: ObservabilityHarness = {
    name: `nestjs-${platform}`,
    async start(rules, events) {
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      const app = await NestFactory.create(appModule(rules, events), adapter, { logger: nestLogger });
      await app.listen(0, '127.0.0.1');
      const server = app.getHttpServer();
      const { port } = server.address() as AddressInfo;
      return { url: `http://127.0.0.1:${port}`, server, close: () => app.close() };
    },
    // Context `bulwark`, as Nest prints it: [bulwark] JWKS unreachable…
    takeFrameworkLog: () => lines.splice(0).filter((l) => l.startsWith('bulwark: ')),
  };
  defineObservabilitySuite(harness);
  defineTelemetrySuite(harness);
}

// A route's own @RequireMtls(options) builds its verifier in the decorator, apart from the module: its
// refusals still reach the module's sink, at either level.
const billing = { authorize: authorizePathPrefix('corp.example.com', '/ns/billing') };

@Controller('mtls-handler')
class MtlsHandlerController {
  @Get('pay')
  @RequireMtls(billing)
  pay(): { ok: true } {
    return { ok: true };
  }
}

@Controller('mtls-class')
@RequireMtls({ authorize: authorizePathPrefix('corp.example.com', '/ns/billing') })
class MtlsClassController {
  @Get('pay')
  pay(): { ok: true } {
    return { ok: true };
  }
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs-${platform}: a route's own @RequireMtls reports to the module's sink`, () => {
    let pki: MtlsPki;
    beforeAll(async () => {
      pki = await makeMtlsPki();
    });

    async function start(events: EventOptions): Promise<{ url: string; close(): Promise<void> }> {
      // No module mtls option: every policy here is a route's own.
      @Module({
        imports: [BulwarkModule.forRoot({ securityHeaders: false, ...events })],
        controllers: [MtlsHandlerController, MtlsClassController],
      })
      class AppModule {}
      const tls = mtlsSpec(pki).tls;
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter({ https: tls });
      const app = await NestFactory.create(AppModule, adapter, {
        ...((platform === 'express' ? { httpsOptions: tls } : {}) as object),
        logger: false,
      });
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      return { url: `https://127.0.0.1:${port}`, close: () => app.close() };
    }

    it('onEvent receives the refusals of handler and controller @RequireMtls(options)', async () => {
      const events: SecurityEvent[] = [];
      const app = await start({ onEvent: (e) => events.push(e) });
      try {
        for (const path of ['/mtls-handler/pay', '/mtls-class/pay']) {
          expect((await mtlsCall(app.url, path, pki, pki.billing)).status, path).toBe(200);
          expect((await mtlsCall(app.url, path, pki, pki.evil)).status, path).toBe(403);
        }
        expect(events.map((e) => [e.type, e.rule, e.code, e.path])).toEqual([
          ['mtls.rejected', 'mtls', 'MTLS_PEER_DENIED', '/mtls-handler/pay'],
          ['mtls.rejected', 'mtls', 'MTLS_PEER_DENIED', '/mtls-class/pay'],
        ]);
      } finally {
        await app.close();
      }
    });

    it('logDenials writes those refusals to the module logger', async () => {
      const records: [string, string][] = [];
      const keep = (level: string) => (event: SecurityEvent) => records.push([level, event.type]);
      const app = await start({
        logger: { error: keep('error'), warn: keep('warn'), info: keep('info') },
        logDenials: 1,
      });
      try {
        expect((await mtlsCall(app.url, '/mtls-handler/pay', pki, pki.evil)).status).toBe(403);
        expect(records).toEqual([['info', 'mtls.rejected']]);
      } finally {
        await app.close();
      }
    });
  });
}

// OidcLoginService's login is given in the module options: its events reach the module's sink.
@Controller('auth')
class AuthController {
  constructor(@Inject(OidcLoginService) private readonly oidc: OidcLoginService) {}

  @Get('login')
  login(@Req() req: PlatformRequest, @Res() res: unknown): Promise<void> {
    return this.oidc.login(req, res);
  }

  @Get('callback')
  async callback(@Req() req: PlatformRequest, @Res({ passthrough: true }) res: unknown) {
    return { sub: (await this.oidc.callback(req, res)).claims.sub };
  }
}

for (const platform of ['express', 'fastify'] as const) {
  it(`nestjs-${platform}: OidcLoginService's login reports to the module's onEvent`, async () => {
    const events: SecurityEvent[] = [];
    // Nothing listens on port 9 of the loopback: discovery is refused.
    const client = createOidcClient({
      issuer: 'http://127.0.0.1:9',
      clientId: 'web-app',
      clientSecret: 'web-app-secret-0123456789abcdef0123456789',
      redirectUri: 'https://app.example.com/auth/callback',
      scopes: ['openid'],
    });
    const login = createOidcLogin({ client, secret: 'login-secret-for-tests-0123456789abcdef' });
    @Module({
      imports: [
        BulwarkModule.forRoot({ securityHeaders: false, oauth: { login }, onEvent: (e) => events.push(e) }),
      ],
      controllers: [AuthController],
    })
    class AppModule {}
    const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
    const app = await NestFactory.create(AppModule, adapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    try {
      expect((await call(url, '/auth/login')).status).toBe(503);
      expect((await call(url, '/auth/callback?code=c&state=x')).status).toBe(400);
      expect(events.map((e) => [e.type, e.rule])).toEqual([
        ['oauth.discovery_failed', 'oauth'],
        ['oauth.login_rejected', 'oauth'],
      ]);
    } finally {
      await app.close();
    }
  });
}
