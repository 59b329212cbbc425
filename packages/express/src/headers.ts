import { setHeaderPairs } from '@bulwark/core/node';
import {
  createSecurityHeaders,
  ruleFrom,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Locals {
      /** The CSP nonce of this response, when the security-header policy uses `NONCE`. */
      cspNonce?: string;
    }
  }
}

/**
 * Set the security headers (safe API defaults, or the `web` preset) on every response. Mount it first:
 * headers set here stay on 404s, denials and error responses. With nonces, the value is in
 * `res.locals.cspNonce` for your templates.
 *
 * @example
 * app.use(securityHeaders());
 * app.use(securityHeaders({ preset: 'web' })); // then <script nonce="<%= locals.cspNonce %>">
 */
export function securityHeaders(source?: SecurityHeadersOptions | SecurityHeaders): RequestHandler {
  const policy = ruleFrom(source ?? {}, createSecurityHeaders, 'forHeaders');
  return (req: Request, res: Response, next: NextFunction): void => {
    const applied = policy.forHeaders(req.headers);
    setHeaderPairs(res, applied.headers);
    if (applied.nonce !== undefined) res.locals.cspNonce = applied.nonce;
    next();
  };
}
