import {
  createMtlsVerifier,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFor,
  type Verdict,
} from '@bulwark/core';
import { applyVerdict } from '@bulwark/core/node';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestOf } from './http.js';

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
  const verifier = ruleFor(source, 'mtls', createMtlsVerifier);
  return (req: Request, res: Response, next: NextFunction): void => {
    const finish = (verdict: Verdict<MtlsPeer>): void => {
      if (!applyVerdict(req, res, verdict)) return;
      req.mtls = verdict.value;
      next();
    };
    // Synchronous unless a decisionPoint (a policy engine) is configured.
    const verdict = verifier.checkRequest(requestOf(req));
    if (verdict instanceof Promise) verdict.then(finish, next);
    else finish(verdict);
  };
}
