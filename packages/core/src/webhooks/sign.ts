import { refuseKeyAsSecret } from '../config/key-material.js';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import { decodeBase64Key, encodeSignature, withPrefix } from './encoding.js';
import { EVENT_ID, EVENT_ID_RULE } from './event-id.js';

/** Options of {@link signWebhook}. */
export interface SignWebhookOptions {
  /** `standard` (default), or `stripe` / `github` to produce those senders' formats (tests, fixtures). */
  scheme?: 'standard' | 'stripe' | 'github';
  /** Standard Webhooks: `whsec_<base64>`; Stripe: the whole secret string; GitHub: the secret text. */
  secret: string | Uint8Array;
  /** Exact bytes (or UTF-8 text) that will be sent as the body. */
  body: Uint8Array | string;
  /** Event id (`webhook-id`, `X-GitHub-Delivery`); Stripe carries it in the body. Default: a random UUID. */
  id?: string;
  /** Seconds since the epoch. Default: now. */
  timestamp?: number;
  /** Also sign with Ed25519 (`v1a`, Standard Webhooks only) using this private CryptoKey. */
  ed25519PrivateKey?: CryptoKey;
  /** Sign with a secret under 16 bytes (fixtures for a receiver that opted in the same way). */
  dangerouslyAllowShortSecrets?: true;
}

const encoder = new TextEncoder();
const SIGN_KEYS = optionKeys<SignWebhookOptions>()(
  'scheme',
  'secret',
  'body',
  'id',
  'timestamp',
  'ed25519PrivateKey',
  'dangerouslyAllowShortSecrets',
);

function secretBytes(scheme: string, secret: string | Uint8Array, minBytes: number): Uint8Array {
  refuseKeyAsSecret('webhooks.sign.secret', secret, 'sign with the random HMAC secret you gave the receiver');
  let bytes: Uint8Array | undefined;
  if (secret instanceof Uint8Array) bytes = secret;
  else if (scheme !== 'standard') bytes = encoder.encode(secret);
  else bytes = decodeBase64Key(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  if (bytes === undefined || bytes.length < minBytes) {
    throw new ConfigError(
      'webhooks.sign.secret',
      scheme === 'standard' && !(secret instanceof Uint8Array)
        ? `is not whsec_<base64> decoding to ${minBytes}+ bytes`
        : `is not ${minBytes}+ bytes`,
      'use the secret you gave the receiver',
    );
  }
  return bytes;
}

async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    'raw',
    key as BufferSource,
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, data as BufferSource));
}

/**
 * Sign a webhook for sending: returns the headers to add to the POST (lowercase names). Standard Webhooks
 * by default, so bulwark users can send webhooks any Standard Webhooks library verifies; Stripe and GitHub
 * formats exist for tests and fixtures.
 *
 * @example
 * const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1' } });
 * const headers = await signWebhook({ secret: process.env.WEBHOOK_SECRET!, id: 'msg_1', body });
 * await fetch(url, { method: 'POST', body, headers: { ...headers, 'content-type': 'application/json' } });
 */
export async function signWebhook(options: SignWebhookOptions): Promise<Record<string, string>> {
  checkOptions('webhooks.sign', options, SIGN_KEYS);
  const scheme = options.scheme ?? 'standard';
  const key = secretBytes(scheme, options.secret, options.dangerouslyAllowShortSecrets === true ? 1 : 16);
  const body = typeof options.body === 'string' ? encoder.encode(options.body) : options.body;
  // Whole seconds since the epoch, ten digits at most: what every receiver parses.
  const timestamp = numberOption('webhooks.sign.timestamp', options.timestamp, {
    min: 0,
    max: 9_999_999_999,
    fallback: Math.floor(Date.now() / 1000),
  });
  const id = options.id ?? crypto.randomUUID();
  if (!EVENT_ID.test(id)) {
    throw new ConfigError(
      'webhooks.sign.id',
      `is not ${EVENT_ID_RULE}: receivers split the signed id.timestamp.body at its dots`,
      'use an id like msg_<random>',
    );
  }
  if (scheme === 'github') {
    const mac = await hmacSha256(key, body);
    return { 'x-hub-signature-256': `sha256=${encodeSignature('hex', mac)}`, 'x-github-delivery': id };
  }
  if (scheme === 'stripe') {
    const mac = await hmacSha256(key, withPrefix(`${timestamp}.`, body));
    return { 'stripe-signature': `t=${timestamp},v1=${encodeSignature('hex', mac)}` };
  }
  const content = withPrefix(`${id}.${timestamp}.`, body);
  const signatures = [`v1,${encodeSignature('base64', await hmacSha256(key, content))}`];
  if (options.ed25519PrivateKey !== undefined) {
    const sig = new Uint8Array(
      await crypto.subtle.sign('Ed25519', options.ed25519PrivateKey, content as BufferSource),
    );
    signatures.push(`v1a,${encodeSignature('base64', sig)}`);
  }
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}
