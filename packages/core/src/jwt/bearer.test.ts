import { describe, expect, it } from 'vitest';
import type { RequestLike } from '../http/request.js';
import { extractBearer } from './bearer.js';

function req(headers: Record<string, string | string[]>, url = '/'): RequestLike {
  return {
    method: 'GET',
    url,
    header: (n) => {
      const v = headers[n];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    headerValues: (n) => {
      const v = headers[n];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
  };
}

const code = (r: ReturnType<typeof extractBearer>) => (typeof r === 'string' ? r : r.error.code);

describe('extractBearer', () => {
  it('reads one bearer token, scheme case-insensitive', () => {
    expect(extractBearer(req({ authorization: 'Bearer abc.def.ghi' }))).toBe('abc.def.ghi');
    expect(extractBearer(req({ authorization: 'bearer abc.def.ghi' }))).toBe('abc.def.ghi');
    expect(extractBearer(req({ authorization: 'BEARER  abc' }))).toBe('abc');
  });
  it('refuses missing, other schemes and empty tokens', () => {
    expect(code(extractBearer(req({})))).toBe('JWT_MISSING');
    expect(code(extractBearer(req({ authorization: 'Basic dXNlcjpwYXNz' })))).toBe('JWT_MISSING');
    expect(code(extractBearer(req({ authorization: 'Bearer' })))).toBe('JWT_MISSING');
    expect(code(extractBearer(req({ authorization: 'Bearerabc' })))).toBe('JWT_MISSING');
    expect(code(extractBearer(req({ authorization: 'Bearer ' })))).toBe('JWT_MALFORMED');
  });
  it('refuses folded credentials and junk characters', () => {
    expect(code(extractBearer(req({ authorization: 'Bearer a.b.c, Bearer d.e.f' })))).toBe(
      'JWT_INVALID_REQUEST',
    );
    expect(code(extractBearer(req({ authorization: 'Bearer a.b.c\tx' })))).toBe('JWT_MALFORMED');
  });
  it('refuses two Authorization headers and tokens in the query string', () => {
    const two = extractBearer(req({ authorization: ['Bearer a.b.c', 'Bearer d.e.f'] }));
    expect(code(two)).toBe('JWT_INVALID_REQUEST');
    expect(typeof two !== 'string' && two.error.status).toBe(400);
    expect(code(extractBearer(req({}, '/x?access_token=abc')))).toBe('JWT_TOKEN_IN_QUERY');
    expect(code(extractBearer(req({ authorization: 'Bearer a.b.c' }, '/x?a=1&access_token=abc')))).toBe(
      'JWT_TOKEN_IN_QUERY',
    );
    expect(extractBearer(req({ authorization: 'Bearer a.b.c' }, '/x?my_access_token_hint=1'))).toBe('a.b.c');
  });
});
