import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { describe, expect, it } from 'vitest';
import { BulwarkModule, isConfigError, RequireJwt } from '../src/index.js';

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
