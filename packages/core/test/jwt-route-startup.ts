/**
 * For every adapter: a route asking for DPoP needs a verifier with the `dpop` option, and the mistake stops
 * the app when the route is built (core's createJwtRoute), not with a 500 on the route's first request.
 * `create` is the adapter's createJwtVerifier and `build` how it builds a JWT route (`requireJwt(verifier,
 * route)`, `protect(…)`), so the types are the adapter's own.
 */
import { describe, expect, it } from 'vitest';

/** The route options this check uses. */
export interface StartupRoute {
  readonly dpop?: 'required' | 'allowed' | 'off';
  readonly scopes?: readonly string[];
}

export function describeJwtRouteStartup<V>(
  name: string,
  create: (options: { algorithms: ['ES256']; issuer: string; audience: string; jwksUri: string }) => V,
  build: (verifier: V, route: StartupRoute) => unknown,
): void {
  const plain = create({
    algorithms: ['ES256'],
    issuer: 'https://id.example/',
    audience: 'https://api.example',
    jwksUri: 'https://id.example/jwks',
  });
  describe(`${name}: a route the verifier cannot serve fails when it is built`, () => {
    it.each(['required', 'allowed'] as const)("dpop '%s' without the verifier's dpop option", (dpop) => {
      expect(() => build(plain, { dpop })).toThrow(/^jwt\.dpop: a route asks for DPoP .*pass dpop:/);
    });

    it("dpop 'off', or no dpop, builds", () => {
      expect(typeof build(plain, { dpop: 'off' })).toBe('function');
      expect(typeof build(plain, { scopes: ['orders:read'] })).toBe('function');
    });
  });
}
