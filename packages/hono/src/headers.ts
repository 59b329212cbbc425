import {
  createSecurityHeaders,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
  withoutHeaders,
} from '@bulwark/core';
import type { MiddlewareHandler } from 'hono';
import { proceed, replaceResponse, requestOf } from './context.js';

/** What {@link securityHeaders} puts in `c.var`. */
export interface SecurityHeadersVariables {
  /** The CSP nonce of this response, when the policy uses `NONCE` (the `web` preset does); else undefined. */
  cspNonce: string | undefined;
}

/**
 * Set the security headers (safe API defaults, or the `web` preset) on every response. Mount it first
 * (`app.use(securityHeaders())`): the headers are set on whatever the rest of the chain answers, so 404s,
 * denials and the error handler's 500 carry them too. With nonces, the nonce of this response is in
 * `c.var.cspNonce` for your templates; type the app with {@link SecurityHeadersVariables} to read it.
 *
 * @example
 * const app = new Hono<{ Variables: SecurityHeadersVariables }>();
 * app.use(securityHeaders({ preset: 'web' }));
 * app.get('/', (c) => c.html(`<script nonce="${c.var.cspNonce}">boot()</script>`));
 */
export function securityHeaders(
  source: SecurityHeadersOptions | SecurityHeaders = {},
): MiddlewareHandler<{ Variables: SecurityHeadersVariables }> {
  const policy = ruleFor(source, 'headers', createSecurityHeaders);
  return async function bulwarkSecurityHeaders(c, next) {
    const verdict = policy.check(requestOf(c));
    c.set('cspNonce', verdict.value.nonce);
    await proceed(c, next, verdict);
    replaceResponse(c, withoutHeaders(c.res, verdict.value.remove));
  };
}
