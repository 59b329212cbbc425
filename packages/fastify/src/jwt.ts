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
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pass, requestOf } from './reply.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Verified JWT claims, set by `requireJwt()`. */
    auth?: JwtClaims;
    /** The checked DPoP proof when the token came with `Authorization: DPoP`, set by `requireJwt()`. */
    dpop?: DpopProof;
  }
}

/** A fastify `onRequest`/`preHandler` hook. */
export type BulwarkHook = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * Require a valid bearer JWT, as a route `preHandler`. On success `request.auth` holds the verified claims;
 * otherwise the reply is 401 (or 400/503) problem+json with `WWW-Authenticate`. With `route`, the token
 * must also grant its scopes and pass its claims predicate, else 403 `insufficient_scope`, and with
 * `certificateBound` match the client certificate (RFC 8705); with `dpop: 'required' | 'allowed' | 'off'`
 * (RFC 9449, needs the verifier's `dpop` option) `request.dpop` holds the checked proof.
 *
 * @example
 * const jwt = createJwtVerifier({ algorithms: ['ES256'], issuer, audience, jwksUri });
 * app.get('/orders', { preHandler: requireJwt(jwt, { scopes: ['orders:read'] }) },
 *   async (request) => ({ user: request.auth?.sub }));
 */
export function requireJwt(source: JwtVerifierOptions | JwtVerifier, route?: JwtRouteOptions): BulwarkHook {
  const verifier = ruleFor(source, 'jwt', createJwtVerifier);
  const authorize = createJwtRoute(verifier, route);
  return async (request, reply) => {
    const verdict = await verifier.check(requestOf(request), authorize, {
      mtls: request.mtls,
      dpop: request.dpop,
    });
    if (!pass(request, reply, verdict)) return reply;
    // An optional route's anonymous request has no claims: request.auth stays unset.
    if (verdict.value !== undefined) request.auth = verdict.value;
    if (verdict.dpop !== undefined) request.dpop = verdict.dpop;
    return undefined;
  };
}
