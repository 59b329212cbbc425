import { decodeBase64Url } from '../encoding/base64url.js';
import { ConfigError } from '../errors.js';
import { DerError, DerReader, TAG } from '../mtls/der.js';

const CONTEXT_0 = 0xa0;
const CONTEXT_1 = 0xa1;
const latin1 = new TextDecoder('latin1');

/**
 * The kind of DER key structure `bytes` is, or undefined. Only whole, strict DER values of the shapes
 * keys and certificates have: a random secret matches one by chance with negligible probability.
 */
function derKeyKind(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8 || bytes[0] !== TAG.sequence) return undefined;
  try {
    const top = new DerReader(bytes);
    const outer = top.next(TAG.sequence);
    top.finish();
    const seq = top.enter(outer);
    const tags: number[] = [];
    const firstOid: boolean[] = [];
    while (!seq.done) {
      const el = seq.next();
      tags.push(el.tag);
      let oid = false;
      if (el.tag === TAG.sequence) {
        const inner = seq.enter(el);
        oid = !inner.done && inner.peekTag() === TAG.oid;
      }
      firstOid.push(oid);
    }
    const is = (...want: number[]) => want.length === tags.length && want.every((t, i) => tags[i] === t);
    if (is(TAG.sequence, TAG.bitString) && firstOid[0]) return 'a DER SubjectPublicKeyInfo (public key)';
    if (is(TAG.sequence, TAG.sequence, TAG.bitString) && firstOid[1]) return 'a DER X.509 certificate';
    if (is(TAG.integer, TAG.integer)) return 'a DER PKCS#1 RSA public key';
    if (tags.length >= 9 && tags.every((t) => t === TAG.integer)) return 'a DER PKCS#1 RSA private key';
    if (tags.length >= 3 && tags[0] === TAG.integer && tags[1] === TAG.sequence && firstOid[1]) {
      if (tags[2] === TAG.octetString) return 'a DER PKCS#8 private key';
    }
    if (
      tags.length >= 2 &&
      tags.length <= 4 &&
      tags[0] === TAG.integer &&
      tags[1] === TAG.octetString &&
      tags.slice(2).every((t) => t === CONTEXT_0 || t === CONTEXT_1)
    ) {
      return 'a DER SEC1 EC private key';
    }
  } catch (err) {
    if (!(err instanceof DerError)) throw err;
  }
  return undefined;
}

const HEX = '0123456789abcdefABCDEF';
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Bytes of a base64, base64url or hex text (whitespace ignored), or undefined when it is none of them.
 * Plain loops, no regex: this reads whatever was pasted into a secret option, of any length.
 */
function decodeText(text: string): Uint8Array | undefined {
  let compact = '';
  for (const c of text) if (!isSpace(c)) compact += c;
  if (compact.length < 12) return undefined;
  let hex = compact.length % 2 === 0;
  for (let i = 0; hex && i < compact.length; i++) hex = HEX.includes(compact[i]!);
  if (hex) {
    const out = new Uint8Array(compact.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(compact.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  let end = compact.length;
  while (end > 0 && compact[end - 1] === '=') end--;
  // Either alphabet, padded or not: what matters is whether the bytes underneath are a key.
  return decodeBase64Url(compact.slice(0, end).replaceAll('+', '-').replaceAll('/', '_'));
}

/** What kind of key text `text` is (PEM, JWK JSON), or undefined. */
function textKeyKind(text: string): string | undefined {
  if (text.startsWith('whpk_')) return 'a Standard Webhooks public key (whpk_)';
  if (text.includes('-----BEGIN')) return 'a PEM block (key or certificate)';
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const json: unknown = JSON.parse(trimmed);
      if (typeof json === 'object' && json !== null && ('kty' in json || 'keys' in json)) return 'a JWK';
    } catch {
      // Not JSON; the pattern below still catches a JWK with a syntax slip.
    }
    if (trimmed.includes('"kty"')) return 'a JWK';
  }
  return undefined;
}

/**
 * What kind of key or certificate `value` is, in any encoding a person might paste into a secret option:
 * PEM, JWK JSON (text or object), DER (SPKI, PKCS#1, PKCS#8, SEC1, X.509), base64/base64url/hex of DER or
 * of a JWK, a node KeyObject or a WebCrypto CryptoKey. Undefined for anything else (a real secret).
 *
 * @example
 * keyMaterialKind(publicKey.export({ format: 'der', type: 'spki' })) // 'a DER SubjectPublicKeyInfo (public key)'
 */
export function keyMaterialKind(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const o = value as Record<string, unknown>;
    if (typeof o.type === 'string' && (typeof o.export === 'function' || 'algorithm' in o)) {
      return `a ${o.type} key object`;
    }
    if ('kty' in o || 'keys' in o) return 'a JWK';
    return undefined;
  }
  let bytes: Uint8Array;
  let text: string;
  if (typeof value === 'string') {
    text = value;
    bytes = new TextEncoder().encode(value);
  } else if (value instanceof Uint8Array) {
    bytes = value;
    text = latin1.decode(value);
  } else {
    return undefined;
  }
  const der = derKeyKind(bytes);
  if (der !== undefined) return der;
  const kind = textKeyKind(text);
  if (kind !== undefined) return kind;
  if (depth > 0) return undefined;
  // Standard Webhooks and Stripe wrap their secrets as whsec_<base64>: look underneath the prefix too.
  const decoded = decodeText(text.startsWith('whsec_') ? text.slice(6) : text);
  if (decoded === undefined) return undefined;
  const inner = keyMaterialKind(decoded, depth + 1);
  return inner === undefined ? undefined : `${inner}, base64/hex encoded`;
}

/**
 * Refuse key material given where an HMAC secret belongs. A public key as HMAC secret is the
 * algorithm-confusion forgery built into the configuration: whoever holds the (public) key can sign.
 *
 * @example
 * refuseKeyAsSecret('jwt.secret', options.secret, 'verify RS/ES/EdDSA tokens with keys or jwksUri');
 */
export function refuseKeyAsSecret(option: string, value: unknown, alternative: string): void {
  const kind = keyMaterialKind(value);
  if (kind === undefined) return;
  throw new ConfigError(
    option,
    `is ${kind}; a key used as an HMAC secret lets whoever holds the (public) key sign`,
    alternative,
  );
}
