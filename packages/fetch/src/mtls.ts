import {
  createMtlsVerifier,
  type MtlsPeer,
  type MtlsVerifier,
  type MtlsVerifierOptions,
  ruleFor,
  type Verdict,
} from '@bulwark/core';
import { replyResponse } from './reply.js';
import { admit, type Stage } from './pipeline.js';

/** The `mtls` entry of a protect policy: verifier options or a verifier built with `createMtlsVerifier`. */
export type MtlsPolicyEntry = MtlsVerifierOptions | MtlsVerifier;

/**
 * The mTLS stage: identifies and authorizes the TLS client and puts the peer in `context.mtls`. The runtime
 * passes the verified client certificate as `info.peerCertificate` (the node bridge `toNodeListener` does).
 * Forwarded-certificate headers are believed only from trusted proxies (`info.remoteAddress`). A
 * `decisionPoint` (e.g. `createOpaAuthorizer`) is awaited; its failure or timeout answers 503.
 *
 * @example
 * protect(handler, { mtls: { authorize: authorizeMemberOf('corp.example.com') } })
 */
export function mtlsStage(policy: MtlsPolicyEntry): Stage {
  const verifier = ruleFor(policy, 'mtls', createMtlsVerifier);
  return {
    before(state) {
      const finish = (verdict: Verdict<MtlsPeer>): Response | undefined => {
        if (!verdict.ok) return replyResponse(verdict.reply);
        admit(state, verdict);
        state.context.mtls = verdict.value;
        return undefined;
      };
      // Synchronous unless a decisionPoint (a policy engine) is configured.
      const pending = verifier.checkRequest(state.req);
      return pending instanceof Promise ? pending.then(finish) : finish(pending);
    },
  };
}
