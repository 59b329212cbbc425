import type {
  CorsOptions,
  CorsPolicy,
  RateLimiter,
  RateLimiterOptions,
  SecurityHeaders,
  SecurityHeadersOptions,
} from '@bulwark/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { installAhead } from './ahead.js';
import { toCorsPolicy } from './cors.js';
import { toHeadersPolicy } from './headers.js';
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
  // Declaring the property up front keeps fastify's request objects one shape (faster than adding it later).
  if (!app.hasRequestDecorator('auth')) app.decorateRequest('auth', undefined);
  if (options.securityHeaders !== undefined && !app.hasReplyDecorator('cspNonce'))
    app.decorateReply('cspNonce', undefined);
  installAhead(
    app,
    options.securityHeaders === undefined
      ? undefined
      : toHeadersPolicy(options.securityHeaders === true ? undefined : options.securityHeaders),
    options.cors === undefined ? undefined : toCorsPolicy(options.cors),
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
