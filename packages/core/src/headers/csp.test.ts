import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConfigError } from '../errors.js';
import { type CspOptions, compileCsp, NONCE } from './csp.js';
import { cspHash } from './csp-sources.js';

const none = new Set<string>();
const text = (o: CspOptions, endpoints = none) => compileCsp(o, 'csp', endpoints).parts.join('<N>');
function optionOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isConfigError(e)) return e.option;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('compileCsp', () => {
  it('serialises typed directives in order, kebab-cased', () => {
    expect(text({ directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } })).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(
      text({
        directives: {
          scriptSrc: ["'self'", 'https://cdn.example.com', "'strict-dynamic'"],
          imgSrc: ["'self'", 'data:'],
          upgradeInsecureRequests: true,
          sandbox: ['allow-scripts'],
        },
      }),
    ).toBe(
      "script-src 'self' https://cdn.example.com 'strict-dynamic'; img-src 'self' data:; upgrade-insecure-requests; sandbox allow-scripts",
    );
  });
  it('leaves a slot for the per-request nonce', () => {
    const c = compileCsp({ directives: { scriptSrc: ["'self'", NONCE], styleSrc: [NONCE] } }, 'csp', none);
    expect(c.parts).toEqual(["script-src 'self' ", '; style-src ', '']);
  });
  it('accepts computed hashes and report targets', async () => {
    const h = await cspHash('alert(1)');
    expect(h).toBe("'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='");
    expect(
      text({ directives: { scriptSrc: [h] }, reportUri: '/csp', reportTo: 'csp' }, new Set(['csp'])),
    ).toBe(`script-src ${h}; report-uri /csp; report-to csp`);
  });
  it('refuses unquoted keywords, nonces and hashes', () => {
    for (const bad of [
      'self',
      'none',
      'unsafe-inline',
      'strict-dynamic',
      'nonce-abc',
      'sha256-abc',
      'SELF',
    ]) {
      expect(optionOf(() => text({ directives: { imgSrc: [bad] } }))).toBe('csp.directives.imgSrc[0]');
    }
  });
  it('refuses separators, CR/LF, whitespace and non-Latin-1 in values', () => {
    for (const bad of [
      "'self';",
      'a.com,b.com',
      'a.com\r\nSet-Cookie: x=1',
      'a .com',
      'ex\u0101mple.com',
      '',
    ]) {
      expect(() => text({ directives: { imgSrc: [bad] } })).toThrow(/csp\.directives\.imgSrc\[0\]/);
    }
    expect(() => text({ directives: { defaultSrc: ["'self'"] }, reportUri: '/r; script-src *' })).toThrow(
      /reportUri/,
    );
  });
  it('refuses duplicate and unknown directives, empty lists and none with others', () => {
    expect(
      optionOf(() => text({ directives: { scriptSrc: ["'self'"], 'script-src': ["'none'"] } as never })),
    ).toBe('csp.directives.script-src');
    expect(() => text({ directives: { scriptSource: ["'self'"] } as never })).toThrow(/unknown directive/);
    expect(() => text({ directives: { reportUri: ['/x'] } as never })).toThrow(/reportUri/);
    expect(() => text({ directives: { imgSrc: [] } })).toThrow(/non-empty/);
    expect(() => text({ directives: {} })).toThrow(/empty/);
    expect(() => text({ directives: { imgSrc: ["'none'", "'self'"] } })).toThrow(/'none' combined/);
  });
  it("refuses 'unsafe-inline', 'unsafe-eval', * and bare schemes for scripts without the opt-in", () => {
    for (const bad of ["'unsafe-inline'", "'unsafe-eval'", '*', 'https:', 'data:']) {
      expect(() => text({ directives: { scriptSrc: ["'self'", bad] } })).toThrow(
        /dangerouslyAllowUnsafeScripts/,
      );
      expect(() => text({ directives: { defaultSrc: [bad] } })).toThrow(/defeats CSP/);
      expect(text({ directives: { scriptSrc: [bad] }, dangerouslyAllowUnsafeScripts: true })).toBe(
        `script-src ${bad}`,
      );
    }
    // default-src does not govern scripts once script-src is set.
    expect(text({ directives: { defaultSrc: ['https:'], scriptSrc: ["'self'"] } })).toBe(
      "default-src https:; script-src 'self'",
    );
    expect(text({ directives: { styleSrc: ["'unsafe-inline'"] } })).toBe("style-src 'unsafe-inline'");
  });
  it('refuses fixed nonces, bad hashes, nonces outside script/style, unknown keywords and endpoints', () => {
    expect(() => text({ directives: { scriptSrc: ["'nonce-abc'"] } })).toThrow(/fixed nonce/);
    expect(() => text({ directives: { scriptSrc: ["'sha256-abc='"] } })).toThrow(/not a valid sha256/);
    expect(() => text({ directives: { imgSrc: [NONCE] } })).toThrow(/no meaning/);
    expect(() => text({ directives: { scriptSrc: ["'selff'"] } })).toThrow(/not a CSP keyword/);
    expect(() => text({ directives: { scriptSrc: ["'SELF'"] } })).toThrow(/lowercase/);
    expect(() => text({ directives: { defaultSrc: ["'self'"] }, reportTo: 'nowhere' })).toThrow(/reportTo/);
    expect(() => text({ directives: { sandbox: ['scripts' as never] } })).toThrow(/sandbox/);
  });
  it('never emits a header that another directive or header could be smuggled into', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 4 }), (sources) => {
        let out: string;
        try {
          out = text({ directives: { imgSrc: sources } });
        } catch (e) {
          expect(isConfigError(e)).toBe(true);
          return;
        }
        expect(out.startsWith('img-src ')).toBe(true);
        expect(/[;,\r\n\0]|[^\x20-\xff]/.test(out)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
