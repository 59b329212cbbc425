import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpus, type CorpusKeys, corpusKeys, corpusPolicy } from '../../test/jwt-corpus.js';
import { AUDIENCE, HS_SECRET, ISSUER, signRaw } from '../../test/jwt-fixtures.js';
import { decodeBase64Url } from '../encoding/base64url.js';
import { backend as webBackend } from './crypto-web.js';
import { hasDuplicateKeys } from './json.js';
import { createJwtVerifier, createJwtVerifierWith, type JwtVerifier } from './verifier.js';

/**
 * Differential test: bulwark's node path (and its WebCrypto path) against jose's `jwtVerify` with the same
 * policy. bulwark is stricter on purpose in a few documented ways (`stricterRules`); apart from those, the
 * accept/reject decision must be identical for every corpus token and every mutated token.
 */
const NOW = Math.floor(Date.now() / 1000);
let keys: CorpusKeys;
let ours: JwtVerifier;
let oursWeb: JwtVerifier;
let jwks: ReturnType<typeof createLocalJWKSet>;

beforeAll(() => {
  keys = corpusKeys();
  const policy = { ...corpusPolicy(keys), now: () => NOW * 1000 };
  ours = createJwtVerifier(policy);
  oursWeb = createJwtVerifierWith(policy, webBackend);
  jwks = createLocalJWKSet({ keys: policy.keys });
});

async function joseAccepts(token: string): Promise<boolean> {
  try {
    await jwtVerify(token, jwks, {
      algorithms: ['RS256', 'ES256', 'EdDSA'],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      clockTolerance: 5,
      requiredClaims: ['exp'],
      currentDate: new Date(NOW * 1000),
    });
    return true;
  } catch {
    return false;
  }
}

const canonical = (part: string) => part !== '' && decodeBase64Url(part) !== undefined;
const text = (part: string) => Buffer.from(part, 'base64url').toString('utf8');

/** The rules bulwark adds on top of jose; true when the token passes them all. */
function stricterRules(token: string): boolean {
  const parts = token.split('.');
  if (token.length > 8192 || parts.length !== 3 || parts[0]!.length > 1024) return false;
  if (!parts.every(canonical)) return false; // one encoding per byte string
  if (hasDuplicateKeys(text(parts[0]!)) || hasDuplicateKeys(text(parts[1]!))) return false;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(text(parts[1]!));
  } catch {
    return true;
  }
  if (typeof claims !== 'object' || claims === null) return true;
  const { exp, iat, aud } = claims as { exp: unknown; iat: unknown; aud: unknown };
  if (typeof exp === 'number' && !Number.isFinite(exp)) return false; // 1e999
  if (typeof iat === 'number' && iat > NOW + 5) return false; // issued in the future
  if (typeof exp === 'number' && exp - (typeof iat === 'number' ? iat : NOW) > 3600) return false; // lifetime
  if (Array.isArray(aud) && aud.some((a) => typeof a !== 'string')) return false;
  const { sub, jti } = claims as { sub: unknown; jti: unknown };
  if ((sub !== undefined && typeof sub !== 'string') || (jti !== undefined && typeof jti !== 'string'))
    return false;
  return true;
}

async function compare(token: string): Promise<boolean> {
  const expected = (await joseAccepts(token)) && stricterRules(token);
  const node = (await ours.verifyToken(token)).ok;
  const web = (await oursWeb.verifyToken(token)).ok;
  expect({ token, node, web }).toEqual({ token, node: expected, web: expected });
  return expected;
}

const timeClaim = fc.oneof(
  fc.integer({ min: NOW - 7200, max: NOW + 7200 }),
  fc.integer({ min: NOW - 60, max: NOW + 600 }),
  fc.double({ min: NOW - 100, max: NOW + 100, noNaN: true }),
  fc.constantFrom(undefined, null, '1', String(NOW + 60), 0, -1, 1e300, NOW - 5, NOW + 5, NOW + 6),
);

describe('differential: bulwark vs jose jwtVerify', () => {
  it('agrees on every corpus token', async () => {
    for (const c of corpus(keys, NOW)) await compare(c.token);
  });

  it('agrees on tokens with random claims and headers, properly signed (property)', async () => {
    const randomHeader = fc.record(
      {
        alg: fc.constantFrom('RS256', 'ES256', 'EdDSA', 'PS256', 'HS256', 'none', 'RS512'),
        kid: fc.constantFrom('rsa-1', 'ec-1', 'ed-1', 'nope', 1, undefined),
        typ: fc.constantFrom('at+jwt', 'application/at+jwt', 'AT+JWT', 'JWT', 'at+JWT ', undefined),
        crit: fc.constantFrom(undefined, ['b64'], ['x'], []),
      },
      { requiredKeys: ['alg'] },
    );
    // Mostly headers that should pass, so the claims rules are what gets compared.
    const validHeader = fc
      .constantFrom(['RS256', 'rsa-1'], ['ES256', 'ec-1'], ['EdDSA', 'ed-1'], ['RS256', undefined])
      .map(([alg, kid]) => ({ alg: alg!, typ: 'at+jwt', ...(kid === undefined ? {} : { kid }) }));
    const header = fc.oneof({ weight: 4, arbitrary: validHeader }, { weight: 1, arbitrary: randomHeader });
    const pick = <T>(good: T, ...others: T[]) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constant(good) },
        { weight: 1, arbitrary: fc.constantFrom(...others) },
      );
    const claims = fc.record(
      {
        iss: pick<unknown>(ISSUER, 'https://other.test/', undefined, 1),
        aud: pick<unknown>(AUDIENCE, [AUDIENCE], ['x', AUDIENCE], ['x'], [1, AUDIENCE], undefined, ''),
        exp: timeClaim,
        nbf: fc.oneof(fc.constant(undefined), timeClaim),
        iat: fc.oneof(fc.constant(undefined), timeClaim),
        sub: pick<unknown>('u', undefined, { $ne: null }, 1),
      },
      { requiredKeys: [] },
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(header, claims, async (h, c) => {
        const alg = h.alg;
        const key =
          alg === 'ES256'
            ? keys.ec.privateKey
            : alg === 'EdDSA'
              ? keys.ed.privateKey
              : alg.startsWith('HS')
                ? HS_SECRET
                : keys.rsa.privateKey;
        const token =
          alg === 'none'
            ? `${Buffer.from(JSON.stringify(h)).toString('base64url')}.${Buffer.from(JSON.stringify(c)).toString('base64url')}.`
            : signRaw(alg, key, h, c);
        if (await compare(token)) accepted++;
      }),
      { numRuns: 600 },
    );
    // The generator must reach the accept side often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(20);
  });

  it('agrees on mutated valid tokens (property)', async () => {
    const base = corpus(keys, NOW)
      .filter((c) => c.code === null)
      .map((c) => c.token);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...base),
        fc.array(
          fc.tuple(fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom('replace', 'insert', 'delete')),
          { minLength: 1, maxLength: 3 },
        ),
        async (token, edits) => {
          let t = token;
          for (const [pos, ch, op] of edits) {
            const i = pos % (t.length + 1);
            t =
              op === 'replace'
                ? t.slice(0, i) + ch + t.slice(i + 1)
                : op === 'insert'
                  ? t.slice(0, i) + ch + t.slice(i)
                  : t.slice(0, i) + t.slice(i + 1);
          }
          await compare(t);
        },
      ),
      { numRuns: 400 },
    );
  });
});
