import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { call, corsSpec } from '@bulwark/conformance';
import { describe, expect, it } from 'vitest';
import {
  BulwarkModule,
  type BulwarkModuleAsyncOptions,
  type BulwarkModuleOptions,
  type BulwarkOptionsFactory,
  isConfigError,
  type JwtVerifierOptions,
  RequireJwt,
} from '../src/index.js';

@Controller()
class OpenController {
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }
}

@Controller()
class GuardedController {
  @Get('guarded')
  @RequireJwt()
  guarded(): { ok: true } {
    return { ok: true };
  }
}

describe('BulwarkModule start-up', () => {
  it('starts without a jwt option when no route requires a JWT', async () => {
    @Module({ imports: [BulwarkModule.forRoot({})], controllers: [OpenController] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    await app.init();
    await app.close();
  });

  it('refuses to start when @RequireJwt() is used without a jwt option, naming the option', async () => {
    @Module({ imports: [BulwarkModule.forRoot({})], controllers: [GuardedController] })
    class AppModule {}
    const error = await NestFactory.create(AppModule, new ExpressAdapter(), {
      logger: false,
      abortOnError: false,
    }).then(
      (app) => app.init().then(() => app.close()),
      (e: unknown) => e,
    );
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^BulwarkModule\.jwt: .*pass jwt to BulwarkModule\.forRoot/);
  });

  it('refuses to start with an unsafe jwt option (alg none)', async () => {
    @Module({
      imports: [
        BulwarkModule.forRoot({
          jwt: {
            algorithms: ['none' as 'RS256'],
            issuer: 'https://i.test/',
            audience: 'a',
            jwksUri: 'https://i.test/jwks',
          },
        }),
      ],
      controllers: [GuardedController],
    })
    class AppModule {}
    const error = await NestFactory.create(AppModule, new ExpressAdapter(), {
      logger: false,
      abortOnError: false,
    }).then(
      (app) => app.close(),
      (e: unknown) => e,
    );
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toContain('jwt.algorithms[0]');
  });
});

describe('BulwarkModule start-up: routes the jwt verifier cannot serve', () => {
  const jwt: JwtVerifierOptions = {
    algorithms: ['ES256'],
    issuer: 'https://id.example/',
    audience: 'https://api.example',
    jwksUri: 'https://id.example/jwks',
  };

  @Controller('orders')
  class DpopController {
    @Get()
    @RequireJwt({ dpop: 'required' })
    read(): { ok: true } {
      return { ok: true };
    }
  }

  @Controller('orders')
  @RequireJwt({ dpop: 'allowed' })
  class DpopAtClassController {
    @Get()
    @RequireJwt({ scopes: ['orders:read'] })
    read(): { ok: true } {
      return { ok: true };
    }
  }

  for (const [controller, where] of [
    [DpopController, 'DpopController.read'],
    [DpopAtClassController, 'DpopAtClassController.read'],
  ] as const) {
    for (const platform of ['express', 'fastify'] as const) {
      it(`(${platform}) refuses to start with a DPoP route (${where}) and no dpop in the jwt option`, async () => {
        @Module({ imports: [BulwarkModule.forRoot({ jwt })], controllers: [controller] })
        class AppModule {}
        const error = await NestFactory.create(
          AppModule,
          platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
          { logger: false, abortOnError: false },
        ).then(
          (app) =>
            app.init().then(
              () => app.close(),
              async (e: unknown) => {
                await app.close().catch(() => {});
                return e;
              },
            ),
          (e: unknown) => e,
        );
        expect(isConfigError(error)).toBe(true);
        expect((error as Error).message).toContain(
          `@RequireJwt() on ${where}: jwt.dpop: a route asks for DPoP`,
        );
      });
    }
  }

  it('starts when the jwt option has dpop', async () => {
    @Module({
      imports: [BulwarkModule.forRoot({ jwt: { ...jwt, dpop: { externalUrl: 'https://api.example' } } })],
      controllers: [DpopController],
    })
    class AppModule {}
    const app = await NestFactory.create(AppModule, new ExpressAdapter(), { logger: false });
    await app.init();
    await app.close();
  });
});

describe('BulwarkModule in an app built from a testing module', () => {
  // Test.createTestingModule builds the module before any HTTP adapter exists: the app-wide rules are
  // installed when the app initialises instead.
  for (const platform of ['express', 'fastify'] as const) {
    it(`(${platform}) still sends the headers and the CORS answer on every response`, async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [BulwarkModule.forRoot({ securityHeaders: true, cors: corsSpec() })],
        controllers: [OpenController],
      }).compile();
      const app = moduleRef.createNestApplication(
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      await app.listen(0, '127.0.0.1');
      try {
        const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
        for (const path of ['/open', '/missing']) {
          const res = await call(url, path, { headers: { origin: 'https://app.example.com' } });
          expect(res.status, path).toBe(path === '/open' ? 200 : 404);
          expect(res.headers['x-content-type-options'], path).toBe('nosniff');
          expect(res.headers['access-control-allow-origin'], path).toBe('https://app.example.com');
        }
      } finally {
        await app.close();
      }
    });
  }
});

describe('BulwarkModule security headers by default', () => {
  // Importing the module replaces app.use(helmet()): the headers are on unless turned off.
  for (const platform of ['express', 'fastify'] as const) {
    it(`(${platform}) sends them with forRoot({}), and none with securityHeaders: false`, async () => {
      const serve = async (options: Parameters<typeof BulwarkModule.forRoot>[0]) => {
        @Module({ imports: [BulwarkModule.forRoot(options)], controllers: [OpenController] })
        class AppModule {}
        const app = await NestFactory.create(
          AppModule,
          platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
          { logger: false },
        );
        await app.listen(0, '127.0.0.1');
        const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
        return { app, url };
      };
      const on = await serve({});
      try {
        for (const path of ['/open', '/missing']) {
          const res = await call(on.url, path);
          expect(res.headers['x-content-type-options'], path).toBe('nosniff');
          expect(res.headers['content-security-policy'], path).toMatch(/^default-src 'none'/);
        }
      } finally {
        await on.app.close();
      }
      const off = await serve({ securityHeaders: false });
      try {
        const res = await call(off.url, '/open');
        expect(res.status).toBe(200);
        expect(res.headers['x-content-type-options']).toBeUndefined();
      } finally {
        await off.app.close();
      }
    });
  }
});

describe('BulwarkModule.forRootAsync', () => {
  // The options come from another module's provider, as they would from a ConfigService.
  const JWT_SETTINGS = Symbol('jwt settings');
  const jwt: JwtVerifierOptions = {
    algorithms: ['ES256'],
    issuer: 'https://id.example.test/',
    audience: 'orders',
    jwksUri: 'https://id.example.test/jwks.json',
  };
  @Module({ providers: [{ provide: JWT_SETTINGS, useValue: jwt }], exports: [JWT_SETTINGS] })
  class SettingsModule {}

  @Injectable()
  class BulwarkConfig implements BulwarkOptionsFactory {
    constructor(@Inject(JWT_SETTINGS) private readonly settings: JwtVerifierOptions) {}
    async createBulwarkOptions(): Promise<BulwarkModuleOptions> {
      return { jwt: this.settings, cors: corsSpec() };
    }
  }
  @Module({ imports: [SettingsModule], providers: [BulwarkConfig], exports: [BulwarkConfig] })
  class BulwarkConfigModule {}

  const forms: Record<string, BulwarkModuleAsyncOptions> = {
    useFactory: {
      imports: [SettingsModule],
      inject: [JWT_SETTINGS],
      useFactory: async (settings: JwtVerifierOptions) => ({ jwt: settings, cors: corsSpec() }),
    },
    useClass: { imports: [SettingsModule], useClass: BulwarkConfig },
    useExisting: { imports: [BulwarkConfigModule], useExisting: BulwarkConfig },
  };

  for (const [form, options] of Object.entries(forms)) {
    for (const platform of ['express', 'fastify'] as const) {
      it(`(${platform}) ${form}: the rules are built from the options Nest resolves`, async () => {
        @Module({ imports: [BulwarkModule.forRootAsync(options)], controllers: [GuardedController] })
        class AppModule {}
        const app = await NestFactory.create(
          AppModule,
          platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
          { logger: false },
        );
        await app.listen(0, '127.0.0.1');
        try {
          const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
          const res = await call(url, '/guarded', { headers: { origin: 'https://app.example.com' } });
          // @RequireJwt() found the verifier (else the app would not start) and refused the bare request.
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
          expect((res.json() as { code: string }).code).toBe('JWT_MISSING');
          // The app-wide rules of the same options: the CORS grant and the default security headers.
          expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
          expect(res.headers['x-content-type-options']).toBe('nosniff');
        } finally {
          await app.close();
        }
      });
    }
  }

  it('refuses no form, or two forms at once, naming the option', () => {
    const refused = (options: BulwarkModuleAsyncOptions): string => {
      try {
        BulwarkModule.forRootAsync(options);
        return 'accepted';
      } catch (error) {
        return isConfigError(error) ? (error as Error).message : String(error);
      }
    };
    expect(refused({ imports: [SettingsModule] })).toMatch(
      /^nestjs\.BulwarkModule\.forRootAsync: has none of useFactory, useClass and useExisting/,
    );
    expect(refused({ useClass: BulwarkConfig, useExisting: BulwarkConfig })).toMatch(
      /^nestjs\.BulwarkModule\.forRootAsync: has useClass and useExisting; they are alternatives/,
    );
  });
});
