import {
  createMtlsVerifier,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFor,
} from '@bulwark/core';
import type { BulwarkHook } from './jwt.js';
import { pass, requestOf } from './reply.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated and authorized mTLS peer, set by `requireMtls()`. */
    mtls?: MtlsPeer;
  }
}

/**
 * Require an authorized mTLS client, as a route `onRequest` or `preHandler` hook. Start fastify with
 * `https: mtlsServerOptions(...)` (from `@bulwark/core/node`) so the handshake refuses certificates from
 * other CAs; this hook identifies the peer and applies the route policy. On success `request.mtls` holds the
 * peer; otherwise 401/403 problem+json. A forwarded-certificate header from a peer that is not a trusted
 * proxy is removed. A `decisionPoint` (e.g. `createOpaAuthorizer`) is awaited; its failure or timeout
 * answers 503 `MTLS_AUTHORIZER_UNAVAILABLE`.
 *
 * @example
 * app.post('/payments', { onRequest: requireMtls({ authorize: authorizeMemberOf('corp.example.com') }) },
 *   async (request) => ({ caller: request.mtls?.spiffeId?.id }));
 */
export function requireMtls(source: MtlsVerifierOptions | MtlsVerifier): BulwarkHook {
  const verifier = ruleFor(source, 'mtls', createMtlsVerifier);
  return async (request, reply) => {
    // Synchronous unless a decisionPoint (a policy engine) is configured.
    const pending = verifier.checkRequest(requestOf(request));
    const verdict = pending instanceof Promise ? await pending : pending;
    if (!pass(request, reply, verdict)) return reply;
    request.mtls = verdict.value;
    return undefined;
  };
}
