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
import { jwtCheckNow } from '@bulwark/core/toolkit';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { pass, requestOf, settleDecision } from './reply.js';

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
  /** Carry out the verdict: true when the request goes on (claims set), false when it was answered. */
  const carryOut = (request: FastifyRequest, reply: FastifyReply, verdict: JwtVerdict): boolean => {
    if (!pass(request, reply, verdict)) return false;
    // An optional route's anonymous request has no claims: request.auth stays unset.
    if (verdict.value !== undefined) request.auth = verdict.value;
    if (verdict.dpop !== undefined) request.dpop = verdict.dpop;
    return true;
  };
  // The verifier's decision without a promise when it had nothing to wait for (a refusal, a cached or
  // verified token on the node back end): the hook then goes on, or refuses, before it returns.
  const now = jwtCheckNow(verifier);
  // Callback-style for fastify: the request goes on as soon as the verdict is known (no promise at all when
  // it was settled at once, else the verifier's). A denial reaches `done`, the error pipeline a rejected
  // async hook reaches. Called by hand without `done`, it answers as an async hook does.
  /** The verdict, settled when the verifier had nothing to wait for. */
  const decide = (request: FastifyRequest): JwtVerdict | Promise<JwtVerdict> => {
    const context = contextOf(request);
    return now === undefined
      ? verifier.check(requestOf(request), authorize, context)
      : now(requestOf(request), authorize, context);
  };
  function bulwarkRequireJwt(
    request: FastifyRequest,
    reply: FastifyReply,
    done?: HookHandlerDoneFunction,
  ): Promise<FastifyReply | undefined> | undefined {
    if (done === undefined) {
      return verifier
        .check(requestOf(request), authorize, contextOf(request))
        .then((verdict) => (carryOut(request, reply, verdict) ? undefined : reply));
    }
    settleDecision(request, reply, done, decide, carryOut, 'requireJwt');
    return undefined;
  }
  return bulwarkRequireJwt as BulwarkHook;
}

type JwtVerdict = Awaited<ReturnType<JwtVerifier['check']>>;

/** What the verifier is told of the connection; undefined (no object) without an mTLS peer or a DPoP proof. */
function contextOf(
  request: FastifyRequest,
): { mtls: FastifyRequest['mtls']; dpop: DpopProof | undefined } | undefined {
  const mtls = request.mtls;
  const dpop = request.dpop;
  return mtls === undefined && dpop === undefined ? undefined : { mtls, dpop };
}
