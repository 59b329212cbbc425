// NestJS 12 on the express platform (nestjs-fastify.mjs: the same app on the fastify platform): bare
// controller, static-headers (bare plus bulwark-nojwt's response headers as constants, set by one app-wide
// middleware), bare-deny (every request answered with the bytes of bulwark's 401 for a malformed token, by one
// app-wide middleware on express, an onRequest hook on fastify), bare-error (the same bytes through Nest's
// guard and exception pipeline: a global guard throws, a global exception filter writes them), bare-post (bare
// plus a POST /webhook route answering a small JSON, the app created with `rawBody: true` so the platform keeps
// the body's bytes, as the bulwark variants need), peer stack (helmet + enableCors + @nestjs/throttler + a passport-jwt guard;
// @fastify/helmet on the fastify platform), bulwark stack (BulwarkModule + @RequireJwt(), and a @WebhookSigned()
// route). Plain JS, so decorators are applied with Reflect.decorate; injection needs no emitted metadata
// (explicit tokens or none).
import 'reflect-metadata';
import { Catch, Controller, Get, HttpCode, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import {
  BARE_POST_BODY,
  DENY_BODY,
  denyHeaderPairs,
  FloorDenial,
  jwtOptions,
  part,
  staticHeaderPairs,
  WEBHOOK_PATH,
  webhookOptions,
} from '../bulwark-common.mjs';

const BODY = { hello: 'world' };

function decorateMethod(cls, name, ...decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
  Object.defineProperty(cls.prototype, name, Reflect.decorate(decorators, cls.prototype, name, descriptor));
}

function controller(classDecorators) {
  class JsonController {
    get() {
      return BODY;
    }
  }
  decorateMethod(JsonController, 'get', Get('json'));
  return Reflect.decorate([Controller(), ...classDecorators], JsonController);
}

/** POST /webhook of bare-post: 200 and a small JSON; the body was read (and its bytes kept) by the platform. */
function barePostController() {
  class BarePostController {
    receive() {
      return BARE_POST_BODY;
    }
  }
  decorateMethod(BarePostController, 'receive', Post(WEBHOOK_PATH.slice(1)), HttpCode(200));
  return Reflect.decorate([Controller()], BarePostController);
}

async function peerModule(c) {
  const { ThrottlerGuard, ThrottlerModule } = await import('@nestjs/throttler');
  const { AuthGuard, PassportModule, PassportStrategy } = await import('@nestjs/passport');
  const { ExtractJwt, Strategy } = await import('passport-jwt');
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: c.publicPem,
        algorithms: ['RS256'],
        issuer: c.issuer,
        audience: c.audience,
      });
    }
    validate(payload) {
      return payload;
    }
  }
  const Strategy_ = Reflect.decorate([Injectable()], JwtStrategy);
  return {
    imports: [ThrottlerModule.forRoot([{ ttl: 60_000, limit: c.limit }]), PassportModule],
    controllers: [controller([UseGuards(AuthGuard('jwt'))])],
    providers: [Strategy_, { provide: APP_GUARD, useClass: ThrottlerGuard }],
  };
}

async function bulwarkModule(platform, variant, c) {
  // c.nestjsModule: another build of @bulwark/nestjs (the in-process tool's `case@dir` A/B).
  const bulwark = await import(c.nestjsModule ?? '@bulwark/nestjs');
  // Headers and CORS: BulwarkModule's own options (app-wide middleware) when @bulwark/nestjs has them, else
  // @bulwark/express's middleware, which is what a user on the express platform would mount with app.use().
  const express = platform === 'express' ? await import('@bulwark/express') : {};
  const options = {};
  const middleware = [];
  if (
    part(
      'headers',
      typeof bulwark.securityHeaders === 'function' || typeof express.securityHeaders === 'function',
    )
  ) {
    if (typeof bulwark.securityHeaders === 'function') options.securityHeaders = true;
    else middleware.push(express.securityHeaders());
  }
  if (part('cors', typeof bulwark.cors === 'function' || typeof express.cors === 'function')) {
    if (typeof bulwark.cors === 'function') options.cors = { origins: [c.origin] };
    else middleware.push(express.cors({ origins: [c.origin] }));
  }
  // Same order as in TypeScript `@RequireJwt() @RateLimit('api')`: decorators apply bottom-up, so the
  // per-IP limiter's guard runs first and a flood over the limit is refused before any signature check.
  const guards = [];
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.RequireJwt === 'function')) {
    options.jwt = jwtOptions(c, variant);
    guards.push(bulwark.RequireJwt());
  }
  if (part('ratelimit', typeof bulwark.RateLimit === 'function')) {
    options.rateLimit = { limiters: { api: { rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } } } };
    guards.push(bulwark.RateLimit('api'));
  }
  // The signed-webhook route (the same per-IP limit, then the signature), for the webhook deny case; not one
  // of the parts of the /json stack that the row notes list. Needs NestFactory.create(…, { rawBody: true }).
  options.webhooks = { github: webhookOptions(c) };
  return {
    imports: [bulwark.BulwarkModule.forRoot(options)],
    controllers: [controller(guards), webhookController(bulwark, options.rateLimit ? ['api'] : [])],
    providers: [],
    middleware,
    rawBody: true,
  };
}

/** POST /webhook: `@RateLimit('api')` on the class (runs first), `@WebhookSigned('github')` on the handler. */
function webhookController(bulwark, limiters) {
  class WebhookController {
    receive() {}
  }
  decorateMethod(
    WebhookController,
    'receive',
    Post(WEBHOOK_PATH.slice(1)),
    HttpCode(204),
    bulwark.WebhookSigned('github'),
  );
  return Reflect.decorate(
    [Controller(), ...limiters.map((name) => bulwark.RateLimit(name))],
    WebhookController,
  );
}

async function adapter(platform) {
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return new FastifyAdapter();
  }
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  return new ExpressAdapter();
}

/**
 * The floor of answering a refusal, the cheapest public way on each platform, before Nest's router: on express
 * one app-wide functional middleware (app.use) ending every request with res.writeHead + end; on fastify an
 * onRequest hook on the adapter's instance with reply.code().headers().send(), as in the fastify app (in process
 * the two measured alike on this platform; the hook skips middie). Status, headers and body are constants. On
 * the express platform bulwark's refusal carries the head express's res.send gives a string body (a charset on
 * the content type, Content-Length) without res.send's ETag, which @bulwark/nestjs leaves out of a refusal: the
 * floor sends none either (checkBareDeny compares the two).
 */
function bareDeny(app, platform, c) {
  const instance = app.getHttpAdapter().getInstance();
  if (platform === 'fastify') {
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json; charset=utf-8'));
    instance.addHook('onRequest', (_request, reply) => {
      reply.code(401).headers(headers).send(DENY_BODY);
    });
    return;
  }
  instance.disable('x-powered-by');
  const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json; charset=utf-8', true));
  app.use((_req, res) => {
    res.writeHead(401, headers);
    res.end(DENY_BODY);
  });
}

/**
 * The floor of a refusal that travels Nest's pipeline, as bulwark's guard denials do (so the app's exception
 * filters and interceptors see them): the bare controller behind a global guard that throws a stackless error
 * for every request, caught by a global exception filter (@Catch of that class) that writes bare-deny's
 * constants to the platform's response the cheapest way (fastify: reply.code().headers().send(); express:
 * res.writeHead + end: bare-deny's head, without an ETag as bulwark's refusal has none).
 */
function bareError(app, platform, c) {
  const instance = app.getHttpAdapter().getInstance();
  class FloorGuard {
    canActivate() {
      throw FloorDenial.make();
    }
  }
  let write;
  if (platform === 'fastify') {
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json; charset=utf-8'));
    write = (reply, status) => reply.code(status).headers(headers).send(DENY_BODY);
  } else {
    instance.disable('x-powered-by');
    const headers = Object.fromEntries(denyHeaderPairs(c, 'application/problem+json; charset=utf-8', true));
    write = (res, status) => {
      res.writeHead(status, headers);
      res.end(DENY_BODY);
    };
  }
  class FloorFilter {
    catch(exception, host) {
      write(host.switchToHttp().getResponse(), exception.statusCode);
    }
  }
  app.useGlobalFilters(new (Reflect.decorate([Catch(FloorDenial)], FloorFilter))());
  app.useGlobalGuards(new (Reflect.decorate([Injectable()], FloorGuard))());
}

/** Build (not yet listening) the app for `variant` on `platform` ('express' or 'fastify'). */
export async function createApp(platform, variant, c) {
  const metadata =
    variant === 'bare' || variant === 'static-headers' || variant === 'bare-deny' || variant === 'bare-error'
      ? { controllers: [controller([])] }
      : variant === 'bare-post'
        ? { controllers: [controller([]), barePostController()], rawBody: true }
        : variant === 'peer'
          ? await peerModule(c)
          : await bulwarkModule(platform, variant, c);
  const { middleware = [], rawBody = false, ...moduleMetadata } = metadata;
  class AppModule {}
  const App = Reflect.decorate([Module(moduleMetadata)], AppModule);
  const app = await NestFactory.create(App, await adapter(platform), { logger: false, rawBody });
  for (const m of middleware) app.use(m);
  if (variant === 'static-headers') {
    // bulwark's headers drop express's X-Powered-By; here the app setting does (no per-request work).
    if (platform === 'express') app.getHttpAdapter().getInstance().disable('x-powered-by');
    // One app-wide functional middleware (express's res, or the raw ServerResponse under fastify's middie).
    const pairs = staticHeaderPairs(c);
    app.use((_req, res, next) => {
      for (const [name, value] of pairs) res.setHeader(name, value);
      next();
    });
  }
  if (variant === 'bare-deny') bareDeny(app, platform, c);
  if (variant === 'bare-error') bareError(app, platform, c);
  if (variant === 'peer') {
    if (platform === 'fastify') {
      const { default: helmet } = await import('@fastify/helmet');
      await app.register(helmet);
    } else {
      const { default: helmet } = await import('helmet');
      app.use(helmet());
    }
    app.enableCors({ origin: c.origin });
  }
  return app;
}

/** Build the app for `variant` on `platform` and listen on 127.0.0.1:0; resolves to the port. */
export async function listenOn(platform, variant, c) {
  const app = await createApp(platform, variant, c);
  await app.listen(0, '127.0.0.1');
  return app.getHttpServer().address().port;
}

/** The express platform. */
export const listen = (variant, c) => listenOn('express', variant, c);
