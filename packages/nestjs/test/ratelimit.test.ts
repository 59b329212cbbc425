import {
  bearer,
  call,
  jwtSpec,
  makeTestKeys,
  mint,
  rateLimitSpec,
  type StoreSide,
  syncPathSides,
} from '@bulwark/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { APP_GUARD } from '@nestjs/core';
import type { RateLimiterOptions } from '@bulwark/core';
import {
  BulwarkModule,
  type BulwarkModuleOptions,
  isConfigError,
  RateLimit,
  RequireJwt,
  SkipRateLimit,
} from '../src/index.js';
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

// A controller's @RateLimit is a floor: a handler naming a looser limiter (or skipping and naming its own)
// is counted by both, and the controller's limiter counts before the handler's guards run.
@Controller('floor')
@RateLimit('floor')
class FloorController {
  @Get('loose')
  @RateLimit('loose')
  loose(): string {
    return 'ok';
  }

  @Get('own')
  @SkipRateLimit()
  @RateLimit('own')
  own(): string {
    return 'ok';
  }

  @Get('token')
  @RateLimit('loose')
  @RequireJwt()
  token(): string {
    return 'ok';
  }
}

for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): @RateLimit on controller and handler`, () => {
    let url: string;
    let close: () => Promise<void>;
    let token: string;
    beforeAll(async () => {
      const keys = await makeTestKeys();
      token = await mint(keys);
      const quiet = { clientIp: { onEvent: () => {} } };
      @Module({
        imports: [
          BulwarkModule.forRoot({
            jwt: jwtSpec(keys),
            rateLimit: {
              limiters: {
                floor: { rate: '2/min', ...quiet },
                loose: { rate: '100/min', ...quiet },
                own: { rate: '1/min', ...quiet },
              },
            },
          }),
        ],
        controllers: [FloorController],
      })
      class AppModule {}
      const app = await NestFactory.create(
        AppModule,
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
      close = () => app.close();
    });
    afterAll(async () => {
      await close?.();
    });

    it('counts the controller limiter under a handler limiter, before the handler guards', async () => {
      // Two requests spend the controller's 2/min: a bad token is refused by @RequireJwt, yet counted.
      expect((await call(url, '/floor/loose')).status).toBe(200);
      expect((await call(url, '/floor/token', { headers: bearer('junk') })).status).toBe(401);
      for (const path of ['/floor/loose', '/floor/token']) {
        const res = await call(url, path, { headers: bearer(token) });
        expect(res.status, path).toBe(429);
        expect(res.headers['ratelimit-policy'], path).toBe('"ip";q=2;w=60');
      }
    });

    it('@SkipRateLimit exempts from the controller limiter only, never from the handler own', async () => {
      expect((await call(url, '/floor/own')).status).toBe(200);
      expect((await call(url, '/floor/own')).status).toBe(429);
    });
  });
}

// rateLimit.global: one limiter over every route, as @nestjs/throttler's APP_GUARD, no @RateLimit needed.
@Controller()
class AppWideController {
  @Get('a')
  a(): string {
    return 'a';
  }

  @Get('b')
  @RequireJwt()
  b(): string {
    return 'b';
  }

  @Get('health')
  @SkipRateLimit()
  health(): string {
    return 'ok';
  }

  @Get('c')
  @RateLimit('api')
  c(): string {
    return 'c';
  }
}

@Controller('internal')
@SkipRateLimit()
class InternalController {
  @Get()
  get(): string {
    return 'internal';
  }
}

for (const [platform, form] of [
  ['express', 'forRoot'],
  ['fastify', 'forRoot'],
  ['express', 'forRootAsync'],
  ['fastify', 'forRootAsync'],
] as const) {
  describe(`nestjs (${platform}): rateLimit.global (${form})`, () => {
    let app: Awaited<ReturnType<typeof NestFactory.create>>;
    let url: string;
    beforeAll(async () => {
      const options: BulwarkModuleOptions = {
        jwt: jwtSpec(await makeTestKeys()),
        rateLimit: { limiters: { api: { rate: '3/min' } }, global: 'api' },
      };
      @Module({
        imports: [
          form === 'forRoot'
            ? BulwarkModule.forRoot(options)
            : BulwarkModule.forRootAsync({ useFactory: async () => options }),
        ],
        controllers: [AppWideController, InternalController],
      })
      class AppModule {}
      app = await NestFactory.create(
        AppModule,
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      await app.listen(0, '127.0.0.1');
      url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
    });

    it('counts every route of the app in one budget, before the JWT guard; skipped routes never count', async () => {
      // Named by @RateLimit('api') too: counted once, not twice.
      expect((await call(url, '/c')).status).toBe(200);
      // Counted although @RequireJwt refuses it: the app-wide limiter runs first.
      expect((await call(url, '/b')).status).toBe(401);
      expect((await call(url, '/a')).status).toBe(200);
      const limited = await call(url, '/a');
      expect(limited.status).toBe(429);
      expect(limited.json()).toMatchObject({ status: 429 });
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect((await call(url, '/b')).status).toBe(429);
      for (const path of ['/health', '/internal']) {
        const res = await call(url, path);
        expect(res.status, path).toBe(200);
        expect(res.headers.ratelimit, path).toBeUndefined();
      }
    });
  });
}

describe('nestjs: rateLimit.global is checked at startup', () => {
  it('refuses a name rateLimit.limiters does not define, naming the option and the limiters', async () => {
    @Module({
      imports: [
        BulwarkModule.forRoot({ rateLimit: { limiters: { api: { rate: '10/min' } }, global: 'apii' } }),
      ],
      controllers: [AppWideController],
    })
    class AppModule {}
    const error = await NestFactory.create(AppModule, new ExpressAdapter(), {
      logger: false,
      abortOnError: false,
    }).then(
      async (app) => {
        const e = await app.init().then(
          () => undefined,
          (err: unknown) => err,
        );
        await app.close();
        return e;
      },
      (err: unknown) => err,
    );
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toContain('nestjs.BulwarkModule.rateLimit.global');
    expect((error as Error).message).toContain("'api'");
  });
});

describe('nestjs: the app-wide rate-limit guard', () => {
  const guards = (providers: unknown[] | undefined) =>
    (providers ?? []).filter((p) => (p as { provide?: unknown }).provide === APP_GUARD);

  it('is registered by forRoot only with rateLimit.global (Nest would run it on every request of every route)', () => {
    expect(guards(BulwarkModule.forRoot({}).providers)).toHaveLength(0);
    expect(
      guards(BulwarkModule.forRoot({ rateLimit: { limiters: { api: { rate: '3/min' } } } }).providers),
    ).toHaveLength(0);
    expect(
      guards(
        BulwarkModule.forRoot({ rateLimit: { limiters: { api: { rate: '3/min' } }, global: 'api' } })
          .providers,
      ),
    ).toHaveLength(1);
    // forRootAsync's options are known only once Nest resolves them: always registered there.
    expect(guards(BulwarkModule.forRootAsync({ useFactory: () => ({}) }).providers)).toHaveLength(1);
  });
});

// The memory store answers synchronously and the guards then decide without a promise; a network store's
// answer is awaited. Both must answer every request alike.
for (const platform of ['express', 'fastify'] as const) {
  describe(`nestjs (${platform}): rate-limit guards on the memory store answer as on a promise-only store`, () => {
    it('every status, header and body alike, global and route limiters, before and after @RequireJwt', async () => {
      const keys = await makeTestKeys();
      const token = await mint(keys);
      const sides = syncPathSides();
      const start = async (side: StoreSide) => {
        const limiter = (rate: string): RateLimiterOptions => sides.limiter(side, { rate });
        @Module({
          imports: [
            BulwarkModule.forRoot({
              jwt: jwtSpec(keys),
              rateLimit: {
                limiters: { floor: limiter('4/min'), loose: limiter('3/min'), own: limiter('1/min') },
                global: 'loose',
              },
            }),
          ],
          controllers: [FloorController],
        })
        class AppModule {}
        const app = await NestFactory.create(
          AppModule,
          platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
          { logger: false },
        );
        await app.listen(0, '127.0.0.1');
        return {
          app,
          url: (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1'),
        };
      };
      const run = async (url: string) => {
        const out = [];
        for (const [path, auth] of [
          ['/floor/loose', undefined],
          ['/floor/token', 'junk'],
          ['/floor/token', token],
          ['/floor/own', undefined],
          ['/floor/own', undefined],
          ['/floor/loose', undefined],
          ['/floor/token', token],
        ] as const) {
          const res = await call(url, path, auth === undefined ? {} : { headers: bearer(auth) });
          const { date: _date, ...headers } = res.headers;
          out.push({ path, status: res.status, headers, body: res.text });
        }
        return out;
      };
      const sync = await start('memory');
      const promised = await start('promised');
      try {
        const a = await sides.same((side) => run((side === 'memory' ? sync : promised).url));
        expect(a.map((r) => r.status)).toEqual([200, 401, 200, 200, 429, 429, 429]);
        expect(a[4]!.headers).toMatchObject({
          'content-type': expect.stringMatching(/^application\/problem\+json/),
          'retry-after': expect.stringMatching(/^\d+$/),
        });
        sides.advance(60_000);
        expect((await call(sync.url, '/floor/loose')).status).toBe(200);
      } finally {
        await sync.app.close();
        await promised.app.close();
      }
    });
  });
}
