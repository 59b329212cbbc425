import {
  type CertificateBindingOptions,
  ConfigError,
  createMtlsVerifier,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  verifyCertificateBinding,
  ruleFrom,
  type CertificateBoundOption,
} from '@bulwark/core';
import { fromNodeRequest } from '@bulwark/core/node';
import type { BulwarkHook } from './jwt.js';
import { sendProblem } from './respond.js';

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
 * proxy is removed.
 *
 * @example
 * app.post('/payments', { onRequest: requireMtls({ authorize: authorizeMemberOf('corp.example.com') }) },
 *   async (request) => ({ caller: request.mtls?.spiffeId?.id }));
 */
export function requireMtls(source: MtlsVerifierOptions | MtlsVerifier): BulwarkHook {
  const verifier = ruleFrom(source, createMtlsVerifier, 'verify');
  const header = verifier.forwardedHeader;
  return async (request, reply) => {
    const verdict = verifier.verify(fromNodeRequest(request.raw, { url: request.url }));
    if (header !== undefined && !verifier.isTrustedProxy(request.raw.socket.remoteAddress)) {
      delete request.headers[header];
      delete request.raw.headers[header];
    }
    if (!verdict.ok) return sendProblem(reply, verdict.error);
    request.mtls = verdict.value;
    return undefined;
  };
}

/**
 * RFC 8705 certificate-bound access tokens, as a `preHandler` after `requireJwt()`: when the verified claims
 * carry `cnf["x5t#S256"]`, the TLS client certificate (the forwarded one when `requireMtls()` ran first behind
 * a proxy) must hash to it, else 401 `MTLS_TOKEN_BINDING_MISMATCH`. `required: true` also refuses unbound tokens.
 *
 * @example
 * app.post('/transfers', { preHandler: [requireJwt(jwt), requireCertificateBoundToken({ required: true })] }, handler);
 */
export function requireCertificateBoundToken(
  options: Omit<CertificateBindingOptions, 'req'> = {},
): BulwarkHook {
  return async (request, reply) => {
    const claims = request.auth;
    if (claims === undefined) {
      throw new ConfigError(
        'requireCertificateBoundToken',
        'runs without verified claims',
        'put requireJwt() before it',
      );
    }
    const like = fromNodeRequest(request.raw, { url: request.url });
    const certificate = request.mtls?.certificate ?? like.peerCertificate;
    const verdict = await verifyCertificateBinding(claims, certificate, { ...options, req: like });
    if (!verdict.ok) return sendProblem(reply, verdict.error);
    return undefined;
  };
}

/** Route options `requireJwt` takes on top of scopes and claims. */
export interface JwtMtlsRouteOptions {
  /** RFC 8705: check `cnf["x5t#S256"]` against the client certificate after the token verifies. */
  certificateBound?: CertificateBoundOption;
}
