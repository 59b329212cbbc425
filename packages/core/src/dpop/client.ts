import { randomBytes, sha256Base64Url } from '../bytes/index.js';
import { checkOptions, optionKeys } from '../config/options.js';
import { encodeBase64Url } from '../encoding/base64url.js';
import { ConfigError } from '../errors.js';
import { jwkThumbprint } from './jwk.js';

/** Algorithms the client helper signs proofs with. */
export type DpopClientAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'PS256' | 'RS256' | 'EdDSA';

/** Options of {@link createDpopClient}. */
export interface DpopClientOptions {
  /**
   * The key pair every proof is signed with (keep the private key non-extractable). Default: a new
   * non-extractable P-256 pair for ES256.
   */
  keyPair?: CryptoKeyPair;
  /** The proof algorithm; default inferred from the key (P-256 → ES256, Ed25519 → EdDSA, RSA-PSS → PS256…). */
  algorithm?: DpopClientAlgorithm;
  /** The fetch to call; default the global one. */
  fetch?: typeof fetch;
  /** Clock, epoch milliseconds; for tests. */
  now?: () => number;
}

/** Options of one proof. */
export interface DpopProofOptions {
  /** The access token the proof goes with (its hash becomes `ath`); omit for token requests. */
  accessToken?: string;
  /** A server-provided nonce. */
  nonce?: string;
}

/** Fetch init plus the DPoP-bound access token to present. */
export type DpopFetchInit = RequestInit & { accessToken: string };

/** Calls DPoP-protected APIs: a fresh proof per request, server nonces learnt and retried once. */
export interface DpopClient {
  /** The proof algorithm. */
  readonly algorithm: DpopClientAlgorithm;
  /** The public JWK proofs carry. */
  publicJwk(): Promise<JsonWebKey>;
  /** RFC 7638 thumbprint of the key: the `cnf.jkt` of tokens bound to it (and `dpop_jkt` of RFC 9449 §10). */
  thumbprint(): Promise<string>;
  /** A DPoP proof for one request (RFC 9449 §4.2). */
  proof(method: string, url: string | URL, options?: DpopProofOptions): Promise<string>;
  /**
   * `fetch` with `Authorization: DPoP <token>` and a new proof. When the server answers 401 `use_dpop_nonce`
   * with a `DPoP-Nonce`, the request is sent once more with that nonce (unless its body is a stream, which
   * cannot be sent twice). Nonces are remembered per origin.
   */
  fetch(url: string | URL, init: DpopFetchInit): Promise<Response>;
}

const SIGN: Readonly<Record<DpopClientAlgorithm, AlgorithmIdentifier | EcdsaParams | RsaPssParams>> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  ES384: { name: 'ECDSA', hash: 'SHA-384' },
  ES512: { name: 'ECDSA', hash: 'SHA-512' },
  PS256: { name: 'RSA-PSS', saltLength: 32 },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  EdDSA: { name: 'Ed25519' },
};

const CURVE_ALG: Readonly<Record<string, DpopClientAlgorithm>> = {
  'P-256': 'ES256',
  'P-384': 'ES384',
  'P-521': 'ES512',
};

/** The algorithm a WebCrypto key signs with as a JWS `alg`. */
function algorithmOf(key: CryptoKey): DpopClientAlgorithm {
  const a = key.algorithm as KeyAlgorithm & { namedCurve?: string };
  if (a.name === 'ECDSA' && a.namedCurve !== undefined && CURVE_ALG[a.namedCurve])
    return CURVE_ALG[a.namedCurve]!;
  if (a.name === 'Ed25519') return 'EdDSA';
  if (a.name === 'RSA-PSS') return 'PS256';
  if (a.name === 'RSASSA-PKCS1-v1_5') return 'RS256';
  throw new TypeError(`dpop client: no proof algorithm for a ${a.name} key; pass algorithm`);
}

const CLIENT_KEYS = optionKeys<DpopClientOptions>()('keyPair', 'algorithm', 'fetch', 'now');

const encoder = new TextEncoder();
const b64json = (value: unknown): string => encodeBase64Url(encoder.encode(JSON.stringify(value)));

/**
 * A client for DPoP-protected APIs (RFC 9449): keeps one key pair, signs a fresh proof for every request
 * (method, URL without query and fragment, `iat`, random `jti`, `ath` of the access token) and handles
 * server nonces. Runs wherever WebCrypto does.
 *
 * @example
 * const client = createDpopClient();
 * const jkt = await client.thumbprint(); // ask the authorization server to bind tokens to it
 * const res = await client.fetch('https://api.example.com/orders', { accessToken });
 */
export function createDpopClient(options: DpopClientOptions = {}): DpopClient {
  checkOptions('dpop.client', options, CLIENT_KEYS);
  if (options.algorithm !== undefined && !Object.hasOwn(SIGN, options.algorithm)) {
    throw new ConfigError(
      'dpop.client.algorithm',
      `${JSON.stringify(options.algorithm)} is not a proof algorithm`,
      `use one of ${Object.keys(SIGN).join(', ')}`,
    );
  }
  for (const fn of ['fetch', 'now'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') {
      throw new ConfigError(`dpop.client.${fn}`, 'is not a function', 'pass a function or leave it unset');
    }
  }
  const call = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  let pair: Promise<CryptoKeyPair> | undefined;
  let jwk: Promise<JsonWebKey> | undefined;
  const keys = (): Promise<CryptoKeyPair> => {
    pair ??= options.keyPair
      ? Promise.resolve(options.keyPair)
      : (crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
          'sign',
          'verify',
        ]) as Promise<CryptoKeyPair>);
    return pair;
  };
  const algorithm: DpopClientAlgorithm =
    options.algorithm ?? (options.keyPair ? algorithmOf(options.keyPair.privateKey) : 'ES256');
  const publicJwk = (): Promise<JsonWebKey> => {
    jwk ??= keys().then(async ({ publicKey }) => {
      const full = await crypto.subtle.exportKey('jwk', publicKey);
      // Only the key itself: no key_ops / ext, and never a private member.
      return full.kty === 'RSA'
        ? { kty: 'RSA', n: full.n!, e: full.e! }
        : full.kty === 'EC'
          ? { kty: 'EC', crv: full.crv!, x: full.x!, y: full.y! }
          : { kty: full.kty!, crv: full.crv!, x: full.x! };
    });
    return jwk;
  };
  const nonces = new Map<string, string>();

  async function proof(
    method: string,
    url: string | URL,
    proofOptions: DpopProofOptions = {},
  ): Promise<string> {
    const target = new URL(url);
    const header = { typ: 'dpop+jwt', alg: algorithm, jwk: await publicJwk() };
    const claims: Record<string, unknown> = {
      jti: encodeBase64Url(randomBytes(16)),
      htm: method,
      htu: `${target.origin}${target.pathname}`,
      iat: Math.floor(now() / 1000),
    };
    if (proofOptions.accessToken !== undefined) {
      claims.ath = sha256Base64Url(proofOptions.accessToken);
    }
    if (proofOptions.nonce !== undefined) claims.nonce = proofOptions.nonce;
    const input = `${b64json(header)}.${b64json(claims)}`;
    const { privateKey } = await keys();
    const signature = await crypto.subtle.sign(SIGN[algorithm], privateKey, encoder.encode(input));
    return `${input}.${encodeBase64Url(new Uint8Array(signature))}`;
  }

  async function send(url: URL, init: DpopFetchInit, nonce: string | undefined): Promise<Response> {
    const { accessToken, ...rest } = init;
    const method = (rest.method ?? 'GET').toUpperCase();
    const headers = new Headers(rest.headers);
    headers.set('authorization', `DPoP ${accessToken}`);
    headers.set('dpop', await proof(method, url, { accessToken, ...(nonce !== undefined ? { nonce } : {}) }));
    const res = await call(url, { ...rest, method, headers });
    const next = res.headers.get('dpop-nonce');
    if (next !== null && next !== '') nonces.set(url.origin, next);
    return res;
  }

  return {
    algorithm,
    publicJwk,
    thumbprint: async () => jwkThumbprint((await publicJwk()) as Record<string, unknown>),
    proof,
    async fetch(url, init) {
      const target = new URL(url);
      const first = await send(target, init, nonces.get(target.origin));
      const challenge = first.headers.get('www-authenticate') ?? '';
      const nonce = first.headers.get('dpop-nonce');
      const replayable = !(init.body instanceof ReadableStream);
      if (first.status !== 401 || nonce === null || !challenge.includes('use_dpop_nonce') || !replayable)
        return first;
      await first.body?.cancel();
      return send(target, init, nonce);
    },
  };
}
