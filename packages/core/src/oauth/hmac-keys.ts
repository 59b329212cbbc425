import { refuseKeyAsSecret } from '../config/key-material.js';
import { ConfigError } from '../errors.js';

/** One secret or several (the first signs, all verify) so a secret can be rotated without logging users out. */
export type SecretInput = string | Uint8Array | readonly (string | Uint8Array)[];

/** HMAC keys derived from a {@link SecretInput} for one purpose. */
export interface HmacKeyRing {
  /** MAC with the first (current) key. */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** True when any key produced `mac` over `data`; WebCrypto's verify compares in constant time. */
  verify(data: Uint8Array, mac: Uint8Array): Promise<boolean>;
}

const encoder = new TextEncoder();
const MIN_SECRET_BYTES = 32;

/**
 * Check the secrets once and import them as HMAC-SHA256 keys. Each purpose gets its own key (HKDF with
 * the purpose as info), so a MAC made for a state parameter can never be replayed as a cookie MAC.
 *
 * @example
 * const keys = createHmacKeyRing('oauth.state.secret', process.env.STATE_SECRET, 'bulwark/oauth-state');
 */
export function createHmacKeyRing(option: string, input: SecretInput, purpose: string): HmacKeyRing {
  const list: readonly (string | Uint8Array)[] =
    typeof input === 'string' || input instanceof Uint8Array ? [input] : input;
  if (!Array.isArray(list) || list.length === 0 || list.length > 8) {
    throw new ConfigError(
      option,
      'must be one secret or a list of 1 to 8 secrets',
      'pass a random secret of 32+ bytes',
    );
  }
  const raws = list.map((secret, i) => {
    const path = list.length === 1 ? option : `${option}[${i}]`;
    refuseKeyAsSecret(path, secret, 'generate a random secret with `openssl rand -base64 32`');
    const bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
    if (!(bytes instanceof Uint8Array) || bytes.length < MIN_SECRET_BYTES) {
      throw new ConfigError(
        path,
        `is shorter than ${MIN_SECRET_BYTES} bytes`,
        'generate one with `openssl rand -base64 32`',
      );
    }
    return Uint8Array.from(bytes);
  });
  const info = encoder.encode(purpose);
  let keys: Promise<CryptoKey[]> | undefined;
  const load = (): Promise<CryptoKey[]> => {
    keys ??= Promise.all(raws.map((raw) => deriveKey(raw, info)));
    return keys;
  };
  return {
    async sign(data) {
      const [current] = await load();
      return new Uint8Array(await crypto.subtle.sign('HMAC', current!, data as BufferSource));
    },
    async verify(data, mac) {
      let ok = false;
      // Every key is tried, whichever matches, so timing does not reveal which key signed.
      for (const key of await load()) {
        if (await crypto.subtle.verify('HMAC', key, mac as BufferSource, data as BufferSource)) ok = true;
      }
      return ok;
    },
  };
}

async function deriveKey(raw: Uint8Array, info: Uint8Array): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', raw as BufferSource, 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(32), info: info as BufferSource },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
}
