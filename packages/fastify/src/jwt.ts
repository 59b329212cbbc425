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
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type JwtMtlsRouteOptions, requireCertificateBoundToken } from './mtls.js';
import { applyHeaders, sendProblem } from './respond.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Verified JWT claims, set by `requireJwt()`. */
    auth?: JwtClaims;
  }
}

/** A fastify `preHandler` hook. */
export type BulwarkHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * Require a valid bearer JWT, as a route `preHandler`. On success `request.auth` holds the verified claims;
 * otherwise the reply is 401 (or 400/503) problem+json with `WWW-Authenticate`. With `route`, the token
 * must also grant its scopes and pass its claims predicate, else 403 `insufficient_scope`.
 *
 * @example
 * const jwt = createJwtVerifier({ algorithms: ['ES256'], issuer, audience, jwksUri });
 * app.get('/orders', { preHandler: requireJwt(jwt, { scopes: ['orders:read'] }) },
 *   async (request) => ({ user: request.auth?.sub }));
 */
export function requireJwt(
  source: JwtVerifierOptions | JwtVerifier,
  route?: JwtRouteOptions & JwtMtlsRouteOptions,
): BulwarkHook {
  const verifier = ruleFrom(source, createJwtVerifier, 'verify');
  // The certificate binding is this adapter's part of the route; the authorizer takes the rest.
  const { certificateBound: _bound, ...rules } = route ?? {};
  const authorize = route === undefined ? undefined : createJwtAuthorizer(rules);
  const bound =
    route?.certificateBound === undefined
      ? undefined
      : requireCertificateBoundToken(route.certificateBound === true ? {} : route.certificateBound);
  return async (request, reply) => {
    const verdict = await verifier.verify(fromNodeRequest(request.raw, { url: request.url }), authorize);
    if (!verdict.ok) return sendProblem(reply, verdict.error);
    request.auth = verdict.value;
    applyHeaders(reply, verdict.headers);
    return bound === undefined ? undefined : bound(request, reply);
  };
}
