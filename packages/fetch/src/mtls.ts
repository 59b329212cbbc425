import {
  ConfigError,
  createMtlsVerifier,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  verifyCertificateBinding,
  ruleFrom,
  type CertificateBoundOption,
} from '@bulwark/core';
import type { Stage } from './pipeline.js';
import { problemResponse } from './respond.js';

/** The `mtls` entry of a protect policy: verifier options or a verifier built with `createMtlsVerifier`. */
export type MtlsPolicyEntry = MtlsVerifierOptions | MtlsVerifier;

/**
 * The mTLS stage: identifies and authorizes the TLS client and puts the peer in `context.mtls`. The runtime
 * passes the verified client certificate as `info.peerCertificate` (the node bridge `toNodeListener` does).
 * Forwarded-certificate headers are believed only from trusted proxies (`info.remoteAddress`).
 *
 * @example
 * protect(handler, { mtls: { authorize: authorizeMemberOf('corp.example.com') } })
 */
export function mtlsStage(policy: MtlsPolicyEntry): Stage {
  const verifier = ruleFrom(policy, createMtlsVerifier, 'verify');
  const header = verifier.forwardedHeader;
  return {
    before(state) {
      const verdict = verifier.verify(state.req);
      if (header !== undefined && !verifier.isTrustedProxy(state.info.remoteAddress)) {
        try {
          state.request.headers.delete(header);
        } catch {
          // Immutable headers: the rule already ignored the value; the handler must not trust it either.
        }
      }
      if (!verdict.ok) return problemResponse(verdict.error);
      state.context.mtls = verdict.value;
      return undefined;
    },
  };
}

/**
 * RFC 8705 certificate-bound tokens, run after the `jwt` stage: a token with `cnf["x5t#S256"]` must match the
 * client certificate (`context.mtls.certificate` when the `mtls` stage ran, else `info.peerCertificate`),
 * else 401 `MTLS_TOKEN_BINDING_MISMATCH`.
 *
 * @example
 * protect(handler, { jwt, certificateBound: { required: true } })
 */
export function certificateBoundStage(policy: CertificateBoundOption): Stage {
  const options = policy === true ? {} : policy;
  return {
    async before(state) {
      const claims = state.context.claims;
      if (claims === undefined) {
        // Fail closed: without the jwt stage there is no token to check.
        throw new ConfigError(
          'protect.certificateBound',
          'needs the jwt rule in the same policy',
          'add jwt: ...',
        );
      }
      const peer = state.context.mtls as MtlsPeer | undefined;
      const certificate = peer?.certificate ?? state.info.peerCertificate;
      const verdict = await verifyCertificateBinding(claims, certificate, { ...options, req: state.req });
      return verdict.ok ? undefined : problemResponse(verdict.error);
    },
  };
}
