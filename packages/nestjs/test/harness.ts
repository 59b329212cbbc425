import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { AdapterHarness, AppSpec, RunningApp } from '@bulwark/conformance';
import {
  Controller,
  Get,
  Inject,
  type INestApplication,
  Module,
  Post,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Body, Header, NotFoundException, Options, Param, Put } from '@nestjs/common';
import { CspNonce } from '../src/index.js';
import { HttpCode, Post as PostRoute } from '@nestjs/common';
import { SignedWebhook, type WebhookDelivery, WebhookSigned } from '../src/index.js';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Req as Request } from '@nestjs/common';
import { MtlsIdentity, type MtlsPeer, RequireCertificateBoundToken, RequireMtls } from '../src/index.js';
import {
  BulwarkModule,
  Claims,
  type JwtClaims,
  OidcLoginService,
  type PlatformRequest,
  RateLimit,
  RequireJwt,
  SkipRateLimit,
} from '../src/index.js';

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

  @Get('orders')
  @RequireJwt({ scopes: ['orders:read'] })
  orders(@Claims() claims: JwtClaims): { claims: JwtClaims } {
    return { claims };
  }

  @Get('admin')
  @RequireJwt({ scopes: ['admin'] })
  admin(@Claims() claims: JwtClaims): { claims: JwtClaims } {
    return { claims };
  }

  @Get('maybe')
  @RequireJwt({ optional: true })
  maybe(@Claims() claims: JwtClaims | undefined): { claims: JwtClaims | null } {
    return { claims: claims ?? null };
  }
}

/** What every DPoP route answers: the subject and the key its proof was checked with. */
function dpopAnswer(request: PlatformRequest): { sub: unknown; jkt: string | null } {
  const auth = request.auth as JwtClaims | undefined;
  return { sub: auth?.sub, jkt: (request.dpop as { jkt: string } | undefined)?.jkt ?? null };
}

@Controller('dpop')
class DpopController {
  @Get('required')
  @RequireJwt({ dpop: 'required' })
  required(@Req() request: PlatformRequest) {
    return dpopAnswer(request);
  }

  @Post('required')
  @HttpCode(200)
  @RequireJwt({ dpop: 'required' })
  requiredPost(@Req() request: PlatformRequest) {
    return dpopAnswer(request);
  }

  @Get('allowed')
  @RequireJwt({ dpop: 'allowed' })
  allowed(@Req() request: PlatformRequest) {
    return dpopAnswer(request);
  }

  @Get('off')
  @RequireJwt({ dpop: 'off' })
  off(@Req() request: PlatformRequest) {
    return dpopAnswer(request);
  }
}

// The controller's mode and the handler's both hold (bothLevels).
@Controller('dpop')
@RequireJwt({ dpop: 'required' })
class StackedDpopController {
  @Get('stacked')
  @RequireJwt({ dpop: 'allowed', scopes: ['orders:read'] })
  stacked(@Req() request: PlatformRequest) {
    return dpopAnswer(request);
  }
}

// Controller-level limiter (counted on every handler unless skipped); the handler-level limiters live in a
// controller of their own, since a controller's @RateLimit and a handler's both count.
@Controller('rl')
@RateLimit('direct')
class RateLimitController {
  @Get('direct')
  direct(): { ok: true } {
    return { ok: true };
  }

  @Get('skipped')
  @SkipRateLimit()
  skipped(): { ok: true } {
    return { ok: true };
  }
}

@Controller('rl')
class HandlerRateLimitController {
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
}

@Controller('oauth')
class OauthController {
  constructor(@Inject(OidcLoginService) private readonly oidc: OidcLoginService) {}

  @Get('login')
  login(@Req() req: PlatformRequest, @Res() res: unknown): Promise<void> {
    return this.oidc.login(req, res);
  }

  @Get('callback')
  async callback(
    @Req() req: PlatformRequest,
    @Res({ passthrough: true }) res: unknown,
  ): Promise<{ sub: string; returnTo: string }> {
    const result = await this.oidc.callback(req, res);
    return { sub: result.claims.sub, returnTo: result.returnTo };
  }

  @Post('logout')
  logout(@Res() res: unknown): Promise<void> {
    return this.oidc.logout(res);
  }
}

function mtlsControllers(spec: AppSpec, mtls: NonNullable<AppSpec['mtls']>): Type<unknown>[] {
  const reply = (peer: MtlsPeer | undefined, req: { headers: Record<string, unknown> }) => ({
    peer: peer?.spiffeId?.id,
    via: peer?.via,
    xfcc: req.headers['x-forwarded-client-cert'] ?? null,
  });

  @Controller('mtls')
  class MtlsController {
    @Get('billing')
    @RequireMtls() // the module's mtls default (spec.mtls.billing); /proxied passes its own policy
    billing(
      @MtlsIdentity() peer: MtlsPeer | undefined,
      @Request() req: { headers: Record<string, unknown> },
    ) {
      return reply(peer, req);
    }

    @Get('proxied')
    @RequireMtls(mtls.proxied)
    proxied(
      @MtlsIdentity() peer: MtlsPeer | undefined,
      @Request() req: { headers: Record<string, unknown> },
    ) {
      return reply(peer, req);
    }
  }
  @Controller('mtls')
  class BoundTokenController {
    // Above @RequireJwt(): decorators apply bottom-up, so the JWT guard runs first.
    @Get('bound')
    @RequireCertificateBoundToken({ required: true })
    @RequireJwt()
    bound(@Claims('sub') sub: string) {
      return { sub };
    }
  }
  return spec.jwt ? [MtlsController, BoundTokenController] : [MtlsController];
}

function handleWebhook(delivery: WebhookDelivery): { handled: true; id: string } {
  if ((delivery.json() as { fail?: boolean }).fail === true) throw new Error('handler failed');
  return { handled: true, id: delivery.id };
}

// The app keeps Nest's global JSON parser; rawBody: true (see nestHarness) keeps the exact bytes as well.
@Controller('hooks')
class WebhookController {
  @PostRoute('standard')
  @HttpCode(200)
  @WebhookSigned('standard')
  standard(@SignedWebhook() delivery: WebhookDelivery): { handled: true; id: string } {
    return handleWebhook(delivery);
  }

  @PostRoute('stripe')
  @HttpCode(200)
  @WebhookSigned('stripe')
  stripe(@SignedWebhook() delivery: WebhookDelivery): { handled: true; id: string } {
    return handleWebhook(delivery);
  }

  @PostRoute('github')
  @HttpCode(200)
  @WebhookSigned('github')
  github(@SignedWebhook() delivery: WebhookDelivery): { handled: true; id: string } {
    return handleWebhook(delivery);
  }
}

@Controller()
class HeadersCorsController {
  @Get('boom')
  boom(): never {
    throw new Error('handler failed');
  }

  @Get('nonce')
  nonce(@CspNonce() nonce: string | undefined): { nonce: string | null } {
    return { nonce: nonce ?? null };
  }

  @Get('api/data')
  data(): { data: string } {
    return { data: 'secret' };
  }

  @Put('api/data')
  update(): { updated: boolean } {
    return { updated: true };
  }

  @Options('api/data')
  options(): { handler: string } {
    return { handler: 'options' };
  }

  @Get('vary')
  @Header('Vary', 'Accept-Encoding')
  vary(): { vary: true } {
    return { vary: true };
  }

  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown): { echo: unknown } {
    return { echo: body };
  }
}

function pagesController(pages: Readonly<Record<string, string>>): Type<unknown> {
  @Controller()
  class PagesController {
    @Get('pages/:name')
    @Header('content-type', 'text/html; charset=utf-8')
    page(@Param('name') name: string): string {
      const html = pages[name];
      if (html === undefined) throw new NotFoundException();
      return html;
    }
  }
  return PagesController;
}

function appModule(spec: AppSpec): Type<unknown> {
  const controllers: Type<unknown>[] = [HealthController];
  if (spec.jwt) controllers.push(MeController);
  if (spec.dpop) controllers.push(DpopController, StackedDpopController);
  if (spec.webhooks) controllers.push(WebhookController);
  if (spec.rateLimit) controllers.push(RateLimitController, HandlerRateLimitController);
  if (spec.mtls) controllers.push(...mtlsControllers(spec, spec.mtls));
  if (spec.oauth) controllers.push(OauthController);
  if (spec.headers || spec.cors) controllers.push(HeadersCorsController);
  if (spec.pages) controllers.push(pagesController(spec.pages));

  @Module({
    imports: [
      BulwarkModule.forRoot({
        ...(spec.jwt ? { jwt: spec.jwt } : spec.dpop ? { jwt: spec.dpop } : {}),
        ...(spec.webhooks ? { webhooks: spec.webhooks } : {}),
        ...(spec.rateLimit ? { rateLimit: { limiters: spec.rateLimit } } : {}),
        ...(spec.oauth ? { oauth: spec.oauth } : {}),
        securityHeaders: spec.headers ?? false,
        ...(spec.cors ? { cors: spec.cors } : {}),
        ...(spec.mtls ? { mtls: spec.mtls.billing } : {}),
      }),
    ],
    controllers,
  })
  class AppModule {}
  return AppModule;
}

async function listen(app: INestApplication, secure: boolean): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  // From the server itself: NestJS 11's getUrl() says http for a fastify adapter created with { https }.
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`, close: () => app.close() };
}

/** Builds the conformance app (see AppSpec) with @bulwark/nestjs on the given platform. */
export function nestHarness(platform: 'express' | 'fastify'): AdapterHarness {
  return {
    name: `nestjs (${platform})`,
    async start(spec: AppSpec): Promise<RunningApp> {
      // mTLS: fastify takes its TLS options in the adapter, express through NestFactory's httpsOptions.
      const adapter =
        platform === 'express'
          ? new ExpressAdapter()
          : new FastifyAdapter(spec.mtls ? { https: spec.mtls.tls } : undefined);
      const app = await NestFactory.create(appModule(spec), adapter, {
        ...((spec.mtls && platform === 'express' ? { httpsOptions: spec.mtls.tls } : {}) as object),
        logger: false,
        rawBody: true,
        abortOnError: false,
      });
      spec.mtls?.onServer?.(app.getHttpServer());
      return listen(app, spec.mtls !== undefined);
    },
  };
}
