import {
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
import { rateLimit } from './ratelimit.js';

/** Options of the {@link bulwark} plugin; each area adds its app-wide rule here. */
export type BulwarkPluginOptions = {
  /**
   * Security headers on every response (404s, denials, errors and fastify's own answers to URLs its router
   * cannot decode included); `true` for the API defaults.
   */
  securityHeaders?: SecurityHeadersOptions | SecurityHeaders | true;
  /** App-wide CORS: preflights answered before routing. */
  cors?: CorsOptions | CorsPolicy;
  /** App-wide rate limit, counted in `onRequest` (before the body is read; preflights answered by `cors` are not counted). */
  rateLimit?: RateLimiterOptions | RateLimiter;
};

async function plugin(app: FastifyInstance, options: BulwarkPluginOptions): Promise<void> {
  // Every request property bulwark sets is declared up front: fastify's request objects then keep one
  // shape (faster than adding a property later), and fastify knows them (no undeclared assignments).
  for (const name of ['auth', 'mtls', 'webhook'] as const) {
    if (!app.hasRequestDecorator(name)) app.decorateRequest(name, undefined);
  }
  if (!app.hasReplyDecorator('cspNonce')) app.decorateReply('cspNonce', undefined);
  installAhead(
    app,
    options.securityHeaders === undefined
      ? undefined
      : ruleFor(
          options.securityHeaders === true ? {} : options.securityHeaders,
          'headers',
          createSecurityHeaders,
        ),
    options.cors === undefined ? undefined : ruleFor(options.cors, 'cors', createCorsPolicy),
  );
  if (options.rateLimit !== undefined) app.addHook('onRequest', rateLimit(options.rateLimit));
}

/**
 * The bulwark fastify plugin: registers app-wide rules and request decorations.
 *
 * @example
 * await app.register(bulwark, {});
 */
export const bulwark = fp(plugin, { fastify: '5.x', name: '@bulwark/fastify' });
