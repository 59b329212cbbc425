import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPkcePair, pkceChallenge, verifyPkce } from './pkce.js';

describe('PKCE', () => {
  it('matches the RFC 7636 Appendix B vector', async () => {
    expect(await pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates 256-bit S256 pairs that verify, each one different', async () => {
    const a = await createPkcePair();
    const b = await createPkcePair();
    expect(a.method).toBe('S256');
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.verifier).not.toBe(b.verifier);
    expect(a.challenge).toBe(await pkceChallenge(a.verifier));
    expect(await verifyPkce(a.verifier, a.challenge, 'S256')).toBe(true);
    expect(await verifyPkce(b.verifier, a.challenge, 'S256')).toBe(false);
  });

  it('refuses plain, a missing verifier and malformed verifiers', async () => {
    const { verifier, challenge } = await createPkcePair();
    expect(await verifyPkce(verifier, verifier, 'plain')).toBe(false);
    expect(await verifyPkce(undefined, challenge, 'S256')).toBe(false);
    expect(await verifyPkce('short', await pkceChallenge('short'), 'S256')).toBe(false);
    const bad = `${'a'.repeat(42)} `;
    expect(await verifyPkce(bad, await pkceChallenge(bad), 'S256')).toBe(false);
    const long = 'a'.repeat(129);
    expect(await verifyPkce(long, await pkceChallenge(long), 'S256')).toBe(false);
  });

  it('accepts verifiers of 43 to 128 unreserved characters only (RFC 7636 §4.1)', async () => {
    const check = async (v: string) => verifyPkce(v, await pkceChallenge(v), 'S256');
    expect(await check('a'.repeat(42))).toBe(false);
    expect(await check('a'.repeat(43))).toBe(true);
    expect(await check('-._~'.repeat(32))).toBe(true);
    expect(await check('a'.repeat(128))).toBe(true);
    for (const c of ['+', '/', '=', '%', ' ', '\n', 'é', '\u0000'])
      expect(await check(`${'a'.repeat(42)}${c}`)).toBe(false);
    expect(await check(`${'a'.repeat(43)}\n`)).toBe(false);
  });

  it('accepts only the verifier that produced the challenge (property)', async () => {
    const { verifier, challenge } = await createPkcePair();
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 0, maxLength: 140 }), async (candidate) => {
        fc.pre(candidate !== verifier);
        expect(await verifyPkce(candidate, challenge, 'S256')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
