import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cookieProblems, isLoopback } from './headers.js';

describe('cookieProblems', () => {
  it('Secure matters over HTTPS; SameSite=None needs it everywhere; HttpOnly and SameSite are mild', () => {
    expect(cookieProblems(['sid=1; Path=/'], true)).toEqual({
      severe: ['sid without Secure'],
      mild: ['sid without HttpOnly', 'sid without SameSite'],
    });
    expect(cookieProblems(['sid=1; Path=/'], false).severe).toEqual([]);
    expect(cookieProblems(['a=1; SameSite=None; HttpOnly'], false).severe).toEqual([
      'a: SameSite=None without Secure (browsers drop it)',
    ]);
    expect(cookieProblems(['__Host-s=1; Secure; HTTPONLY; samesite=Lax; Path=/'], true)).toEqual({
      severe: [],
      mild: [],
    });
  });

  it('never throws and never reports a cookie value', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), fc.boolean(), (values, https) => {
        const { severe, mild } = cookieProblems(values, https);
        for (const line of [...severe, ...mild]) expect(line).not.toMatch(/=[^N]/);
      }),
    );
  });
});

describe('isLoopback', () => {
  it.each([
    ['localhost', true],
    ['api.localhost', true],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['example.com', false],
    ['localhost.example.com', false],
  ])('%s → %s', (host, loopback) => {
    expect(isLoopback(host)).toBe(loopback);
  });
});
