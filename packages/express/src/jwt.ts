import {
  createJwtAuthorizer,
  createJwtVerifier,
  type JwtClaims,
  type JwtRouteOptions,
  type JwtVerifier,
  type JwtVerifierOptions,
  ruleFrom,
} from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type JwtMtlsRouteOptions, requireCertificateBoundToken } from './mtls.js';
import { applyHeaders, sendProblem } from './respond.js';

declare global {
  namespace Express {
    interface Request {
      /** Verified JWT claims, set by `requireJwt()`. */
      auth?: JwtClaims;
    }
  }
}

/**
 * Require a valid bearer JWT. On success `req.auth` holds the verified claims; otherwise the request ends
 * with 401 (or 400/503) problem+json and a `WWW-Authenticate` header. With `route`, the token must also
 * grant its scopes and pass its claims predicate, else 403 `insufficient_scope`. The verifier and the
 * route rules are built (and validated) when the middleware is created, so a bad config fails at startup.
 *
 * @example
 * const jwt = createJwtVerifier({ algorithms: ['RS256'], issuer, audience, jwksUri });
 * app.get('/orders', requireJwt(jwt, { scopes: ['orders:read'] }), (req, res) => {
 *   res.json({ user: req.auth?.sub });
 * });
 */
export function requireJwt(
  source: JwtVerifierOptions | JwtVerifier,
  route?: JwtRouteOptions & JwtMtlsRouteOptions,
): RequestHandler {
  const verifier = ruleFrom(source, createJwtVerifier, 'verify');
  // The certificate binding is this adapter's part of the route; the authorizer takes the rest.
  const { certificateBound: _bound, ...rules } = route ?? {};
  const authorize = route === undefined ? undefined : createJwtAuthorizer(rules);
  const bound =
    route?.certificateBound === undefined
      ? undefined
      : requireCertificateBoundToken(route.certificateBound === true ? {} : route.certificateBound);
  return (req: Request, res: Response, next: NextFunction): void => {
    verifier.verify(fromNodeRequest(req, { url: req.originalUrl }), authorize).then((verdict) => {
      if (!verdict.ok) return sendProblem(res, verdict.error);
      req.auth = verdict.value;
      applyHeaders(res, verdict.headers);
      if (bound !== undefined) return bound(req, res, next);
      next();
    }, next);
  };
}
