import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cacheDirectives,
  listTokens,
  parseCsp,
  parseHsts,
  scriptSources,
  unsafeScriptSources,
} from './parse.js';

describe('parseHsts', () => {
  it.each([
    ['max-age=31536000; includeSubDomains', 31_536_000, true, false, []],
    ['MAX-AGE="300";preload', 300, false, true, []],
    ['includeSubDomains', undefined, true, false, ['max-age is missing']],
    ['max-age=1; max-age=2', undefined, false, false, ['directive max-age appears twice']],
    ['max-age=-1', undefined, false, false, ['max-age value "-1" is not a number of seconds']],
    ['max-age=1e9', undefined, false, false, ['max-age value "1e9" is not a number of seconds']],
  ])('%s', (value, maxAge, sub, preload, problems) => {
    expect(parseHsts(value)).toEqual({ maxAge, includeSubDomains: sub, preload, problems });
  });

  it('never throws, and a valid max-age round-trips', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseHsts(s);
      }),
    );
    fc.assert(
      fc.property(fc.nat({ max: 1e12 }), fc.boolean(), (n, sub) => {
        const h = parseHsts(`max-age=${n}${sub ? '; includeSubDomains' : ''}`);
        expect(h.maxAge).toBe(n);
        expect(h.includeSubDomains).toBe(sub);
        expect(h.problems).toEqual([]);
      }),
    );
  });
});

describe('parseCsp', () => {
  it('splits policies on commas and headers, first directive wins, names are case-insensitive', () => {
    const [a, b] = parseCsp([
      "Script-Src 'self'; script-src *; frame-ancestors 'none'",
      "default-src 'none'",
    ]);
    expect(a?.get('script-src')).toEqual(["'self'"]);
    expect(a?.get('frame-ancestors')).toEqual(["'none'"]);
    expect(b?.get('default-src')).toEqual(["'none'"]);
    expect(parseCsp(["default-src 'self', script-src 'unsafe-inline'"])).toHaveLength(2);
  });

  it('script-src governs scripts, else default-src', () => {
    expect(scriptSources(parseCsp(["default-src 'none'; script-src 'self'"])[0]!)).toEqual(["'self'"]);
    expect(scriptSources(parseCsp(["default-src 'none'"])[0]!)).toEqual(["'none'"]);
    expect(scriptSources(parseCsp(["frame-ancestors 'none'"])[0]!)).toBeUndefined();
  });

  it("ignores 'unsafe-inline' next to a nonce, hash or 'strict-dynamic' (as browsers do)", () => {
    expect(unsafeScriptSources(["'self'", "'unsafe-inline'"]).inline).toBe(true);
    expect(unsafeScriptSources(["'unsafe-inline'", "'nonce-abc'"]).inline).toBe(false);
    expect(unsafeScriptSources(["'unsafe-inline'", "'sha256-abc='"]).inline).toBe(false);
    expect(unsafeScriptSources(["'unsafe-inline'", "'strict-dynamic'"]).inline).toBe(false);
    expect(unsafeScriptSources(['*', 'https:', "'self'"]).wildcard).toEqual(['*', 'https:']);
  });

  it('never throws and every directive name is lower case', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (values) => {
        for (const p of parseCsp(values)) for (const k of p.keys()) expect(k).toBe(k.toLowerCase());
      }),
    );
  });
});

describe('list headers', () => {
  it('tokens are trimmed and lower-cased; Cache-Control directives lose their values', () => {
    expect(listTokens(' Origin ,Accept-Encoding,, ')).toEqual(['origin', 'accept-encoding']);
    expect(listTokens(undefined)).toEqual([]);
    expect([...cacheDirectives('private, max-age=0, No-Store')]).toEqual(['private', 'max-age', 'no-store']);
  });
});
