import { createJwtVerifier, type JwtVerifier, type JwtVerifierOptions } from '@bulwark/core';
import type { Stage } from './pipeline.js';
import { problemResponse } from './respond.js';

/** The `jwt` entry of a protect policy: verifier options or a verifier built with `createJwtVerifier`. */
export type JwtPolicy = JwtVerifierOptions | JwtVerifier;

/**
 * The JWT stage: verifies the bearer token and puts the claims in `context.claims`.
 *
 * @example
 * const stage = jwtStage({ algorithms: ['RS256'], issuer, audience, jwksUri });
 */
export function jwtStage(policy: JwtPolicy): Stage {
  const verifier =
    typeof (policy as JwtVerifier).verify === 'function'
      ? (policy as JwtVerifier)
      : createJwtVerifier(policy as JwtVerifierOptions);
  return {
    async before(state) {
      const verdict = await verifier.verify(state.req);
      if (!verdict.ok) return problemResponse(verdict.error);
      state.context.claims = verdict.value;
      Object.assign(state.responseHeaders, verdict.headers);
      return undefined;
    },
  };
}
