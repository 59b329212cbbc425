import {
  createJwtRoute,
  createJwtVerifier,
  type DpopProof,
  type JwtClaims,
  type JwtRouteOptions,
  type JwtAuthorizer,
  type JwtCheckContext,
  type JwtVerdict,
  type JwtVerifier,
  type JwtVerifierOptions,
  type MtlsPeer,
  type RequestLike,
  ruleFor,
} from '@bulwark/core';
import { jwtCheckNow } from '@bulwark/core/toolkit';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { proceed, requestOf, stop } from './context.js';

/** What {@link requireJwt} puts in `c.var`. */
export interface JwtVariables {
  /** The verified JWT claims. */
  claims: JwtClaims;
  /** The checked DPoP proof when the token came with `Authorization: DPoP` (RFC 9449); else undefined. */
  dpop: DpopProof | undefined;
}

/** What {@link requireJwt} puts in `c.var` on an optional route (`optional: true`): no claims when anonymous. */
export interface OptionalJwtVariables {
  /** The verified JWT claims, or undefined for a request that carried no credentials. */
  claims: JwtClaims | undefined;
  /** The checked DPoP proof when the token came with `Authorization: DPoP` (RFC 9449); else undefined. */
  dpop: DpopProof | undefined;
}

/**
 * Require a valid bearer JWT. On success `c.var.claims` holds the verified claims (typed in the handlers
 * of the route it guards); otherwise the request is refused with 401 (or 400/503) problem+json and a
 * `WWW-Authenticate` header, thrown as an `HTTPException`. With `route`, the token must also grant its
 * scopes and pass its claims predicate, else 403 `insufficient_scope`, and with `certificateBound` match
 * the client certificate (RFC 8705); with `dpop: 'required' | 'allowed' | 'off'` (RFC 9449, needs the
 * verifier's `dpop` option) `c.var.dpop` holds the checked proof. The verifier and the route rules are built (and validated) here, so
 * a bad config fails at startup; the same options object on several routes shares one verifier.
 *
 * @example
 * const jwt = createJwtVerifier({ algorithms: ['RS256'], issuer, audience, jwksUri });
 * app.get('/orders', requireJwt(jwt, { scopes: ['orders:read'] }), (c) => c.json({ user: c.var.claims.sub }));
 */
export function requireJwt(
  source: JwtVerifierOptions | JwtVerifier,
  route: JwtRouteOptions & { optional: true },
): MiddlewareHandler<{ Variables: OptionalJwtVariables }>;
export function requireJwt(
  source: JwtVerifierOptions | JwtVerifier,
  route?: JwtRouteOptions,
): MiddlewareHandler<{ Variables: JwtVariables }>;
export function requireJwt(
  source: JwtVerifierOptions | JwtVerifier,
  route?: JwtRouteOptions,
): MiddlewareHandler<{ Variables: OptionalJwtVariables }> | MiddlewareHandler<{ Variables: JwtVariables }> {
  const verifier = ruleFor(source, 'jwt', createJwtVerifier);
  const authorize = createJwtRoute(verifier, route);
  // The verifier's check that answers without a promise when it had nothing to wait for (a refusal, a token
  // verified with keys already loaded): the middleware then carries the verdict out right away instead of
  // awaiting a settled promise first. It still answers with a promise (a refusal is a rejected one, as from
  // an async middleware), so a caller chaining on it sees what it saw before.
  const check =
    jwtCheckNow(verifier) ??
    ((req: RequestLike, r?: JwtAuthorizer, ctx?: JwtCheckContext) => verifier.check(req, r, ctx));
  const carryOut = (c: Context, next: Next, verdict: JwtVerdict): Promise<Response | undefined> => {
    if (!verdict.ok) return Promise.resolve(stop(verdict));
    c.set('claims', verdict.value); // undefined on an optional route's anonymous request
    c.set('dpop', verdict.dpop);
    return proceed(c, next, verdict) as Promise<undefined>;
  };
  // Claims are undefined only on an optional route's anonymous request, which the overloads type.
  const handler: MiddlewareHandler<{ Variables: OptionalJwtVariables }> = function bulwarkJwt(c, next) {
    const { mtls, dpop } = c.var as { mtls?: MtlsPeer; dpop?: DpopProof };
    try {
      const verdict = check(requestOf(c), authorize, { mtls, dpop });
      return verdict instanceof Promise
        ? verdict.then((v) => carryOut(c, next, v))
        : carryOut(c, next, verdict);
    } catch (err) {
      // A denial (stop throws it) or a broken verifier: a rejected promise, as an async middleware gives.
      return Promise.reject(err);
    }
  };
  return handler;
}
