import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { externalBases, htuMatches, normalizeHtu } from './htu.js';

describe('normalizeHtu (RFC 3986 §6.2.2, §6.2.3)', () => {
  it('normalises case, default ports, empty paths, dot segments and escapes', () => {
    expect(normalizeHtu('HTTPS://API.Example.COM:443/a/./b/../c/%7euser/%2f?q#f')).toBe(
      'https://api.example.com/a/c/~user/%2F',
    );
    expect(normalizeHtu('http://api.example.com:80')).toBe('http://api.example.com/');
    expect(normalizeHtu('http://api.example.com:8080/x')).toBe('http://api.example.com:8080/x');
  });

  it("drops a fully qualified host's trailing dot, with or without a port", () => {
    expect(normalizeHtu('https://api.example.com./x')).toBe('https://api.example.com/x');
    expect(normalizeHtu('https://API.example.com.:443/x')).toBe('https://api.example.com/x');
    expect(normalizeHtu('https://api.example.com.:8443/x')).toBe('https://api.example.com:8443/x');
    expect(normalizeHtu('https://api.example.com../x')).toBe('https://api.example.com./x');
  });

  it('refuses what is not an http(s) URL without userinfo', () => {
    for (const bad of ['/orders', 'ftp://api.example.com/', 'https://u:p@api.example.com/', 'https://', 'x'])
      expect(normalizeHtu(bad)).toBeUndefined();
  });

  it('is idempotent on every URL it accepts', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const once = normalizeHtu(url);
        if (once !== undefined) expect(normalizeHtu(once)).toBe(once);
      }),
    );
  });
});

describe('externalBases', () => {
  it('keeps scheme, host, port and path prefix, without a trailing slash', () => {
    expect(externalBases('dpop.externalUrl', ['https://API.test:443/', 'https://e.test/api/'])).toEqual([
      'https://api.test',
      'https://e.test/api',
    ]);
  });

  it.each([
    [undefined, 'dpop.externalUrl'],
    [[], 'dpop.externalUrl'],
    ['api.test', 'dpop.externalUrl'],
    ['ftp://api.test', 'dpop.externalUrl'],
    ['https://api.test/?x', 'dpop.externalUrl'],
    ['https://api.test/#', 'dpop.externalUrl'],
    ['https://u@api.test', 'dpop.externalUrl'],
    ['https://api.test\t', 'dpop.externalUrl'],
    [['https://api.test', 7], 'dpop.externalUrl[1]'],
  ])('refuses %j at %s', (value, path) => {
    try {
      externalBases('dpop.externalUrl', value);
      expect.unreachable();
    } catch (e) {
      expect(isConfigError(e) && e.option).toBe(path);
    }
  });
});

describe('htuMatches', () => {
  const bases = ['https://api.test', 'https://e.test/api'];
  it('matches base + request path, ignoring the query of either side', () => {
    expect(htuMatches(bases, '/orders?x=1', 'https://api.test/orders?y=2')).toBe(true);
    expect(htuMatches(bases, '/orders', 'https://e.test/api/orders')).toBe(true);
    expect(htuMatches(bases, 'http://evil.test/orders', 'https://api.test/orders')).toBe(true);
  });

  it('never takes a host from the request', () => {
    expect(htuMatches(bases, 'https://evil.test/orders', 'https://evil.test/orders')).toBe(false);
    expect(htuMatches(bases, '//evil.test/orders', 'https://evil.test/orders')).toBe(false);
    expect(htuMatches(bases, '*', 'https://api.test*')).toBe(false);
    expect(htuMatches(bases, '/../x', 'https://e.test/x')).toBe(false);
    expect(htuMatches(bases, '/orders', 'https://e.test/orders')).toBe(false);
  });
});
