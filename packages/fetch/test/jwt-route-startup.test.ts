import { describe, expect, it } from 'vitest';
import { createJwtVerifier, protect } from '../src/index.js';

// A route asking for DPoP needs a verifier with the dpop option: the mistake stops the app when the handler
// is protected, not with a 500 on its first request.
const plain = createJwtVerifier({
  algorithms: ['ES256'],
  issuer: 'https://id.example/',
  audience: 'https://api.example',
  jwksUri: 'https://id.example/jwks',
});
const handler = async () => new Response('ok');

describe('protect: a jwt route the verifier cannot serve fails when it is built', () => {
  it.each(['required', 'allowed'] as const)("dpop '%s' without the verifier's dpop option", (dpop) => {
    expect(() => protect(handler, { jwt: { verifier: plain, dpop } })).toThrow(
      /^jwt\.dpop: a route asks for DPoP .*pass dpop:/,
    );
  });

  it("dpop 'off', or no dpop, builds", () => {
    expect(typeof protect(handler, { jwt: { verifier: plain, dpop: 'off' } })).toBe('function');
    expect(typeof protect(handler, { jwt: plain })).toBe('function');
  });
});
