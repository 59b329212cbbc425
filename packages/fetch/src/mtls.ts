import { createMtlsVerifier, type MtlsVerifier, type MtlsVerifierOptions } from '@bulwark/core';
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
  const verifier =
    typeof (policy as MtlsVerifier).verify === 'function'
      ? (policy as MtlsVerifier)
      : createMtlsVerifier(policy as MtlsVerifierOptions);
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
