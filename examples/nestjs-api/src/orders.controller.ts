import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  BULWARK_JWT,
  type DpopProof,
  Claims,
  type JwtClaims,
  type JwtVerifier,
  RateLimit,
  RequireJwt,
} from '@bulwark/nestjs';
import { ORDERS, type OrderBook } from './orders.js';

// Controller guards run before handler guards: @RequireJwt on the class verifies the token before the
// handler-level @RateLimit('api') counts the request per user.
@Controller('orders')
@RequireJwt()
export class OrdersController {
  constructor(@Inject(ORDERS) private readonly orders: OrderBook) {}

  @Get()
  @RequireJwt({ scopes: ['orders:read'] })
  @RateLimit('api')
  list(@Claims('sub') sub: string): { orders: unknown[] } {
    return { orders: this.orders.list(sub) };
  }

  // Only DPoP-bound tokens, each request with a fresh proof of the client's key (RFC 9449).
  @Get('dpop')
  @RequireJwt({ dpop: 'required', scopes: ['orders:read'] })
  @RateLimit('api')
  listDpop(
    @Claims('sub') sub: string,
    @Req() req: { dpop: DpopProof },
  ): { orders: unknown[]; boundTo: string } {
    return { orders: this.orders.list(sub), boundTo: req.dpop.jkt };
  }

  @Post()
  @HttpCode(201)
  @RequireJwt({ scopes: ['orders:write'] })
  @RateLimit('api')
  add(@Claims('sub') sub: string, @Body() body: unknown): unknown {
    return this.orders.add(sub, body);
  }
}

// Logout revokes the presented access token: refused from the next request on, until it expires.
@Controller('logout')
@RequireJwt()
export class LogoutController {
  constructor(@Inject(BULWARK_JWT) private readonly jwt: JwtVerifier) {}

  @Post()
  @HttpCode(204)
  async logout(@Claims() claims: JwtClaims): Promise<void> {
    await this.jwt.revoke(claims);
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
