import {
  createMtlsVerifier,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFor,
  toResponse,
} from '@bulwark/core';
import { admit, type Stage } from './pipeline.js';

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
  const verifier = ruleFor(policy, 'mtls', createMtlsVerifier);
  return {
    before(state) {
      const verdict = verifier.check(state.req);
      if (!verdict.ok) return toResponse(verdict.reply);
      admit(state, verdict);
      state.context.mtls = verdict.value;
      return undefined;
    },
  };
}
