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
import { jwtCheckNow } from '@bulwark/core/toolkit';
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
  // The verifier's decision without a promise when it had nothing to wait for (a refusal, a token verified
  // on the node back end with its keys loaded): the response is written, or next() called, before the
  // middleware returns. Anything else (WebCrypto, a JWKS fetch, a revocation store, DPoP, a certificate
  // binding) still answers a promise, carried out when it settles.
  const now = jwtCheckNow(verifier);
  function carryOut(req: Request, res: Response, next: NextFunction, verdict: JwtVerdict): void {
    if (!applyVerdict(req, res, verdict)) return;
    // An optional route's anonymous request has no claims: req.auth stays unset.
    if (verdict.value !== undefined) req.auth = verdict.value;
    if (verdict.dpop !== undefined) req.dpop = verdict.dpop;
    next();
  }
  return (req: Request, res: Response, next: NextFunction): void => {
    const context = { mtls: req.mtls, dpop: req.dpop };
    let decided: JwtVerdict | Promise<JwtVerdict>;
    try {
      decided =
        now === undefined
          ? verifier.check(requestOf(req), authorize, context)
          : now(requestOf(req), authorize, context);
    } catch (err) {
      // check() rejects where the settled check throws: the same error handling.
      next(err);
      return;
    }
    if (decided instanceof Promise) decided.then((verdict) => carryOut(req, res, next, verdict), next);
    else carryOut(req, res, next, decided);
  };
}

type JwtVerdict = Awaited<ReturnType<JwtVerifier['check']>>;
