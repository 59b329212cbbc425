import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  defineObservabilitySuite,
  defineTelemetrySuite,
  type ObservabilityHarness,
  type ObservedRules,
} from '@bulwark/conformance';
import { Controller, Get, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { EventOptions } from '../src/index.js';
import { BulwarkModule, RequireJwt } from '../src/index.js';

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
