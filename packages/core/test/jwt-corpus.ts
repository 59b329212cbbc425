import { sign } from 'node:crypto';
import {
  AUDIENCE,
  claims,
  HS_SECRET,
  ISSUER,
  type KeyPair,
  keyPair,
  signRaw,
  token,
} from './jwt-fixtures.js';

const b64 = (v: string) => Buffer.from(v).toString('base64url');

/** One attack (or edge) case: the token and the code bulwark must answer (`null` = accepted). */
export interface CorpusCase {
  readonly name: string;
  readonly token: string;
  readonly code: string | null;
}

export interface CorpusKeys {
  readonly rsa: KeyPair;
  readonly ec: KeyPair;
  readonly ed: KeyPair;
  readonly other: KeyPair;
}

export function corpusKeys(): CorpusKeys {
  return {
    rsa: keyPair('RS256', 'rsa-1'),
    ec: keyPair('ES256', 'ec-1'),
    ed: keyPair('EdDSA', 'ed-1'),
    other: keyPair('RS256', 'rsa-1'),
  };
}

/** The policy the corpus is judged under: RS256/ES256/EdDSA, at+jwt, 1 h max lifetime, 5 s tolerance. */
export function corpusPolicy(keys: CorpusKeys) {
  return {
    algorithms: ['RS256', 'ES256', 'EdDSA'] as const,
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: 'at+jwt',
    keys: [keys.rsa.publicJwk, keys.ec.publicJwk, keys.ed.publicJwk],
  };
}

/** Every attack of the issue's corpus, at `now` seconds. */
export function corpus(k: CorpusKeys, now: number): CorpusCase[] {
  const { rsa, ec, ed } = k;
  const rsHeader = { alg: 'RS256', kid: 'rsa-1', typ: 'at+jwt' };
  const withClaims = (extra: Record<string, unknown>, pair: KeyPair = rsa) => token(pair, now, extra);
  const good = withClaims({});
  const [gh, gp, gs] = good.split('.') as [string, string, string];
  const unsigned = (alg: string) =>
    `${b64(JSON.stringify({ alg, typ: 'at+jwt' }))}.${b64(JSON.stringify(claims(now)))}.`;
  const pemSecret = Buffer.from(rsa.publicPem);
  const jwkSecret = Buffer.from(JSON.stringify(rsa.publicJwk));
  return [
    { name: 'valid RS256', token: good, code: null },
    { name: 'valid ES256', token: withClaims({}, ec), code: null },
    { name: 'valid EdDSA', token: withClaims({}, ed), code: null },
    {
      name: 'aud array containing ours',
      token: withClaims({ aud: ['https://other', AUDIENCE] }),
      code: null,
    },
    { name: 'exp float in the future', token: withClaims({ exp: now + 60.5 }), code: null },
    ...['none', 'None', 'NONE', 'nOnE'].map((alg) => ({
      name: `alg ${alg}`,
      token: unsigned(alg),
      code: 'JWT_ALG_NOT_ALLOWED',
    })),
    { name: 'alg none with a signature', token: `${unsigned('none')}${gs}`, code: 'JWT_ALG_NOT_ALLOWED' },
    {
      name: 'HS256 keyed with the RSA public key PEM',
      token: signRaw('HS256', pemSecret, { ...rsHeader, alg: 'HS256' }, claims(now)),
      code: 'JWT_ALG_NOT_ALLOWED',
    },
    {
      name: 'HS384 keyed with the RSA public key JWK',
      token: signRaw('HS384', jwkSecret, { ...rsHeader, alg: 'HS384' }, claims(now)),
      code: 'JWT_ALG_NOT_ALLOWED',
    },
    {
      name: 'HS256 keyed with the EC public key',
      token: signRaw(
        'HS256',
        Buffer.from(ec.publicPem),
        { alg: 'HS256', kid: 'ec-1', typ: 'at+jwt' },
        claims(now),
      ),
      code: 'JWT_ALG_NOT_ALLOWED',
    },
    {
      name: 'HS256 keyed with a real secret, not allowed',
      token: signRaw('HS256', HS_SECRET, { alg: 'HS256', typ: 'at+jwt' }, claims(now)),
      code: 'JWT_ALG_NOT_ALLOWED',
    },
    {
      name: 'RS256 key used under ES256 header (kid of the RSA key)',
      token: signRaw('ES256', ec.privateKey, { alg: 'ES256', kid: 'rsa-1', typ: 'at+jwt' }, claims(now)),
      code: 'JWT_ALG_NOT_ALLOWED',
    },
    {
      name: 'kid with path traversal',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, kid: '../../../../dev/null' }, claims(now)),
      code: 'JWT_KEY_NOT_FOUND',
    },
    {
      name: 'kid with SQL',
      token: signRaw(
        'RS256',
        rsa.privateKey,
        { ...rsHeader, kid: "x' UNION SELECT 'secret' --" },
        claims(now),
      ),
      code: 'JWT_KEY_NOT_FOUND',
    },
    {
      name: 'kid not a string',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, kid: 1 }, claims(now)),
      code: 'JWT_MALFORMED',
    },
    {
      name: 'jwk header injection (attacker key)',
      token: signRaw('RS256', k.other.privateKey, { ...rsHeader, jwk: k.other.publicJwk }, claims(now)),
      code: 'JWT_SIGNATURE_INVALID',
    },
    {
      name: 'jku header injection',
      token: signRaw(
        'RS256',
        k.other.privateKey,
        { ...rsHeader, jku: 'https://attacker.example/jwks.json' },
        claims(now),
      ),
      code: 'JWT_SIGNATURE_INVALID',
    },
    {
      name: 'x5u header injection',
      token: signRaw(
        'RS256',
        k.other.privateKey,
        { ...rsHeader, x5u: 'https://attacker.example/cert.pem' },
        claims(now),
      ),
      code: 'JWT_SIGNATURE_INVALID',
    },
    {
      name: 'unknown crit',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, crit: ['exp-ext'], 'exp-ext': 1 }, claims(now)),
      code: 'JWT_CRIT_UNSUPPORTED',
    },
    {
      name: 'crit b64',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, crit: ['b64'], b64: false }, claims(now)),
      code: 'JWT_CRIT_UNSUPPORTED',
    },
    {
      name: 'id_token presented as access token (typ JWT)',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, typ: 'JWT' }, claims(now)),
      code: 'JWT_TYPE_INVALID',
    },
    {
      name: 'no typ',
      token: signRaw('RS256', rsa.privateKey, { alg: 'RS256', kid: 'rsa-1' }, claims(now)),
      code: 'JWT_TYPE_INVALID',
    },
    {
      name: 'typ application/at+jwt (accepted)',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, typ: 'application/AT+JWT' }, claims(now)),
      code: null,
    },
    {
      name: 'aud array not containing ours',
      token: withClaims({ aud: ['https://other', 'https://api.test/'] }),
      code: 'JWT_AUDIENCE_MISMATCH',
    },
    { name: 'aud missing', token: withClaims({ aud: undefined }), code: 'JWT_AUDIENCE_MISMATCH' },
    {
      name: 'iss of another issuer',
      token: withClaims({ iss: 'https://evil.test/' }),
      code: 'JWT_ISSUER_MISMATCH',
    },
    { name: 'exp as string', token: withClaims({ exp: String(now + 300) }), code: 'JWT_CLAIM_INVALID' },
    { name: 'exp missing', token: withClaims({ exp: undefined }), code: 'JWT_CLAIM_INVALID' },
    { name: 'exp null', token: withClaims({ exp: null }), code: 'JWT_CLAIM_INVALID' },
    { name: 'exp just past (beyond tolerance)', token: withClaims({ exp: now - 5 }), code: 'JWT_EXPIRED' },
    { name: 'exp float just past', token: withClaims({ exp: now - 5.5 }), code: 'JWT_EXPIRED' },
    {
      name: 'exp 1e999 (Infinity)',
      token: signRaw(
        'RS256',
        rsa.privateKey,
        rsHeader,
        JSON.stringify(claims(now)).replace(/"exp":\d+/, '"exp":1e999'),
      ),
      code: 'JWT_CLAIM_INVALID',
    },
    {
      name: 'exp far future (lifetime)',
      token: withClaims({ exp: now + 10 * 365 * 86400 }),
      code: 'JWT_LIFETIME_TOO_LONG',
    },
    {
      name: 'lifetime just over an hour',
      token: withClaims({ iat: now - 10, exp: now + 3591 }),
      code: 'JWT_LIFETIME_TOO_LONG',
    },
    { name: 'lifetime exactly an hour', token: withClaims({ iat: now - 10, exp: now + 3590 }), code: null },
    { name: 'nbf in the future', token: withClaims({ nbf: now + 60 }), code: 'JWT_NOT_YET_VALID' },
    { name: 'nbf within tolerance', token: withClaims({ nbf: now + 4 }), code: null },
    { name: 'nbf as string', token: withClaims({ nbf: String(now) }), code: 'JWT_CLAIM_INVALID' },
    {
      name: 'iat in the future',
      token: withClaims({ iat: now + 120, exp: now + 300 }),
      code: 'JWT_NOT_YET_VALID',
    },
    { name: 'iat as string', token: withClaims({ iat: String(now) }), code: 'JWT_CLAIM_INVALID' },
    { name: 'oversized token', token: `${gh}.${'A'.repeat(9000)}.${gs}`, code: 'JWT_TOO_LARGE' },
    {
      name: 'oversized header',
      token: `${b64(JSON.stringify({ ...rsHeader, x5c: ['A'.repeat(2000)] }))}.${gp}.${gs}`,
      code: 'JWT_TOO_LARGE',
    },
    { name: 'two parts', token: `${gh}.${gp}`, code: 'JWT_MALFORMED' },
    { name: 'four parts', token: `${good}.x`, code: 'JWT_MALFORMED' },
    { name: 'padding in base64url', token: `${gh}=.${gp}.${gs}`, code: 'JWT_MALFORMED' },
    {
      name: 'standard base64 alphabet in signature',
      token: `${gh}.${gp}.${gs.replaceAll('-', '+').replaceAll('_', '/')}${gs.includes('-') || gs.includes('_') ? '' : '+'}`,
      code: 'JWT_MALFORMED',
    },
    {
      name: 'non-canonical trailing bits in signature',
      token: `${gh}.${gp}.${gs.slice(0, -1)}${nonCanonical(gs)}`,
      code: 'JWT_MALFORMED',
    },
    { name: 'empty signature', token: `${gh}.${gp}.`, code: 'JWT_MALFORMED' },
    { name: 'header not JSON', token: `${b64('not json')}.${gp}.${gs}`, code: 'JWT_MALFORMED' },
    { name: 'header JSON array', token: `${b64('["RS256"]')}.${gp}.${gs}`, code: 'JWT_MALFORMED' },
    {
      name: 'duplicate alg in header',
      token: signRaw(
        'RS256',
        rsa.privateKey,
        '{"alg":"none","alg":"RS256","kid":"rsa-1","typ":"at+jwt"}',
        claims(now),
      ),
      code: 'JWT_MALFORMED',
    },
    {
      name: 'duplicate sub in payload',
      token: signRaw(
        'RS256',
        rsa.privateKey,
        rsHeader,
        JSON.stringify(claims(now)).replace(/^\{/, '{"sub":"admin",'),
      ),
      code: 'JWT_MALFORMED',
    },
    {
      name: 'payload not an object',
      token: signRaw('RS256', rsa.privateKey, rsHeader, '[1,2]'),
      code: 'JWT_MALFORMED',
    },
    {
      name: 'payload invalid UTF-8',
      token: `${gh}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${gs}`,
      code: 'JWT_MALFORMED',
    },
    {
      name: 'signature of another token',
      token: `${gh}.${withClaims({ sub: 'admin' }).split('.')[1]}.${gs}`,
      code: 'JWT_SIGNATURE_INVALID',
    },
    {
      name: 'signed by an unknown key with a known kid',
      token: token(k.other, now),
      code: 'JWT_SIGNATURE_INVALID',
    },
    { name: 'truncated signature', token: `${gh}.${gp}.${gs.slice(0, 40)}`, code: 'JWT_SIGNATURE_INVALID' },
    {
      name: 'ES256 signature in DER instead of raw',
      token: derSigned(ec, now),
      code: 'JWT_SIGNATURE_INVALID',
    },
    {
      name: 'unknown kid',
      token: signRaw('RS256', rsa.privateKey, { ...rsHeader, kid: 'rsa-2' }, claims(now)),
      code: 'JWT_KEY_NOT_FOUND',
    },
    {
      name: 'no kid, one key for the alg',
      token: signRaw('RS256', rsa.privateKey, { alg: 'RS256', typ: 'at+jwt' }, claims(now)),
      code: null,
    },
  ];
}

function nonCanonical(sig: string): string {
  // 256-byte signatures end in a character carrying 4 unused bits; flip one of them.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(sig.at(-1)!);
  return alphabet[last ^ 1]!;
}

function derSigned(ec: KeyPair, now: number): string {
  const h = b64(JSON.stringify({ alg: 'ES256', kid: 'ec-1', typ: 'at+jwt' }));
  const p = b64(JSON.stringify(claims(now)));
  return `${h}.${p}.${sign('sha256', Buffer.from(`${h}.${p}`), ec.privateKey).toString('base64url')}`;
}
