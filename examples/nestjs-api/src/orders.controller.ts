import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { Claims, RequireJwt } from '@bulwark/nestjs';
import { ORDERS, type OrderBook } from './orders.js';

@Controller('orders')
@RequireJwt()
export class OrdersController {
  constructor(@Inject(ORDERS) private readonly orders: OrderBook) {}

  @Get()
  list(@Claims('sub') sub: string): { orders: unknown[] } {
    return { orders: this.orders.list(sub) };
  }

  @Post()
  @HttpCode(201)
  add(@Claims('sub') sub: string, @Body() body: unknown): unknown {
    return this.orders.add(sub, body);
  }
}

@Controller('health')
export class HealthController {
  @Get()
  health(): { ok: true } {
    return { ok: true };
  }
}
