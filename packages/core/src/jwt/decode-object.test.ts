import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64UrlText } from '../encoding/base64url.js';
import { rs256HeaderPolicy } from '../../test/jwt-fixtures.js';
import { parseCompact, parsePayload } from './compact.js';
import { cryptoBackend } from './crypto-backend.js';
import { backend as web } from './crypto-web.js';
import { hasDuplicateKeys, hasDuplicateKeysInBytes, parseJsonObject } from './json.js';

// Session 7's RS256 shortcuts (issue 18): the claims' duplicate-member check on the decoded bytes, and the
// signing input handed to node:crypto as a reused view. Each must answer what the long way answers.

const b64 = (v: string | Uint8Array) => Buffer.from(v).toString('base64url');

/** The portable answer: strict decode to text, then parseJsonObject. */
function portable(part: string): Record<string, unknown> | 'text' | 'json' {
  const text = decodeBase64UrlText(part);
  return text === undefined ? 'text' : (parseJsonObject(text) ?? 'json');
}

/** JSON text of an object, sometimes with a member repeated, spaces around its colons, escaped names. */
const jsonText = fc
  .tuple(
    fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }),
    fc.string(),
    fc.jsonValue(),
    fc.constantFrom('', ' ', '\n\t ', '\r'),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([obj, k, v, space, repeat, escaped]) => {
    const body = JSON.stringify(obj).slice(1, -1);
    const name = escaped
      ? JSON.stringify(k).replace(/[a-z]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)
      : JSON.stringify(k);
    const extra = `${name}${space}:${space}${JSON.stringify(v) ?? 'null'}`;
    const members = repeat ? [extra, body, extra] : [extra, body];
    return `{${space}${members.filter((m) => m !== '').join(',')}${space}}`;
  });

describe('hasDuplicateKeysInBytes', () => {
  it('gives what hasDuplicateKeys gives on the text, over its UTF-8 bytes (property)', () => {
    fc.assert(
      fc.property(jsonText, fc.nat(64), (text, pad) => {
        const value = JSON.parse(text);
        // Bytes past `end` are another text's leftovers: a quote or colon there must not count.
        const bytes = Buffer.concat([Buffer.from(text), Buffer.from('"a":"b":'.repeat(pad))]);
        expect(hasDuplicateKeysInBytes(bytes, Buffer.byteLength(text), value)).toBe(
          hasDuplicateKeys(text, value),
        );
      }),
      { numRuns: 600 },
    );
  });
  it('finds repeats at any depth, escaped or not, and reads escaped quotes and backslashes as the text does', () => {
    const dup = (t: string) => hasDuplicateKeysInBytes(Buffer.from(t), Buffer.byteLength(t), JSON.parse(t));
    expect(dup('{"sub":"alice","sub":"admin"}')).toBe(true);
    expect(dup('{"sub":"alice","\\u0073ub":"admin"}')).toBe(true);
    expect(dup('{"a":{"b":1,"b":2}}')).toBe(true);
    expect(dup('{"a" : 1 ,\n"a"\t:2}')).toBe(true);
    expect(dup('{"a":[{"b":1},{"b":2}]}')).toBe(false);
    expect(dup('{"a":"\\"b\\":","b":1}')).toBe(false);
    expect(dup('{"a\\\\":1,"a":2}')).toBe(false);
    expect(dup('{"é✓":"\\"","é✓\\u0000":1}')).toBe(false);
  });
});

describe('node back end: decodeObject', () => {
  it('is what decodeText then parseJsonObject answer (property), and the verifier path uses it', () => {
    expect(typeof cryptoBackend.decodeObject).toBe('function');
    const bytes = fc.uint8Array({ maxLength: 80 }).map((b) => b64(b));
    fc.assert(
      fc.property(
        fc.oneof(
          jsonText.map((t) => b64(t)),
          bytes,
          fc.string(),
        ),
        (part) => {
          expect(cryptoBackend.decodeObject!(part)).toEqual(portable(part));
        },
      ),
      { numRuns: 600 },
    );
  });
  it('reads only the bytes of the part it decoded, after a longer one', () => {
    const long = b64(JSON.stringify({ a: 1, b: 'x'.repeat(300), c: [{ d: 1 }, { e: 2 }] }));
    const short = b64('{"z":1}');
    expect(cryptoBackend.decodeObject!(long)).toEqual(portable(long));
    expect(cryptoBackend.decodeObject!(short)).toEqual({ z: 1 });
    expect(cryptoBackend.decodeObject!(long)).toEqual(portable(long));
    expect(cryptoBackend.decodeObject!(b64('{"z":1,"z":2}'))).toBe('json');
  });
  it('refuses what parsePayload refuses, with the same details, in both back ends', () => {
    const cases = [
      b64('{"a":1,"a":2}'),
      b64('[1]'),
      b64('{"a":'),
      b64(Buffer.from([0x7b, 0xff, 0x7d])),
      `${b64('{"a":1}')}=`,
      'e30+',
      b64(JSON.stringify({ big: 'é'.repeat(5000), n: 1 })), // longer than the scratch buffer
      `${b64(JSON.stringify({ big: 'x'.repeat(9000) })).slice(0, -1)}.`,
    ];
    for (const part of cases) {
      const node = parsePayload(part, cryptoBackend);
      const webs = parsePayload(part, web);
      expect(node).toEqual(webs);
    }
    expect(parsePayload(b64('{"a":1,"a":2}'), cryptoBackend)).toEqual([
      expect.objectContaining({ code: 'JWT_MALFORMED' }),
      'payload is not a JSON object with unique members',
    ]);
    expect(parsePayload('e30+', cryptoBackend)).toEqual([
      expect.objectContaining({ code: 'JWT_MALFORMED' }),
      'payload is not canonical base64url UTF-8',
    ]);
  });
});

describe('node back end: the signing input as a reused view', () => {
  it('verifies inputs of alternating lengths against their own signatures only', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'RS256' };
    const key = await cryptoBackend.importPublicJwk(jwk, 'RS256');
    const inputs = ['a.b', 'aaaa.bbbbbbbb', 'a.c', 'aaaa.bbbbbbbb'.repeat(3)];
    const sigs = inputs.map((i) => new Uint8Array(sign('sha256', Buffer.from(i), privateKey)));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < inputs.length; i++) {
        for (let j = 0; j < inputs.length; j++)
          expect(cryptoBackend.verify('RS256', key, inputs[i]!, sigs[j]!)).toBe(i === j);
      }
    }
  });
});

describe('parseCompact: the headers met last', () => {
  it('are recognised by a slice compared with ===, not String.prototype.startsWith (~4x the cost in V8)', () => {
    const policy = rs256HeaderPolicy();
    const good = `${b64('{"alg":"RS256","kid":"k1"}')}.${b64('{"sub":"a"}')}.c2ln`;
    const none = `${b64('{"alg":"none"}')}.${b64('{}')}.`;
    const first = [parseCompact(good, policy, cryptoBackend), parseCompact(none, policy, cryptoBackend)];
    const startsWith = String.prototype.startsWith;
    let calls = 0;
    String.prototype.startsWith = function (this: string, ...args: Parameters<typeof startsWith>) {
      calls++;
      return startsWith.apply(this, args);
    };
    try {
      const accepted = parseCompact(good, policy, cryptoBackend);
      const refused = parseCompact(none, policy, cryptoBackend);
      const again = parseCompact(none, policy, cryptoBackend);
      expect(calls).toBe(0);
      expect(accepted).toEqual(first[0]);
      expect(refused).toEqual(first[1]);
      expect(again).toBe(refused);
      expect(policy.recentRefused?.failure).toBe(refused);
    } finally {
      String.prototype.startsWith = startsWith;
    }
  });
});
