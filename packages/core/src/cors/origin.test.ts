import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fullMatch, matchWildcard, normaliseOrigin, parseRequestOrigin, parseWildcard } from './origin.js';

describe('parseRequestOrigin', () => {
  it('accepts origins as browsers serialise them', () => {
    expect(parseRequestOrigin('https://app.example.com')).toEqual({
      scheme: 'https',
      host: 'app.example.com',
      port: '',
    });
    expect(parseRequestOrigin('http://localhost:5173')).toEqual({
      scheme: 'http',
      host: 'localhost',
      port: '5173',
    });
    expect(parseRequestOrigin('http://[::1]:8080')).toEqual({ scheme: 'http', host: '[::1]', port: '8080' });
  });
  it('refuses anything a browser would not send', () => {
    for (const bad of [
      'HTTPS://APP.EXAMPLE.COM',
      'https://app.example.com/',
      'https://app.example.com:443',
      'http://app.example.com:80',
      'https://app.example.com:0',
      'https://app.example.com:65536',
      'https://app.example.com:0443',
      'https://app.example.com https://evil.com',
      'https://app.example.com, https://evil.com',
      'https://user@app.example.com',
      'https://-app.example.com',
      'https://app..example.com',
      `https://${'a'.repeat(10_000)}.com`,
      'null',
      '',
    ]) {
      expect(parseRequestOrigin(bad)).toBeUndefined();
    }
  });
  it('round-trips: whatever it accepts is exactly scheme://host[:port]', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const p = parseRequestOrigin(s);
        if (p !== undefined) expect(`${p.scheme}://${p.host}${p.port === '' ? '' : `:${p.port}`}`).toBe(s);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.webUrl(), (u) => {
        const origin = new URL(u).origin;
        const p = parseRequestOrigin(origin);
        // Every origin the URL parser produces (without IDN) parses and round-trips.
        if (!/[^\x20-\x7e]/.test(origin) && p !== undefined) {
          expect(`${p.scheme}://${p.host}${p.port === '' ? '' : `:${p.port}`}`).toBe(origin);
        }
      }),
      { numRuns: 1000 },
    );
  });
  it('agrees with the URL parser on serialised http(s) origins', () => {
    fc.assert(
      fc.property(
        fc.domain(),
        fc.constantFrom('http', 'https'),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        (d, s, port) => {
          const origin = new URL(`${s}://${d}${port === null ? '' : `:${port}`}`).origin;
          expect(parseRequestOrigin(origin)).toBeDefined();
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('normaliseOrigin', () => {
  it('lowercases, drops default ports and encodes IDN', () => {
    expect(normaliseOrigin('HTTPS://App.Example.COM:443', 'o')).toBe('https://app.example.com');
    expect(normaliseOrigin('http://localhost:3000', 'o')).toBe('http://localhost:3000');
    expect(normaliseOrigin('https://bücher.example', 'o')).toBe('https://xn--bcher-kva.example');
  });
  it('refuses paths, trailing slashes, credentials, queries and other schemes', () => {
    expect(() => normaliseOrigin('https://app.example.com/', 'cors.origins[0]')).toThrow(
      /cors\.origins\[0\]: .*trailing slash.*write 'https:\/\/app\.example\.com'/,
    );
    for (const bad of [
      'https://a.com/api',
      'https://a.com?x',
      'https://u:p@a.com',
      'ftp://a.com',
      'app.example.com',
      'https://',
      'https://a b.com',
    ]) {
      expect(() => normaliseOrigin(bad, 'o')).toThrow(/^o: /);
    }
  });
});

describe('wildcards', () => {
  const rule = parseWildcard('https://*.example.com', 'w');
  const m = (o: string) => {
    const p = parseRequestOrigin(o);
    return p !== undefined && matchWildcard(rule, p);
  };
  it('match exactly one extra leftmost label, same scheme and port', () => {
    expect(m('https://app.example.com')).toBe(true);
    expect(m('https://example.com')).toBe(false);
    expect(m('https://a.b.example.com')).toBe(false);
    expect(m('https://app.example.com.attacker.com')).toBe(false);
    expect(m('https://evilexample.com')).toBe(false);
    expect(m('http://app.example.com')).toBe(false);
    expect(m('https://app.example.com:8443')).toBe(false);
  });
  it('refuse patterns that are too broad or not label-wise', () => {
    for (const bad of [
      'https://*.com',
      'https://app.*.com',
      'https://*example.com',
      'https://*.*.example.com',
      'https://*.1.2.3',
      'https://*.example.com/',
    ]) {
      expect(() => parseWildcard(bad, 'w')).toThrow(/^w: /);
    }
  });
});

describe('fullMatch', () => {
  it('anchors the whole origin and refuses stateful flags', () => {
    const re = fullMatch(/https:\/\/pr-\d+\.preview\.example\.com/, 'r');
    expect(re.test('https://pr-12.preview.example.com')).toBe(true);
    expect(re.test('https://pr-12.preview.example.com.evil.com')).toBe(false);
    expect(re.test('https://evil.com/https://pr-12.preview.example.com')).toBe(false);
    const alt = fullMatch(/https:\/\/a\.com|https:\/\/b\.com/, 'r');
    expect(alt.test('https://a.com.evil.com')).toBe(false);
    for (const flags of ['g', 'y', 'm'])
      expect(() => fullMatch(new RegExp('x', flags), 'r')).toThrow(/^r: flags/);
  });
});
