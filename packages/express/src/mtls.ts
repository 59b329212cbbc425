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
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sendProblem } from './respond.js';

declare global {
  namespace Express {
    interface Request {
      /** The authenticated and authorized mTLS peer, set by `requireMtls()`. */
      mtls?: MtlsPeer;
    }
  }
}

/**
 * Require an authorized mTLS client. Serve the app over `https.createServer(mtlsServerOptions(...), app)`
 * (from `@bulwark/core/node`) so the handshake refuses certificates from other CAs; this middleware then
 * identifies the peer (SPIFFE ID from its single URI SAN) and applies the route policy. On success
 * `req.mtls` holds the peer; otherwise 401/403 problem+json. A forwarded-certificate header from a peer
 * that is not a trusted proxy is removed before anything downstream can read it.
 *
 * @example
 * app.post('/payments', requireMtls({ authorize: authorizePathPrefix('corp.example.com', '/ns/checkout') }),
 *   (req, res) => res.json({ caller: req.mtls?.spiffeId?.id }));
 */
export function requireMtls(source: MtlsVerifierOptions | MtlsVerifier): RequestHandler {
  const verifier = ruleFrom(source, createMtlsVerifier, 'verify');
  const header = verifier.forwardedHeader;
  return (req: Request, res: Response, next: NextFunction): void => {
    const verdict = verifier.verify(fromNodeRequest(req, { url: req.originalUrl }));
    if (header !== undefined && !verifier.isTrustedProxy(req.socket.remoteAddress))
      delete req.headers[header];
    if (!verdict.ok) {
      sendProblem(res, verdict.error);
      return;
    }
    req.mtls = verdict.value;
    next();
  };
}

/**
 * RFC 8705 certificate-bound access tokens, after `requireJwt()`: when the verified claims carry
 * `cnf["x5t#S256"]`, the TLS client certificate (the forwarded one when `requireMtls()` ran first behind a
 * proxy) must hash to it, else 401 `MTLS_TOKEN_BINDING_MISMATCH`. `required: true` also refuses unbound tokens.
 *
 * @example
 * app.post('/transfers', requireJwt(jwt), requireCertificateBoundToken({ required: true }), handler);
 */
export function requireCertificateBoundToken(
  options: Omit<CertificateBindingOptions, 'req'> = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const claims = req.auth;
    if (claims === undefined) {
      next(
        new ConfigError(
          'requireCertificateBoundToken',
          'runs without verified claims',
          'put requireJwt() before it',
        ),
      );
      return;
    }
    const like = fromNodeRequest(req, { url: req.originalUrl });
    const certificate = req.mtls?.certificate ?? like.peerCertificate;
    verifyCertificateBinding(claims, certificate, { ...options, req: like }).then((verdict) => {
      if (!verdict.ok) {
        sendProblem(res, verdict.error);
        return;
      }
      next();
    }, next);
  };
}

/** Route options `requireJwt` takes on top of scopes and claims. */
export interface JwtMtlsRouteOptions {
  /** RFC 8705: check `cnf["x5t#S256"]` against the client certificate after the token verifies. */
  certificateBound?: CertificateBoundOption;
}
