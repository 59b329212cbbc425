import { randomBytes } from '../bytes/index.js';
import { encodeBase64 as base64 } from '../encoding/base64url.js';
import { ConfigError } from '../errors.js';
import type { CspHashSource } from './csp.js';

const NONCE_BYTES = 16;

/**
 * A fresh CSP nonce: 128 bits from the platform CSPRNG (`crypto.getRandomValues`), base64.
 *
 * @example
 * const nonce = createNonce(); // e.g. 'q3Jv7m0T2m3lD3aZl6bXhQ=='
 */
export function createNonce(): string {
  return base64(randomBytes(NONCE_BYTES));
}

/**
 * The CSP hash source of an inline `<script>` or `<style>` body, exactly as it appears between the tags
 * (whitespace included). WebCrypto digests are async, so compute hashes once at startup and pass them
 * to `createSecurityHeaders` in `scriptSrc`/`styleSrc`; nothing is hashed per request.
 *
 * @example
 * const h = await cspHash("console.log('hi')"); // "'sha256-…'"
 * createSecurityHeaders({ preset: 'web', csp: { directives: { scriptSrc: ["'self'", h] } } });
 */
export async function cspHash(
  source: string,
  algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): Promise<CspHashSource> {
  if (typeof source !== 'string')
    throw new ConfigError('headers.cspHash.source', 'must be a string', 'pass the inline script text');
  const name =
    algorithm === 'sha256'
      ? 'SHA-256'
      : algorithm === 'sha384'
        ? 'SHA-384'
        : algorithm === 'sha512'
          ? 'SHA-512'
          : undefined;
  if (name === undefined)
    throw new ConfigError(
      'headers.cspHash.algorithm',
      `'${String(algorithm)}' is not a CSP hash`,
      "use 'sha256', 'sha384' or 'sha512'",
    );
  const digest = new Uint8Array(await crypto.subtle.digest(name, new TextEncoder().encode(source)));
  return `'${algorithm}-${base64(digest)}'`;
}
