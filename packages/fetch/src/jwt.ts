import {
  createJwtRoute,
  createJwtVerifier,
  isRule,
  type JwtRouteOptions,
  type JwtVerifier,
  type JwtVerifierOptions,
  type JwtAuthorizer,
  type JwtCheckContext,
  type JwtVerdict,
  type RequestLike,
  ruleFor,
} from '@bulwark/core';
import { replyResponse } from './reply.js';
import { jwtCheckNow } from '@bulwark/core/toolkit';
import { admit, type Stage, type StageState } from './pipeline.js';

/**
 * The `jwt` entry of a protect policy: verifier options, a verifier built with `createJwtVerifier`, or
 * `{ verifier, scopes?, claims?, certificateBound?, dpop? }` to add route authorization (403
 * `insufficient_scope` when not enough), RFC 8705 certificate binding and the route's RFC 9449 DPoP mode.
 */
export type JwtPolicy =
  | JwtVerifierOptions
  | JwtVerifier
  | ({ verifier: JwtVerifierOptions | JwtVerifier } & JwtRouteOptions);

/**
 * The JWT stage: verifies the bearer token and puts the claims in `context.claims`.
 *
 * @example
 * const stage = jwtStage({ algorithms: ['RS256'], issuer, audience, jwksUri });
 * const orders = jwtStage({ verifier: createJwtVerifier(options), scopes: ['orders:read'] });
 */
export function jwtStage(policy: JwtPolicy): Stage {
  const routed =
    typeof policy === 'object' && policy !== null && 'verifier' in policy && !isRule(policy, 'jwt');
  const { verifier: source, ...route } = routed
    ? (policy as { verifier: JwtVerifierOptions | JwtVerifier } & JwtRouteOptions)
    : { verifier: policy as JwtVerifierOptions | JwtVerifier };
  const verifier = ruleFor(source, 'jwt', createJwtVerifier);
  const authorize = createJwtRoute(verifier, routed ? route : undefined);
  // The verifier's check that answers without a promise when it had nothing to wait for (a refusal, a
  // token verified with keys already loaded): protect() then goes on, or answers, without a microtask hop.
  const check =
    jwtCheckNow(verifier) ??
    ((req: RequestLike, r?: JwtAuthorizer, c?: JwtCheckContext) => verifier.check(req, r, c));
  const decide = (state: StageState, verdict: JwtVerdict): Response | undefined => {
    if (!verdict.ok) return replyResponse(verdict.reply);
    admit(state, verdict);
    // An optional route's anonymous request has no claims.
    if (verdict.value !== undefined) state.context.claims = verdict.value;
    if (verdict.dpop !== undefined) state.context.dpop = verdict.dpop;
    return undefined;
  };
  return {
    before(state) {
      let verdict: JwtVerdict | Promise<JwtVerdict>;
      try {
        verdict = check(state.req, authorize, { mtls: state.context.mtls, dpop: state.context.dpop });
      } catch (err) {
        // As from check(): a failure is a rejected promise, never a throw.
        return Promise.reject(err);
      }
      return verdict instanceof Promise ? verdict.then((v) => decide(state, v)) : decide(state, verdict);
    },
  };
}
