import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { decodeBase64Url, encodeBase64Url } from '../encoding/base64url.js';
import { createHmacKeyRing, type SecretInput } from '../oauth/hmac-keys.js';

/** Server-provided nonces (RFC 9449 §9): stateless, so every instance sharing the secret agrees. */
export interface DpopNonceOptions {
  /**
   * HMAC secret of 32+ random bytes, the same on every instance; a list rotates it (the first mints, all
   * verify).
   */
  secret: SecretInput;
  /** A new nonce every this many seconds; each is accepted for up to two periods. Default 120. */
  rotationSeconds?: number;
}

/** How a presented nonce stands. */
export type NonceStatus = 'current' | 'previous' | 'invalid';

/** Mints and checks nonces. */
export interface NonceIssuer {
  /** The nonce of the current period. */
  current(): Promise<string>;
  /** `current` (or the next period's, minted by an instance whose clock is ahead), `previous`, or `invalid`. */
  check(nonce: unknown): Promise<NonceStatus>;
}

const NONCE_KEYS = optionKeys<DpopNonceOptions>()('secret', 'rotationSeconds');
const encoder = new TextEncoder();
/** A period number in base 36 (at most 11 digits until the year 5000 at 1 s periods), a dot, a MAC. */
const SHAPE = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/;

/**
 * Build the nonce issuer. A nonce is `<period>.<HMAC(period)>`: it says which rotation period minted it and
 * proves a server holding the secret did, so no instance stores anything and any instance checks any
 * other's nonce. The nonce of the current and of the previous period are accepted (one a client just got
 * keeps working across a rotation), as is the next period's (an instance whose clock runs slightly ahead).
 * Nothing else is: a proof pre-generated with an older nonce is refused, which is the point (RFC 9449
 * §11.2).
 *
 * @example
 * const nonces = createNonceIssuer('dpop.nonce', { secret: process.env.DPOP_NONCE_SECRET! }, Date.now);
 * const nonce = await nonces.current();
 */
export function createNonceIssuer(option: string, options: DpopNonceOptions, now: () => number): NonceIssuer {
  const o = checkOptions(option, options, NONCE_KEYS) as unknown as DpopNonceOptions;
  const periodMs =
    numberOption(`${option}.rotationSeconds`, o.rotationSeconds, { min: 5, max: 86_400, fallback: 120 }) *
    1000;
  const keys = createHmacKeyRing(`${option}.secret`, o.secret, 'bulwark/dpop-nonce/v1');
  // The current key's nonce per period, computed once per period instead of once per request.
  const minted = new Map<number, Promise<string>>();

  function mint(period: number): Promise<string> {
    let nonce = minted.get(period);
    if (nonce === undefined) {
      const id = period.toString(36);
      nonce = keys.sign(encoder.encode(id)).then((mac) => `${id}.${encodeBase64Url(mac)}`);
      if (minted.size >= 8) minted.clear();
      minted.set(period, nonce);
    }
    return nonce;
  }

  return {
    current: () => mint(Math.floor(now() / periodMs)),
    async check(nonce) {
      if (typeof nonce !== 'string') return 'invalid';
      const m = SHAPE.exec(nonce);
      if (m === null) return 'invalid';
      const period = Number.parseInt(m[1]!, 36);
      const current = Math.floor(now() / periodMs);
      if (period < current - 1 || period > current + 1) return 'invalid';
      const status: NonceStatus = period === current - 1 ? 'previous' : 'current';
      if (nonce === (await mint(period))) return status;
      // Minted with an older secret of the list (a rotation in progress): every key verifies.
      const mac = decodeBase64Url(m[2]!);
      if (mac === undefined || !(await keys.verify(encoder.encode(m[1]!), mac))) return 'invalid';
      return status;
    },
  };
}
