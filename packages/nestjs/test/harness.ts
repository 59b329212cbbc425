import 'reflect-metadata';
import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import { Controller, Get, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { BulwarkModule, Claims, type JwtClaims, RateLimit, RequireJwt, SkipRateLimit } from '../src/index.js';

@Controller()
class HealthController {
  @Get('health')
  health(): { ok: true } {
    return { ok: true };
  }
}

@Controller()
class MeController {
  @Get('me')
  @RequireJwt()
  me(@Claims() claims: JwtClaims): { claims: JwtClaims } {
    return { claims };
  }
}

// Controller-level limiter with handler-level overrides: exercises both decorator targets.
@Controller('rl')
@RateLimit('direct')
class RateLimitController {
  @Get('direct')
  direct(): { ok: true } {
    return { ok: true };
  }

  @Get('proxied')
  @RateLimit('proxied')
  proxied(): { ok: true } {
    return { ok: true };
  }

  @Get('token')
  @RateLimit('token')
  @RequireJwt()
  token(): { ok: true } {
    return { ok: true };
  }

  @Get('skipped')
  @SkipRateLimit()
  skipped(): { ok: true } {
    return { ok: true };
  }
}

function appModule(spec: AppSpec): Type<unknown> {
  const controllers: Type<unknown>[] = [HealthController];
  if (spec.jwt) controllers.push(MeController);
  if (spec.rateLimit) controllers.push(RateLimitController);

  @Module({
    imports: [
      BulwarkModule.forRoot({
        ...(spec.jwt ? { jwt: spec.jwt } : {}),
        ...(spec.rateLimit ? { rateLimit: { limiters: spec.rateLimit } } : {}),
      }),
    ],
    controllers,
  })
  class AppModule {}
  return AppModule;
}

async function listen(app: INestApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { url, close: () => app.close() };
}

/** Builds the conformance app (see AppSpec) with @bulwark/nestjs on the given platform. */
export function nestHarness(platform: 'express' | 'fastify'): AdapterHarness {
  return {
    name: `nestjs (${platform})`,
    async start(spec: AppSpec): Promise<RunningApp> {
      const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
      const app = await NestFactory.create(appModule(spec), adapter, { logger: false, rawBody: true });
      return listen(app);
    },
  };
}
