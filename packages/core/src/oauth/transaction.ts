import { decodeBase64Url, decodeBase64UrlText, encodeBase64Url } from '../encoding/base64url.js';
import { concatBytes } from '../bytes/index.js';
import { createHmacKeyRing, type SecretInput } from './hmac-keys.js';

/** What a login must remember between the redirect to the provider and the callback. */
export interface LoginTransaction {
  /** Random id the state is bound to (the browser's pre-login session). */
  readonly binding: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Local path to go back to after login. */
  readonly returnTo: string;
  /** Epoch ms. */
  readonly issuedAt: number;
}

/** Signs and reads login transactions (the value of the transaction cookie). */
export interface TransactionCodec {
  seal(tx: LoginTransaction): Promise<string>;
  /** The transaction, or undefined when missing, tampered, signed with an unknown key, or malformed. */
  open(value: string | undefined): Promise<LoginTransaction | undefined>;
}

const encoder = new TextEncoder();
const LABEL = encoder.encode('bulwark-login-tx|');

/**
 * Create the transaction codec: `base64url(JSON).base64url(HMAC-SHA256)`. Signed, not encrypted: the values
 * are single-use, and the cookie holding them is HttpOnly and only ever sent back to this app.
 *
 * @example
 * const codec = createTransactionCodec('oauth.login.secret', process.env.LOGIN_SECRET!);
 * const cookieValue = await codec.seal(tx);
 */
export function createTransactionCodec(option: string, secret: SecretInput): TransactionCodec {
  const keys = createHmacKeyRing(option, secret, 'bulwark/oauth-login-tx/v1');
  return {
    async seal(tx) {
      const payload = encodeBase64Url(
        encoder.encode(
          JSON.stringify({
            b: tx.binding,
            s: tx.state,
            n: tx.nonce,
            c: tx.codeVerifier,
            r: tx.returnTo,
            t: tx.issuedAt,
          }),
        ),
      );
      const mac = await keys.sign(concatBytes(LABEL, encoder.encode(payload)));
      return `${payload}.${encodeBase64Url(mac)}`;
    },
    async open(value) {
      if (typeof value !== 'string' || value.length > 4096) return undefined;
      const dot = value.indexOf('.');
      if (dot <= 0) return undefined;
      const payload = value.slice(0, dot);
      const mac = decodeBase64Url(value.slice(dot + 1));
      if (mac === undefined || mac.length !== 32) return undefined;
      if (!(await keys.verify(concatBytes(LABEL, encoder.encode(payload)), mac))) return undefined;
      const text = decodeBase64UrlText(payload);
      if (text === undefined) return undefined;
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return undefined;
      }
      const { b, s, n, c, r, t } = raw;
      if (
        typeof b !== 'string' ||
        typeof s !== 'string' ||
        typeof n !== 'string' ||
        typeof c !== 'string' ||
        typeof r !== 'string' ||
        typeof t !== 'number'
      ) {
        return undefined;
      }
      return { binding: b, state: s, nonce: n, codeVerifier: c, returnTo: r, issuedAt: t };
    },
  };
}
