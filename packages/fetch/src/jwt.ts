import {
  createJwtAuthorizer,
  createJwtVerifier,
  type JwtRouteOptions,
  type JwtVerifier,
  type JwtVerifierOptions,
  ruleFrom,
} from '@bulwark/core';
import type { Stage } from './pipeline.js';
import { problemResponse } from './respond.js';

/**
 * The `jwt` entry of a protect policy: verifier options, a verifier built with `createJwtVerifier`, or
 * `{ verifier, scopes?, claims? }` to add route authorization (403 `insufficient_scope` when not enough).
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
  const routed = typeof policy === 'object' && policy !== null && 'verifier' in policy;
  const verifier = ruleFrom(
    routed ? policy.verifier : (policy as JwtVerifierOptions | JwtVerifier),
    createJwtVerifier,
    'verify',
  );
  const authorize = routed
    ? createJwtAuthorizer({
        ...(policy.scopes !== undefined ? { scopes: policy.scopes } : {}),
        ...(policy.claims !== undefined ? { claims: policy.claims } : {}),
      })
    : undefined;
  return {
    async before(state) {
      const verdict = await verifier.verify(state.req, authorize);
      if (!verdict.ok) return problemResponse(verdict.error);
      state.context.claims = verdict.value;
      Object.assign(state.responseHeaders, verdict.headers);
      return undefined;
    },
  };
}
