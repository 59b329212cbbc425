import { type DynamicModule, Module } from '@nestjs/common';
import { BulwarkModule } from '@bulwark/nestjs';
import { HealthController, OrdersController } from './orders.controller.js';
import { ordersProvider } from './orders.js';

export interface AppConfig {
  issuer: string;
  audience: string;
  jwksUri: string;
}

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with static factories.
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        BulwarkModule.forRoot({
          jwt: {
            algorithms: ['RS256', 'ES256'],
            issuer: config.issuer,
            audience: config.audience,
            jwksUri: config.jwksUri,
          },
        }),
      ],
      controllers: [HealthController, OrdersController],
      providers: [ordersProvider],
    };
  }
}
