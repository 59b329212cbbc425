import { describe, expect, it } from 'vitest';
import { AUDIENCE, ISSUER, keyPair, signRaw, token } from '../../test/jwt-fixtures.js';
import type { SecurityEvent } from '../events.js';
import { createJwtAuthorizer } from './authorize.js';
import { backend as web } from './crypto-web.js';
import { createJwtVerifier, createJwtVerifierWith } from './verifier.js';

const NOW = Math.floor(Date.now() / 1000);
const code = (v: { ok: boolean; error?: { code: string } | undefined }) => (v.ok ? null : v.error!.code);

describe('claims: registered claims have their registered types', () => {
  const pair = keyPair('ES256', 'ec-1');
  const policy = {
    algorithms: ['ES256'] as const,
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: [pair.publicJwk],
    now: () => NOW * 1000,
  };

  it('refuses a sub or jti that is not a string (an object sub would reach a database query as an operator)', async () => {
    for (const backend of [undefined, web]) {
      const v =
        backend === undefined
          ? createJwtVerifier({ ...policy, algorithms: ['ES256'] })
          : createJwtVerifierWith({ ...policy, algorithms: ['ES256'] }, backend);
      for (const bad of [
        { sub: { $ne: null } },
        { sub: ['admin'] },
        { sub: 1 },
        { jti: { a: 1 } },
        { jti: 7 },
      ]) {
        expect({ bad, code: code(await v.verifyToken(token(pair, NOW, bad))) }).toEqual({
          bad,
          code: 'JWT_CLAIM_INVALID',
        });
      }
      expect(code(await v.verifyToken(token(pair, NOW, { sub: 'user-1' })))).toBe(null);
      expect(code(await v.verifyToken(token(pair, NOW, { sub: undefined, jti: undefined })))).toBe(null);
    }
  });

  it('refuses a non-string iss even when any issuer is accepted', async () => {
    const v = createJwtVerifier({
      algorithms: ['ES256'],
      dangerouslyAcceptAnyIssuer: true,
      audience: AUDIENCE,
      keys: [pair.publicJwk],
      now: () => NOW * 1000,
    });
    expect(code(await v.verifyToken(token(pair, NOW, { iss: { url: ISSUER } })))).toBe('JWT_CLAIM_INVALID');
    expect(code(await v.verifyToken(token(pair, NOW, { iss: 'https://any.test/' })))).toBe(null);
  });

  it('a __proto__ or constructor member in the claims grants nothing and pollutes nothing', async () => {
    const events: SecurityEvent[] = [];
    const v = createJwtVerifier({ ...policy, algorithms: ['ES256'], onEvent: (e) => events.push(e) });
    const raw = token(pair, NOW, { scope: 'profile' }).split('.');
    // Put the keys in the JSON text itself (an object literal's __proto__ would not serialise).
    const payload = JSON.parse(Buffer.from(raw[1]!, 'base64url').toString());
    const text = JSON.stringify(payload).replace(
      /^\{/,
      '{"__proto__":{"scope":"admin","isAdmin":true},"constructor":{"prototype":{"polluted":1}},',
    );
    const t = signRaw('ES256', pair.privateKey, { alg: 'ES256', kid: 'ec-1', typ: 'at+jwt' }, text);
    const verdict = await v.verifyToken(t);
    expect(verdict.ok).toBe(true);
    const claims = verdict.ok ? verdict.value : {};
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect((claims as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(code(createJwtAuthorizer({ scopes: ['admin'] })(claims))).toBe('JWT_INSUFFICIENT_SCOPE');
    expect(code(createJwtAuthorizer({ scopes: ['profile'] })(claims))).toBe(null);
  });
});
