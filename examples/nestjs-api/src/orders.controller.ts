import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { Claims, RateLimit, RequireJwt } from '@bulwark/nestjs';
import { ORDERS, type OrderBook } from './orders.js';

// Controller guards run before handler guards: @RequireJwt on the class verifies the token before the
// handler-level @RateLimit('api') counts the request per user.
@Controller('orders')
@RequireJwt()
export class OrdersController {
  constructor(@Inject(ORDERS) private readonly orders: OrderBook) {}

  @Get()
  @RateLimit('api')
  list(@Claims('sub') sub: string): { orders: unknown[] } {
    return { orders: this.orders.list(sub) };
  }

  @Post()
  @HttpCode(201)
  @RateLimit('api')
  add(@Claims('sub') sub: string, @Body() body: unknown): unknown {
    return this.orders.add(sub, body);
  }
}

@Controller('password-reset')
@RateLimit('reset')
export class PasswordResetController {
  @Post()
  @HttpCode(202)
  request(): { ok: true } {
    return { ok: true };
  }
}

@Controller('health')
export class HealthController {
  @Get()
  health(): { ok: true } {
    return { ok: true };
  }
}
