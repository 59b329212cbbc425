// Smoke app: @bulwark/nestjs as installed from its tarball, on the express platform or, with
// `--fastify`, the fastify one. Compiled by tsc to ESM and to CommonJS.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { BulwarkModule, Claims, RequireJwt } from '@bulwark/nestjs';

const env = (name: string): string => process.env[name] ?? `missing ${name}`;

@Controller()
class OrdersController {
  @Get('health')
  health() {
    return { ok: true };
  }

  @Get('orders')
  @RequireJwt({ scopes: ['orders:read'] })
  list(@Claims('sub') user: string) {
    return { user };
  }
}

@Module({
  imports: [
    BulwarkModule.forRoot({
      securityHeaders: true,
      jwt: {
        algorithms: ['RS256'],
        issuer: env('ISSUER'),
        audience: env('AUDIENCE'),
        jwksUri: env('JWKS_URI'),
      },
    }),
  ],
  controllers: [OrdersController],
})
class AppModule {}

async function start(): Promise<void> {
  const app = process.argv.includes('--fastify')
    ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
    : await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : address}`);
}
start().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
