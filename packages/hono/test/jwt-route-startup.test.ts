import { describe, expect, it } from 'vitest';
import { createJwtVerifier, requireJwt } from '../src/index.js';

// A route asking for DPoP needs a verifier with the dpop option: the mistake stops the app when the route
// is built, not with a 500 on the route's first request.
const plain = createJwtVerifier({
  algorithms: ['ES256'],
  issuer: 'https://id.example/',
  audience: 'https://api.example',
  jwksUri: 'https://id.example/jwks',
});

describe('requireJwt: a route the verifier cannot serve fails when it is built', () => {
  it.each(['required', 'allowed'] as const)("dpop '%s' without the verifier's dpop option", (dpop) => {
    expect(() => requireJwt(plain, { dpop })).toThrow(/^jwt\.dpop: a route asks for DPoP .*pass dpop:/);
  });

  it("dpop 'off', or no dpop, builds", () => {
    expect(typeof requireJwt(plain, { dpop: 'off' })).toBe('function');
    expect(typeof requireJwt(plain, { scopes: ['orders:read'] })).toBe('function');
  });
});
