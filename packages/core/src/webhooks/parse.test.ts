import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, decodeSignature, encodeSignature } from './encoding.js';
import {
  parseSingleSignature,
  parseStandardSignatures,
  parseStripeSignature,
  parseTimestamp,
} from './parse.js';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('encodings', () => {
  it('every encoding round-trips and agrees with node Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        for (const enc of ['hex', 'base64', 'base64url'] as const) {
          const text = encodeSignature(enc, b);
          expect(text).toBe(Buffer.from(b).toString(enc));
          if (b.length > 0) expect(decodeSignature(enc, text)).toEqual(b);
        }
      }),
    );
  });

  it('each byte string has exactly one accepted spelling (no decoder malleability)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'AZaz09+/=-_Ff'.split('')), maxLength: 16 }), (s) => {
        for (const enc of ['hex', 'base64', 'base64url'] as const) {
          const decoded = decodeSignature(enc, s);
          if (decoded !== undefined) expect(encodeSignature(enc, decoded)).toBe(s);
        }
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        decodeBase64Strict(s);
        decodeSignature('hex', s);
        decodeSignature('base64url', s);
      }),
    );
  });
});

describe('parseTimestamp', () => {
  it('accepts exactly ^\\d{1,10}$', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 14 }), (s) => {
        const t = parseTimestamp(s);
        if (/^\d{1,10}$/.test(s)) expect(t).toBe(Number(s));
        else expect(t).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999_999 }), (n) => parseTimestamp(String(n)) === n),
    );
  });
});

describe('parseStandardSignatures', () => {
  it('parses any list of valid v1 entries up to the cap, and refuses one more', () => {
    fc.assert(
      fc.property(fc.array(bytes32, { minLength: 1, maxLength: 12 }), (sigs) => {
        const header = sigs.map((s) => `v1,${b64(s)}`).join(' ');
        const parsed = parseStandardSignatures(header, 10);
        if (sigs.length > 10) {
          expect(parsed).toMatchObject({ ok: false, error: { code: 'WEBHOOK_TOO_MANY_SIGNATURES' } });
        } else {
          expect(parsed.ok).toBe(true);
          if (parsed.ok) expect(parsed.value.signatures.map((s) => s.bytes)).toEqual(sigs);
        }
      }),
    );
  });

  it('never throws and only returns 32-byte v1 / 64-byte v1a signatures', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        const parsed = parseStandardSignatures(header, 10);
        if (parsed.ok) {
          for (const s of parsed.value.signatures) expect(s.bytes.length).toBe(s.version === 'v1' ? 32 : 64);
        }
      }),
    );
  });

  it('refuses an oversize header before splitting it, whatever it holds', () => {
    expect(parseStandardSignatures(`v2,${'A'.repeat(5000)}`, 10)).toMatchObject({
      ok: false,
      error: { code: 'WEBHOOK_TOO_MANY_SIGNATURES' },
    });
    expect(parseStripeSignature(`t=1,v0=${'a'.repeat(5000)}`, 10)).toMatchObject({
      ok: false,
      error: { code: 'WEBHOOK_TOO_MANY_SIGNATURES' },
    });
  });

  it('refuses a v1 entry of any other length', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 64 }).filter((b) => b.length !== 32),
        (b) => {
          expect(parseStandardSignatures(`v1,${b64(b)}`, 10)).toMatchObject({
            ok: false,
            error: { code: 'WEBHOOK_SIGNATURE_MALFORMED' },
          });
        },
      ),
    );
  });
});

describe('parseStripeSignature', () => {
  it('parses t plus any number of v1 and v0 items up to the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9_999_999_999 }),
        fc.array(bytes32, { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.array(fc.nat(), { minLength: 7, maxLength: 7 }),
        (t, sigs, withV0, order) => {
          const items = [`t=${t}`, ...sigs.map((s) => `v1=${hex(s)}`)];
          if (withV0) items.push(`v0=${hex(sigs[0]!)}`);
          // Item order is not significant: shuffle by the generated keys.
          const shuffled = items.map((item, i) => [order[i]!, item] as const).sort((a, b) => a[0] - b[0]);
          const parsed = parseStripeSignature(shuffled.map(([, item]) => item).join(','), 10);
          expect(parsed.ok).toBe(true);
          if (parsed.ok) {
            expect(parsed.value.timestamp).toBe(String(t));
            expect(parsed.value.signatures).toHaveLength(sigs.length);
          }
        },
      ),
    );
  });

  it('never throws; a parse always has one t and 32-byte signatures', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (header) => {
        const parsed = parseStripeSignature(header, 10);
        if (parsed.ok) {
          expect(parsed.value.timestamp).toBeDefined();
          for (const s of parsed.value.signatures) expect(s.bytes.length).toBe(32);
        }
      }),
    );
  });
});

describe('parseSingleSignature (GitHub)', () => {
  it('accepts exactly sha256= + 64 lowercase hex', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (tail) => {
        const parsed = parseSingleSignature(`sha256=${tail}`, 'sha256=', 'hex', 32);
        expect(parsed.ok).toBe(/^[0-9a-f]{64}$/.test(tail));
      }),
    );
    fc.assert(
      fc.property(bytes32, (b) => {
        const parsed = parseSingleSignature(`sha256=${hex(b)}`, 'sha256=', 'hex', 32);
        expect(parsed.ok && parsed.value.signatures[0]!.bytes).toEqual(b);
      }),
    );
  });
});
