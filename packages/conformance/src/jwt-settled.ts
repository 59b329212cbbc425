import { createJwtVerifier, type JwtVerifier } from '@bulwark/core';
import { AUDIENCE, ISSUER, makeTestKeys, mint, type TestKeys, unsigned } from './keys.js';

/** What {@link settledJwtFixture} resolves to. */
export interface SettledJwtFixture {
  readonly keys: TestKeys;
  /** An RS256 verifier of the conformance issuer and audience whose key set is already loaded. */
  readonly verifier: JwtVerifier;
  /**
   * The Authorization header of each case, in this order: missing (undefined), malformed, alg none, expired,
   * no scope (`profile` only), valid (scope `orders:read`, subject `user-123`).
   */
  readonly tokens: Readonly<Record<string, string | undefined>>;
}

/**
 * The scaffold of an adapter's "settled JWT check" test: one RS256 verifier and the refused and allowed tokens
 * every such test sends, with the verifier warmed by one check of the valid token, so from then on nothing it
 * does waits (core's jwtCheckNow answers).
 *
 * @example
 * const { verifier, tokens } = await settledJwtFixture();
 * for (const [name, authorization] of Object.entries(tokens)) compare(verifier, promiseOnly(verifier), authorization);
 */
export async function settledJwtFixture(): Promise<SettledJwtFixture> {
  const keys = await makeTestKeys();
  const verifier = createJwtVerifier({
    algorithms: ['RS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: [keys.rsa.publicJwk],
  });
  const tokens = {
    missing: undefined,
    malformed: 'Bearer not.a-valid.token',
    'alg none': `Bearer ${unsigned({ sub: 'x' })}`,
    expired: `Bearer ${await mint(keys, { expiresIn: -600 })}`,
    'no scope': `Bearer ${await mint(keys, { claims: { scope: 'profile' } })}`,
    valid: `Bearer ${await mint(keys)}`,
  };
  // The first verification loads the keys; from then on nothing waits.
  await verifier.check({
    method: 'GET',
    url: '/',
    header: (name) => (name === 'authorization' ? tokens.valid : undefined),
  });
  return { keys, verifier, tokens };
}

/** The verifier seen through its public check() only (as one from a copy of core without jwtCheckNow). */
export function promiseOnly(verifier: JwtVerifier): JwtVerifier {
  const hidden = Symbol.for('bulwark.jwt.checkNow');
  return new Proxy(verifier, { get: (t, k) => (k === hidden ? undefined : Reflect.get(t, k)) });
}
