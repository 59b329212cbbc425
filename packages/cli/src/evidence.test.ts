import { describe, expect, it } from 'vitest';
import { describeJwt, redactHeaderValue, Secrets } from './evidence.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('redaction', () => {
  it('shows a JWT as its header only, never its payload or signature', () => {
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'alice' })}.`;
    expect(redactHeaderValue('authorization', `Bearer ${token}`)).toBe(
      'Bearer <JWT header {"alg":"none"}, no signature>',
    );
    const signed = `${b64({ alg: 'RS256' })}.${b64({ sub: 'alice' })}.c2lnbmF0dXJl`;
    expect(redactHeaderValue('authorization', `Bearer ${signed}`)).toBe(
      'Bearer <JWT header {"alg":"RS256"}, signature redacted>',
    );
    expect(describeJwt('a.b')).toBeUndefined();
  });

  it('hides other credentials and signatures, keeps cookie names and attributes', () => {
    expect(redactHeaderValue('x-api-key', 'k-123456')).toBe('[redacted, 8 chars]');
    expect(redactHeaderValue('stripe-signature', 't=1,v1=ab')).toBe('[redacted, 9 chars]');
    expect(redactHeaderValue('cookie', 'a=1; b=2')).toBe('a=[redacted]; b=[redacted]');
    expect(redactHeaderValue('set-cookie', 'sid=abc; Path=/; HttpOnly')).toBe(
      'sid=[redacted]; Path=/; HttpOnly',
    );
    expect(redactHeaderValue('content-type', 'application/json')).toBe('application/json');
  });

  it('scrubs known secrets anywhere in a text, but not short strings', () => {
    const s = new Secrets();
    s.add('supersecret-token-value');
    s.add('short');
    expect(s.scrub('echo supersecret-token-value and short')).toBe('echo [redacted] and short');
  });
});
