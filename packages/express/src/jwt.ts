import {
  createJwtRoute,
  createJwtVerifier,
  type DpopProof,
  type JwtClaims,
  type JwtRouteOptions,
  type JwtVerifier,
  type JwtVerifierOptions,
  ruleFor,
} from '@bulwark/core';
import { applyVerdict } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestOf } from './http.js';

declare global {
  namespace Express {
    interface Request {
      /** Verified JWT claims, set by `requireJwt()`. */
      auth?: JwtClaims;
      /** The checked DPoP proof when the token came with `Authorization: DPoP` (set by `requireJwt()`). */
      dpop?: DpopProof;
    }
  }
}

/**
 * Require a valid bearer JWT. On success `req.auth` holds the verified claims; otherwise the request ends
 * with 401 (or 400/503) problem+json and a `WWW-Authenticate` header. With `route`, the token must also
 * grant its scopes and pass its claims predicate, else 403 `insufficient_scope`, and with
 * `certificateBound` match the client certificate (RFC 8705); with `dpop: 'required' | 'allowed' | 'off'`
 * (RFC 9449, needs the verifier's `dpop` option) `req.dpop` holds the checked proof. The verifier and the route rules are built
 * (and validated) when the middleware is created, so a bad config fails at startup; the same options
 * object on several routes shares one verifier.
 *
 * @example
 * const jwt = createJwtVerifier({ algorithms: ['RS256'], issuer, audience, jwksUri });
 * app.get('/orders', requireJwt(jwt, { scopes: ['orders:read'] }), (req, res) => {
 *   res.json({ user: req.auth?.sub });
 * });
 */
export function requireJwt(
  source: JwtVerifierOptions | JwtVerifier,
  route?: JwtRouteOptions,
): RequestHandler {
  const verifier = ruleFor(source, 'jwt', createJwtVerifier);
  const authorize = createJwtRoute(verifier, route);
  return (req: Request, res: Response, next: NextFunction): void => {
    verifier.check(requestOf(req), authorize, { mtls: req.mtls, dpop: req.dpop }).then((verdict) => {
      if (!applyVerdict(req, res, verdict)) return;
      // An optional route's anonymous request has no claims: req.auth stays unset.
      if (verdict.value !== undefined) req.auth = verdict.value;
      if (verdict.dpop !== undefined) req.dpop = verdict.dpop;
      next();
    }, next);
  };
}
