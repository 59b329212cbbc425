import {
  createSecurityHeaders,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { setHeaders } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { keepCspOnFinalAnswers } from './final-handler.js';
import { requestOf } from './http.js';

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
 * headers set here stay on 404s, denials and error responses (the CSP too: express's final handler writes
 * its own `default-src 'none'` on its 404, 400, 413 and 500 pages, and the policy's is put back). With nonces, the value is in
 * `res.locals.cspNonce` for your templates.
 *
 * @example
 * app.use(securityHeaders());
 * app.use(securityHeaders({ preset: 'web' })); // then <script nonce="<%= locals.cspNonce %>">
 */
export function securityHeaders(source: SecurityHeadersOptions | SecurityHeaders = {}): RequestHandler {
  const policy = ruleFor(source, 'headers', createSecurityHeaders);
  return (req: Request, res: Response, next: NextFunction): void => {
    const verdict = policy.check(requestOf(req));
    setHeaders(res, verdict.headers);
    const headers = verdict.headers;
    // Indexed, not destructured: a destructuring pattern runs the array iterator for every pair.
    for (let i = 0; i < headers.length; i++) {
      if (headers[i]![0] === 'content-security-policy') keepCspOnFinalAnswers(res, headers[i]![1]);
    }
    // X-Powered-By, written by express before any middleware runs, and the headers set false.
    for (const name of verdict.value.remove) res.removeHeader(name);
    if (verdict.value.nonce !== undefined) res.locals.cspNonce = verdict.value.nonce;
    next();
  };
}
