import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  createSecurityHeaders,
  ruleFor,
  type SecurityHeaders,
  type SecurityHeadersOptions,
} from '@bulwark/core';
import { fromNodeRequest, setHeaders, writeReply } from '@bulwark/core/node';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AppWideStep } from './app-wide.js';

/** Node-level middleware, as both Nest platforms accept it (`app.use`, `MiddlewareConsumer.apply`). */
export type NodeMiddleware = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** The request gets the CSP nonce here when the policy uses `NONCE` (`@Req() req` → `req.cspNonce`). */
export interface WithCspNonce {
  cspNonce?: string;
}

/**
 * The security-headers rule as an app-wide step (see {@link securityHeaders}).
 *
 * @example
 * installAppWide(adapter, [securityHeadersStep({ preset: 'web' })]);
 */
export function securityHeadersStep(source: SecurityHeadersOptions | SecurityHeaders = {}): AppWideStep {
  const policy = ruleFor(source, 'headers', createSecurityHeaders);
  return function bulwarkSecurityHeaders(req, res) {
    const verdict = policy.check(fromNodeRequest(req));
    setHeaders(res, verdict.headers);
    const nonce = verdict.value.nonce;
    if (nonce !== undefined) (req as IncomingMessage & WithCspNonce).cspNonce = nonce;
    return undefined;
  };
}

/**
 * An app-wide step as node middleware, for `app.use()` on either platform.
 *
 * @example
 * app.use(toMiddleware(securityHeadersStep()));
 */
export function toMiddleware(step: AppWideStep): NodeMiddleware {
  return (req, res, next) => {
    const answer = step(req, res);
    if (answer === undefined) next();
    else writeReply(res, answer);
  };
}

/**
 * Security headers on every response, 404s, guard denials, body-parser errors and exception-filter errors
 * included, on the express and fastify platforms. Usually enabled with the `securityHeaders` option of
 * `BulwarkModule`, which runs it ahead of Nest's body parsers and global prefix; this is the same rule as
 * middleware for `app.use()`.
 *
 * @example
 * BulwarkModule.forRoot({ securityHeaders: true });
 * app.use(securityHeaders({ preset: 'web' }));
 */
export function securityHeaders(source?: SecurityHeadersOptions | SecurityHeaders): NodeMiddleware {
  return toMiddleware(securityHeadersStep(source));
}

/**
 * The CSP nonce of this response (policies that use `NONCE`, e.g. the `web` preset), on both platforms.
 *
 * @example
 * @Get() page(@CspNonce() nonce: string) { return `<script nonce="${nonce}">boot()</script>`; }
 */
export const CspNonce: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const request = context.switchToHttp().getRequest<WithCspNonce & { raw?: WithCspNonce }>();
    // express platform: the middleware saw this very request; fastify platform: its node request is `.raw`.
    return request.cspNonce ?? request.raw?.cspNonce;
  },
);
