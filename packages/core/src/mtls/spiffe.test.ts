import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSpiffeId, parseTrustDomain, SPIFFE_ID_MAX_BYTES, spiffePathProblem } from './spiffe.js';

const reason = (input: string): string => {
  const r = parseSpiffeId(input);
  if (r.ok) throw new Error(`${input} was accepted`);
  return r.error;
};

const tdChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-_'.split(''));
const pathChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_'.split(''),
);
const trustDomain = fc.string({ unit: tdChar, minLength: 1, maxLength: 40 });
const segment = fc
  .string({ unit: pathChar, minLength: 1, maxLength: 20 })
  .filter((s) => s !== '.' && s !== '..');
const path = fc.array(segment, { maxLength: 6 }).map((s) => s.map((x) => `/${x}`).join(''));
const validId = fc.tuple(trustDomain, path).map(([td, p]) => `spiffe://${td}${p}`);

describe('parseSpiffeId', () => {
  it('accepts well-formed IDs and splits them', () => {
    const r = parseSpiffeId('spiffe://corp.example.com/ns/billing/sa/api');
    expect(r).toEqual({
      ok: true,
      value: {
        id: 'spiffe://corp.example.com/ns/billing/sa/api',
        trustDomain: 'corp.example.com',
        path: '/ns/billing/sa/api',
      },
    });
    expect(parseSpiffeId('spiffe://corp.example.com').ok).toBe(true);
    expect(parseSpiffeId('spiffe://a_b-c.d/Mixed.Case_-/x..y/.hidden').ok).toBe(true);
  });

  it('refuses every bad input from the issue, with a precise reason', () => {
    expect(reason('SPIFFE://corp.example.com/a')).toMatch(/lowercase spiffe/);
    expect(reason('Spiffe://corp.example.com/a')).toMatch(/lowercase spiffe/);
    expect(reason('https://corp.example.com/a')).toMatch(/scheme/);
    expect(reason('spiffe:/corp.example.com/a')).toMatch(/scheme/);
    expect(reason('spiffe://Corp.example.com/a')).toMatch(/lowercase/);
    expect(reason('spiffe://corp.example.com/%61dmin')).toMatch(/percent/);
    expect(reason('spiffe://corp.example.com/a/../admin')).toMatch(/\.\./);
    expect(reason('spiffe://corp.example.com/a/./admin')).toMatch(/\./);
    expect(reason('spiffe://corp.example.com//admin')).toMatch(/empty path segments/);
    expect(reason('spiffe://corp.example.com/ns/a/')).toMatch(/trailing/);
    expect(reason('spiffe://corp.example.com/')).toMatch(/trailing/);
    expect(reason('spiffe://corp.example.com:8443/a')).toMatch(/port/);
    expect(reason('spiffe://admin@corp.example.com/a')).toMatch(/userinfo/);
    expect(reason('spiffe://corp.example.com/a?x=1')).toMatch(/query/);
    expect(reason('spiffe://corp.example.com/a#frag')).toMatch(/fragment/);
    expect(reason('spiffe://[::1]/a')).toMatch(/IP literal/);
    expect(reason('spiffe://[2001:db8::1]:443/a')).toMatch(/IP literal/);
    expect(reason('spiffe:///a')).toMatch(/empty/);
    expect(reason('spiffe://')).toMatch(/empty/);
    expect(reason('spiffe://corp.example.com/a b')).toMatch(/character/);
    expect(reason('spiffe://corp.example.com/é')).toMatch(/character/);
    expect(reason('spiffe://corp.exämple.com/a')).toMatch(/character/);
    expect(reason('spiffe://corp.example.com/a\\b')).toMatch(/character/);
    expect(reason(' spiffe://corp.example.com/a')).toMatch(/scheme/);
    expect(reason('')).toMatch(/scheme/);
  });

  it('refuses IDs over 2048 bytes and accepts exactly 2048', () => {
    const head = 'spiffe://corp.example.com/';
    const exact = head + 'a'.repeat(SPIFFE_ID_MAX_BYTES - head.length);
    expect(exact.length).toBe(2048);
    expect(parseSpiffeId(exact).ok).toBe(true);
    expect(reason(`${exact}b`)).toMatch(/2048/);
    expect(reason(`spiffe://${'a'.repeat(256)}/x`)).toMatch(/255/);
    expect(parseSpiffeId(`spiffe://${'a'.repeat(255)}/x`).ok).toBe(true);
  });

  it('keeps the trust domain apart from look-alikes', () => {
    const r = parseSpiffeId('spiffe://corp.example.com.evil/ns/X/sa/y');
    expect(r.ok && r.value.trustDomain).toBe('corp.example.com.evil');
  });

  it('property: every ID built from the grammar parses back to its parts', () => {
    fc.assert(
      fc.property(trustDomain, path, (td, p) => {
        const r = parseSpiffeId(`spiffe://${td}${p}`);
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.value.trustDomain).toBe(td);
          expect(r.value.path).toBe(p);
          expect(r.value.id).toBe(`spiffe://${td}${p}`);
        }
      }),
    );
  });

  it('property: arbitrary strings never throw, and accepted ones satisfy every rule', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `spiffe://${s}`),
          validId,
        ),
        (input) => {
          const r = parseSpiffeId(input);
          if (!r.ok) {
            expect(typeof r.error).toBe('string');
            return;
          }
          expect(input.length).toBeLessThanOrEqual(2048);
          expect(input).toMatch(/^spiffe:\/\/[a-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/);
          expect(r.value.path.split('/').some((s) => s === '.' || s === '..')).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: inserting a forbidden character into a valid ID makes it invalid', () => {
    const forbidden = fc.constantFrom('%', '?', '#', ':', '@', '[', ' ', '\u0000', 'A', '/', 'é', '\\');
    fc.assert(
      fc.property(validId, forbidden, fc.nat(), (id, bad, at) => {
        const td = id.indexOf('/', 9);
        const tdEnd = td === -1 ? id.length : td;
        // Insert inside the trust domain (where even 'A' and '/' at its start are refused).
        const pos = 9 + (at % (tdEnd - 9 + 1));
        const mutated = id.slice(0, pos) + bad + id.slice(pos);
        if (bad === '/' && pos !== 9) return; // a '/' inside the trust domain just moves the path start
        expect(parseSpiffeId(mutated).ok).toBe(false);
      }),
    );
  });

  it('property: a trailing slash, empty, dot or dot-dot segment is always refused', () => {
    fc.assert(
      fc.property(validId, fc.constantFrom('/', '//x', '/.', '/..', '/./x', '/../x'), (id, suffix) => {
        expect(parseSpiffeId(id + suffix).ok).toBe(false);
      }),
    );
  });
});

describe('parseTrustDomain and spiffePathProblem', () => {
  it('accepts bare and spiffe:// forms, refuses paths and bad names', () => {
    expect(parseTrustDomain('corp.example.com')).toEqual({ ok: true, value: 'corp.example.com' });
    expect(parseTrustDomain('spiffe://corp.example.com')).toEqual({ ok: true, value: 'corp.example.com' });
    expect(parseTrustDomain('spiffe://corp.example.com/ns').ok).toBe(false);
    expect(parseTrustDomain('Corp.example.com').ok).toBe(false);
    expect(parseTrustDomain('').ok).toBe(false);
    expect(spiffePathProblem('/ns/X')).toBeUndefined();
    expect(spiffePathProblem('')).toMatch(/empty/);
    expect(spiffePathProblem('/ns/X/')).toMatch(/trailing/);
    expect(spiffePathProblem('ns/X')).toMatch(/start/);
  });
});
