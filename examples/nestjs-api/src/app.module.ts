import { type DynamicModule, Module } from '@nestjs/common';
import { BulwarkModule } from '@bulwark/nestjs';
import type { BulwarkStores } from '@bulwark/redis';
import {
  HealthController,
  LogoutController,
  OrdersController,
  PasswordResetController,
} from './orders.controller.js';
import { ordersProvider } from './orders.js';
import { PaymentsWebhookController } from './payments.controller.js';

export interface AppConfig {
  issuer: string;
  audience: string;
  jwksUri: string;
  publicUrl: string;
  trustedProxies: string[];
  /** Unset (no route) when the environment has no WEBHOOK_SECRET. */
  webhookSecret?: string | undefined;
  corsOrigins: string[];
  stores: BulwarkStores;
}

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static factories.
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BulwarkModule.forRoot({
          // App-wide: security headers on every response, CORS answered before routing.
          securityHeaders: true,
          cors: { origins: config.corsOrigins, credentials: true },
          ...(config.webhookSecret
            ? {
                webhooks: {
                  payments: {
                    scheme: 'standard',
                    secrets: [config.webhookSecret],
                    maxBodyBytes: 65_536,
                    replayStore: config.stores.replay,
                  },
                },
              }
            : {}),
          jwt: {
            algorithms: ['RS256', 'ES256'],
            issuer: config.issuer,
            audience: config.audience,
            jwksUri: config.jwksUri,
            // Access tokens only (RFC 9068); revocation makes logout real.
            typ: 'at+jwt',
            revocation: config.stores.revocation,
            // DPoP (RFC 9449) where a route asks for it: one proof, one use, in the same replay store as webhooks.
            dpop: { externalUrl: config.publicUrl, replay: config.stores.replay },
          },
          // Per client IP for everyone and per verified user, together; a strict limit on password resets.
          rateLimit: {
            clientIp: { trustedProxies: config.trustedProxies },
            store: config.stores.rateLimit,
            limiters: {
              api: {
                buckets: [
                  { name: 'ip', rate: '600/min' },
                  { name: 'user', key: 'subject', rate: '1000/min' },
                ],
              },
              reset: { rate: '5/15min', failMode: 'closed' },
            },
          },
        }),
      ],
      controllers: [
        ...(config.webhookSecret ? [PaymentsWebhookController] : []),
        HealthController,
        OrdersController,
        LogoutController,
        PasswordResetController,
      ],
      providers: [ordersProvider],
    };
  }
}
