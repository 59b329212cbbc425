import {
  createSecurityHeaders,
  type HeaderList,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { writeHeaders } from '@bulwark/core/node';
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

/** The Content-Security-Policy value of a header list, if it has one. */
function cspOf(headers: HeaderList): string | undefined {
  // Indexed, not destructured: a destructuring pattern runs the array iterator for every pair.
  for (let i = 0; i < headers.length; i++) {
    if (headers[i]![0] === 'content-security-policy') return headers[i]![1];
  }
  return undefined;
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
  // The CSP of the list last seen: without nonces the policy answers one of two frozen lists, both with it.
  let lastList: HeaderList | undefined;
  let lastCsp: string | undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const verdict = policy.check(requestOf(req));
    const headers = verdict.headers;
    // A frozen list (no nonce) is checked by node's validators once and then written straight into the
    // response's header table; a handler's later res.set() of the same name still replaces it.
    writeHeaders(res, headers);
    if (headers !== lastList) {
      lastCsp = cspOf(headers);
      lastList = headers;
    }
    if (lastCsp !== undefined) keepCspOnFinalAnswers(res, lastCsp);
    // X-Powered-By, written by express before any middleware runs, and the headers set false.
    const remove = verdict.value.remove;
    for (let i = 0; i < remove.length; i++) res.removeHeader(remove[i]!);
    if (verdict.value.nonce !== undefined) res.locals.cspNonce = verdict.value.nonce;
    next();
  };
}
