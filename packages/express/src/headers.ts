import { createSecurityHeaders, type SecurityHeaders, type SecurityHeadersOptions } from '@bulwark/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  namespace Express {
    interface Locals {
      /** The CSP nonce of this response, when the security-header policy uses `NONCE`. */
      cspNonce?: string;
    }
  }
}

function toPolicy(source: SecurityHeadersOptions | SecurityHeaders | undefined): SecurityHeaders {
  return source !== undefined && typeof (source as SecurityHeaders).forHeaders === 'function'
    ? (source as SecurityHeaders)
    : createSecurityHeaders(source as SecurityHeadersOptions | undefined);
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
  const policy = toPolicy(source);
  return (req: Request, res: Response, next: NextFunction): void => {
    const applied = policy.forHeaders(req.headers);
    const headers = applied.headers;
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i]![0], headers[i]![1]);
    if (applied.nonce !== undefined) res.locals.cspNonce = applied.nonce;
    next();
  };
}
