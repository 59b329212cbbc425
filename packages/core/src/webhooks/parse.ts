import type { SecurityError } from '../errors.js';
import { fail, ok, type Result } from '../verdict.js';
import { decodeHex } from '../bytes/index.js';
import { decodeBase64Strict, decodeSignature, type SignatureEncoding } from './encoding.js';
import { WEBHOOK_ERRORS } from './errors.js';

/** One signature presented by the sender, decoded. `version` is the scheme's label (`v1`, `v1a`, `sha256`…). */
export interface PresentedSignature {
  readonly version: string;
  readonly bytes: Uint8Array;
}

/** A parsed signature header (Stripe's also carries its `t=`). */
export interface SignatureHeader {
  readonly signatures: readonly PresentedSignature[];
  readonly timestamp?: string;
}

/**
 * A parsed signature header, or why it was refused: `WEBHOOK_SIGNATURE_MALFORMED` or
 * `WEBHOOK_TOO_MANY_SIGNATURES`, with the operator detail.
 */
export type ParsedSignatures = Result<SignatureHeader>;

const VERSION = /^v[0-9a-z]{1,8}$/;
const TIMESTAMP = /^\d{1,10}$/;
const STRIPE_KEY = /^[a-z][a-z0-9]{0,7}$/;

function malformed(detail: string): { ok: false; error: SecurityError } {
  return fail(WEBHOOK_ERRORS.signatureMalformed.withDetail(detail));
}

function tooMany(max: number, length?: number): { ok: false; error: SecurityError } {
  const detail =
    length === undefined
      ? `more than ${max} signatures in one header`
      : `header is ${length} characters, more than ${max} signatures can take`;
  return fail(WEBHOOK_ERRORS.tooManySignatures.withDetail(detail));
}

/** Longest entry accepted in a signature list: a v1a entry is 92 characters, a Stripe v1 item 67. */
const MAX_ENTRY = 128;

/**
 * Split on `separator` into at most `max + 1` parts, never scanning or allocating beyond that: a header
 * stuffed with thousands of entries costs as much as one with `max + 1`.
 */
function splitCapped(header: string, separator: string, max: number): string[] {
  const parts: string[] = [];
  let start = 0;
  while (parts.length <= max) {
    const next = header.indexOf(separator, start);
    if (next === -1) {
      parts.push(header.slice(start));
      break;
    }
    parts.push(header.slice(start, next));
    start = next + 1;
  }
  return parts;
}

/**
 * Parse a timestamp header: `^\d{1,10}$` seconds since the epoch, nothing else (no sign, no decimals, no
 * exponent, no milliseconds). `undefined` when it does not match.
 *
 * @example
 * parseTimestamp('1614265330') // 1614265330
 * parseTimestamp('1.6e9')      // undefined
 */
export function parseTimestamp(value: string): number | undefined {
  return TIMESTAMP.test(value) ? Number(value) : undefined;
}

/**
 * Parse a Standard Webhooks `webhook-signature` header: space-separated `version,base64` entries.
 * `v1` must decode to 32 bytes (HMAC-SHA256), `v1a` to 64 bytes (Ed25519); other versions are kept
 * undecoded-checked only (the spec says to ignore versions you do not know). More than `max` entries is
 * refused before anything is decoded.
 *
 * @example
 * parseStandardSignatures('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=', 10)
 */
export function parseStandardSignatures(header: string, max: number): ParsedSignatures {
  if (header.length > max * (MAX_ENTRY + 1)) return tooMany(max, header.length);
  const entries = splitCapped(header, ' ', max);
  if (entries.length > max) return tooMany(max);
  const signatures: PresentedSignature[] = [];
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma === -1) return malformed('a webhook-signature entry has no "version," prefix');
    const version = entry.slice(0, comma);
    const value = entry.slice(comma + 1);
    if (!VERSION.test(version)) return malformed('a webhook-signature entry has an invalid version label');
    if (version !== 'v1' && version !== 'v1a') {
      if (value === '' || value.includes(',')) return malformed('a webhook-signature entry is empty');
      continue;
    }
    const bytes = decodeBase64Strict(value);
    const want = version === 'v1' ? 32 : 64;
    if (bytes === undefined) return malformed(`a ${version} signature is not canonical base64`);
    if (bytes.length !== want)
      return malformed(`a ${version} signature is ${bytes.length} bytes, not ${want}`);
    signatures.push({ version, bytes });
  }
  return ok({ signatures });
}

/**
 * Parse a `Stripe-Signature` header: comma-separated `key=value` items, exactly one `t=<timestamp>`, and
 * `v1=<64 lowercase hex>` signatures (other schemes such as `v0` are ignored but counted).
 *
 * @example
 * parseStripeSignature('t=1614265330,v1=5257a869…', 10)
 */
export function parseStripeSignature(header: string, max: number): ParsedSignatures {
  if (header.length > (max + 1) * (MAX_ENTRY + 1)) return tooMany(max, header.length);
  const items = splitCapped(header, ',', max + 1);
  if (items.length > max + 1) return tooMany(max);
  let timestamp: string | undefined;
  const signatures: PresentedSignature[] = [];
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq === -1) return malformed('a Stripe-Signature item is not key=value');
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    if (!STRIPE_KEY.test(key)) return malformed('a Stripe-Signature item has an invalid key');
    if (key === 't') {
      if (timestamp !== undefined) return malformed('Stripe-Signature has more than one t=');
      timestamp = value;
    } else if (key === 'v1') {
      const bytes = decodeHex(value);
      if (bytes === undefined || bytes.length !== 32) {
        return malformed('a v1 signature is not 64 lowercase hex digits');
      }
      signatures.push({ version: 'v1', bytes });
    } else if (value === '') {
      return malformed('a Stripe-Signature item is empty');
    }
  }
  if (timestamp === undefined) return malformed('Stripe-Signature has no t=');
  if (signatures.length === 0) return malformed('Stripe-Signature has no v1 signature');
  return ok({ signatures, timestamp });
}

/**
 * Parse a single `prefix` + encoded signature header, e.g. GitHub's `X-Hub-Signature-256: sha256=<hex>`.
 * The decoded signature must be exactly `length` bytes.
 *
 * @example
 * parseSingleSignature('sha256=757107ea…', 'sha256=', 'hex', 32)
 */
export function parseSingleSignature(
  header: string,
  prefix: string,
  encoding: SignatureEncoding,
  length: number,
): ParsedSignatures {
  if (!header.startsWith(prefix)) return malformed(`signature does not start with "${prefix}"`);
  const bytes = decodeSignature(encoding, header.slice(prefix.length));
  if (bytes === undefined) return malformed(`signature is not canonical ${encoding}`);
  if (bytes.length !== length) return malformed(`signature is ${bytes.length} bytes, not ${length}`);
  return ok({ signatures: [{ version: prefix, bytes }] });
}
