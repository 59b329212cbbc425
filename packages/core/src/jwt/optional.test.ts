// Optional authentication: no credentials → anonymous, anything else verified (never silently anonymous).
import { describe, expect, it } from 'vitest';
import { AUDIENCE, HS_SECRET, ISSUER, signRaw } from '../../test/jwt-fixtures.js';
import { isConfigError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import { createJwtAuthorizer } from './authorize.js';
import { carriesNoCredentials } from './bearer.js';
import { createJwtVerifier } from './verifier.js';

const now = Math.floor(Date.now() / 1000);
const verifier = createJwtVerifier({
  algorithms: ['HS256'],
  issuer: ISSUER,
  audience: AUDIENCE,
  secret: HS_SECRET,
});
const hs = (claims: Record<string, unknown>) =>
  signRaw(
    'HS256',
    HS_SECRET,
    { alg: 'HS256', typ: 'JWT' },
    { iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims },
  );
const request = (headers: Record<string, string> = {}, url = '/orders'): RequestLike => ({
  method: 'GET',
  url,
  header: (name) => headers[name],
});
const optional = createJwtAuthorizer({ optional: true });

describe('optional routes', () => {
  it('let a request without credentials through with no claims', async () => {
    const verdict = await verifier.check(request(), optional);
    expect(verdict).toMatchObject({ ok: true, value: undefined, anonymous: true, headers: [] });
  });

  it('verify a request with a token and hand its claims over', async () => {
    const verdict = await verifier.check(request({ authorization: `Bearer ${hs({ sub: 'u1' })}` }), optional);
    expect(verdict.ok && verdict.value?.sub).toBe('u1');
  });

  it.each([
    [
      'an expired token',
      { authorization: `Bearer ${hs({ sub: 'u1', iat: now - 900, exp: now - 600 })}` },
      'JWT_EXPIRED',
    ],
    ['a malformed token', { authorization: 'Bearer abc' }, 'JWT_MALFORMED'],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'JWT_MISSING'],
    ['an empty Authorization header', { authorization: '' }, 'JWT_MISSING'],
  ])('refuse %s (401), never taking it for none', async (_what, headers, code) => {
    const verdict = await verifier.check(request(headers), optional);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.error?.code).toBe(code);
    expect(!verdict.ok && verdict.reply.status).toBe(401);
  });

  it('refuse a token in the query string', async () => {
    const verdict = await verifier.check(request({}, `/orders?access_token=${hs({})}`), optional);
    expect(!verdict.ok && verdict.error?.code).toBe('JWT_TOKEN_IN_QUERY');
  });

  it('still authorize a token that is given: scopes answer 403', async () => {
    const scoped = createJwtAuthorizer({ optional: true, scopes: ['admin'] });
    const verdict = await verifier.check(
      request({ authorization: `Bearer ${hs({ scope: 'read' })}` }),
      scoped,
    );
    expect(!verdict.ok && verdict.reply.status).toBe(403);
    expect((await verifier.check(request(), scoped)).ok).toBe(true);
  });

  it('are optional across levels only when every level is', async () => {
    expect(createJwtAuthorizer({ optional: true }, { optional: true }).optional).toBe(true);
    expect(createJwtAuthorizer({ optional: true }, { scopes: ['x'] }).optional).toBeUndefined();
    const required = createJwtAuthorizer({}, { optional: true });
    expect(!(await verifier.check(request(), required)).ok).toBe(true);
  });

  it('are a ConfigError when optional is not a boolean', () => {
    try {
      createJwtAuthorizer({ optional: 'yes' as never });
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error) && error.option).toBe('jwt.route.optional');
    }
  });

  it('tell no credentials from empty ones', () => {
    expect(carriesNoCredentials(request())).toBe(true);
    expect(carriesNoCredentials(request({ authorization: '' }))).toBe(false);
    expect(carriesNoCredentials(request({}, '/x?access_token=abc'))).toBe(false);
    expect(carriesNoCredentials({ ...request(), headerValues: () => [] })).toBe(true);
    expect(carriesNoCredentials({ ...request(), headerValues: () => ['Bearer x'] })).toBe(false);
  });
});
