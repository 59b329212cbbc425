import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { configFromEnv } from '@bulwark-examples/shared/config';
import { storesFromEnv } from '@bulwark/redis';
import { AppModule } from './app.module.js';

// Memory stores by default; with REDIS_URL every instance shares rate limits, replay claims and revocations.
const config = { ...configFromEnv(), stores: await storesFromEnv() };
// NEST_PLATFORM=fastify runs the same app on the fastify platform.
const adapter = process.env.NEST_PLATFORM === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
const app = await NestFactory.create(AppModule.register(config), adapter, {
  logger: ['error', 'warn'],
  rawBody: true,
});
await app.listen(config.port, config.host);
console.log(`listening on http://${config.host}:${new URL(await app.getUrl()).port}`);
