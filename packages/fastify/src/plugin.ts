import {
  attachEvents,
  createEventSink,
  type EventOptions,
  type CorsOptions,
  type CorsPolicy,
  createCorsPolicy,
  createSecurityHeaders,
  type RateLimiter,
  type RateLimiterOptions,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { installAhead } from './ahead.js';
import { frameworkLogger, pickEventOptions, setEvents } from './events.js';
import { rateLimitHook } from './ratelimit.js';
import { BulwarkDenial, DENIAL_WRITERS, DENIALS_HANDLED, REQUEST_LIKE, send } from './reply.js';

/**
 * Options of the {@link bulwark} plugin; each area adds its app-wide rule here. `onEvent`, `logger` and
 * `logDenials` say where every bulwark rule of the app reports (default: degraded states to `app.log`).
 */
export type BulwarkPluginOptions = {
  /**
   * Security headers on every response (404s, denials, errors and fastify's own answers to URLs its router
   * cannot decode included). On by default with the API defaults, as `@fastify/helmet`'s are once
   * registered; options or a policy to change them, `false` to send none.
   */
  securityHeaders?: SecurityHeadersOptions | SecurityHeaders | boolean;
  /** App-wide CORS: preflights answered before routing. */
  cors?: CorsOptions | CorsPolicy;
  /** App-wide rate limit, counted in `onRequest` (before the body is read; preflights answered by `cors` are not counted). */
  rateLimit?: RateLimiterOptions | RateLimiter;
} & EventOptions;

async function plugin(app: FastifyInstance, options: BulwarkPluginOptions): Promise<void> {
  // Every request property bulwark sets is declared up front: fastify's request objects then keep one
  // shape (faster than adding a property later), and fastify knows them (no undeclared assignments).
  for (const name of ['auth', 'dpop', 'mtls', 'webhook'] as const) {
    if (!app.hasRequestDecorator(name)) app.decorateRequest(name, undefined);
  }
  if (!app.hasRequestDecorator(REQUEST_LIKE)) app.decorateRequest(REQUEST_LIKE, undefined);
  if (!app.hasReplyDecorator('cspNonce')) app.decorateReply('cspNonce', undefined);
  if (!app.hasDecorator(DENIALS_HANDLED)) {
    // Denials travel fastify's error pipeline (onError hooks and the app's error handlers see them); this
    // handler, below any the app sets later, writes them as bulwark's problem responses and hands every
    // other error to the handler before it (fastify's own unless the app set one first).
    app.setErrorHandler(function bulwarkDenials(error, _request, reply) {
      if (error instanceof BulwarkDenial) send(reply, error.reply);
      else reply.send(error);
    });
    DENIAL_WRITERS.add(app.errorHandler);
    app.decorate(DENIALS_HANDLED, true);
  }
  const events = createEventSink(pickEventOptions(options), frameworkLogger(app), 'fastify.');
  setEvents(app, events);
  const headers = options.securityHeaders ?? true;
  const cors = options.cors === undefined ? undefined : ruleFor(options.cors, 'cors', createCorsPolicy);
  attachEvents(cors, events);
  const limit = options.rateLimit === undefined ? undefined : rateLimitHook(options.rateLimit);
  // Headers, CORS and a rate limit on the memory store run as one onRequest hook (one hook for fastify to
  // call instead of three), in the order the three hooks ran: headers, CORS (a preflight is answered and
  // not counted), then the limit. A limit on a network store stays an async hook of its own, right after.
  const combined = installAhead(
    app,
    headers === false
      ? undefined
      : ruleFor(headers === true ? {} : headers, 'headers', createSecurityHeaders),
    cors,
    limit?.step,
  );
  if (limit !== undefined && !(combined && limit.step !== undefined)) app.addHook('onRequest', limit.hook);
}

/**
 * The bulwark fastify plugin: registers app-wide rules and request decorations. The security headers are on
 * from the first `register`, like `@fastify/helmet`'s; CORS and the rate limit when given.
 *
 * @example
 * await app.register(bulwark, {}); // security headers on every response
 * await app.register(bulwark, { cors: { origins: ['https://app.example.com'] }, rateLimit: { rate: '100/min' } });
 */
export const bulwark = fp(plugin, { fastify: '5.x', name: '@bulwark/fastify' });
