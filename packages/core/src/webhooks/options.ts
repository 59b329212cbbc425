import { refuseKeyAsSecret } from '../config/key-material.js';
import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import type { OnEvent } from '../events.js';
import type { ReplayStore } from '../stores/types.js';
import { HMAC_LENGTH, type HmacHash } from './signature-backend.js';
import { decodeBase64Key, type SignatureEncoding } from './encoding.js';

/** A sender-specific HMAC scheme for senders that follow none of the named ones. */
export interface HmacSchemeOptions {
  readonly type: 'hmac';
  /** Header carrying the signature, e.g. `x-signature`. */
  readonly signatureHeader: string;
  /** Text before the encoded signature in that header, e.g. `sha256=`. Default none. */
  readonly prefix?: string;
  /** How the signature bytes are written. Hex is lowercase only. */
  readonly encoding: SignatureEncoding;
  /** Default `SHA-256`. */
  readonly hash?: HmacHash;
  /** Header carrying the event id, used for idempotency. Required: without it a replay cannot be told apart. */
  readonly idHeader: string;
  /** Header carrying a `^\d{1,10}$` timestamp; required when `signedContent` includes it. */
  readonly timestampHeader?: string;
  /** What the sender signs, joined with `.`: `body`, `timestamp.body` or `id.timestamp.body`. */
  readonly signedContent: 'body' | 'timestamp.body' | 'id.timestamp.body';
}

/** Which sender convention to verify. */
export type WebhookScheme = 'standard' | 'stripe' | 'github' | HmacSchemeOptions;

/** Options of {@link createWebhookVerifier}. */
export interface WebhookVerifierOptions {
  /** `standard` (Standard Webhooks), `stripe`, `github`, or a generic {@link HmacSchemeOptions}. */
  scheme: WebhookScheme;
  /**
   * Active secrets, several during a rotation (any of them verifies). Standard Webhooks: `whsec_<base64>`
   * (decoded); Stripe: the whole `whsec_…` string; GitHub and generic: the secret text or bytes.
   */
  secrets?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Standard Webhooks `v1a` (Ed25519) public keys: `whpk_<base64>` or 32 raw bytes. */
  publicKeys?: string | Uint8Array | readonly (string | Uint8Array)[];
  /** Accepted clock difference, both directions, in seconds. Default 300, between 1 and 900. */
  toleranceSeconds?: number;
  /** Larger bodies are refused (413) before any HMAC. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most signatures one header may carry. Default 10. */
  maxSignatures?: number;
  /** Claims event ids for idempotency. Default: a memory store per verifier (one instance only). */
  replayStore?: ReplayStore;
  /** How long a processed event id is remembered. Default 1 h (24 h for GitHub); at least twice the tolerance. */
  idempotencyTtlMs?: number;
  /** How long an event may stay "processing" before a retry may take it over (crash). Default 10 min. */
  processingTtlMs?: number;
  /** Prefix of the store keys, so several endpoints can share a store; ends with `:`. Default `webhook:<scheme>:`. */
  keyPrefix?: string;
  /**
   * Accept secrets shorter than 16 bytes (at least 1). Only for a sender whose existing secret you cannot
   * rotate yet (an old GitHub hook): a short secret can be guessed offline from one captured delivery.
   */
  dangerouslyAllowShortSecrets?: true;
  /** Accept bodies that are not UTF-8 (generic scheme only; the named schemes carry JSON). */
  allowBinaryBody?: boolean;
  /** Receives `webhook.rejected`, `webhook.replayed`, `webhook.claim_lost`, `webhook.store_failed`. */
  onEvent?: OnEvent;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** The validated configuration the verifier runs on. */
export interface ResolvedWebhookOptions {
  readonly name: 'standard' | 'stripe' | 'github' | 'hmac';
  readonly hmac: HmacSchemeOptions | undefined;
  readonly hash: HmacHash;
  readonly secrets: readonly Uint8Array[];
  readonly publicKeys: readonly Uint8Array[];
  readonly toleranceSeconds: number;
  readonly maxBodyBytes: number;
  readonly maxSignatures: number;
  readonly idempotencyTtlMs: number;
  readonly processingTtlMs: number;
  readonly keyPrefix: string;
  readonly requireUtf8: boolean;
  readonly timestamped: boolean;
}

const encoder = new TextEncoder();
const HEADER_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MIN_SECRET_BYTES = 16;
const KEY_AS_SECRET =
  "pass the sender's HMAC signing secret; Standard Webhooks v1a public keys go in publicKeys";

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

function integer(option: string, value: number | undefined, def: number, min: number, max: number): number {
  return numberOption(option, value, { min, max, fallback: def });
}

const OPTION_KEYS = optionKeys<WebhookVerifierOptions>()(
  'scheme',
  'secrets',
  'publicKeys',
  'toleranceSeconds',
  'maxBodyBytes',
  'maxSignatures',
  'replayStore',
  'idempotencyTtlMs',
  'processingTtlMs',
  'keyPrefix',
  'dangerouslyAllowShortSecrets',
  'allowBinaryBody',
  'onEvent',
  'now',
);
const SCHEME_KEYS = optionKeys<HmacSchemeOptions>()(
  'type',
  'signatureHeader',
  'prefix',
  'encoding',
  'hash',
  'idHeader',
  'timestampHeader',
  'signedContent',
);

function decodeStandardKey(
  option: string,
  value: string | Uint8Array,
  prefix: string,
  bytes?: number,
): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const text = value.startsWith(prefix) ? value.slice(prefix.length) : value;
  const decoded = decodeBase64Key(text);
  if (decoded === undefined) {
    throw new ConfigError(
      option,
      `is not ${prefix}<base64>`,
      'paste the value exactly as the sender shows it',
    );
  }
  if (bytes !== undefined && decoded.length !== bytes) {
    throw new ConfigError(option, `decodes to ${decoded.length} bytes, not ${bytes}`, 'paste the whole key');
  }
  return decoded;
}

/** The refusal of a short secret; says how a `whsec_` length was counted (base64, not characters). */
function shortSecret(option: string, scheme: string, given: string | Uint8Array, bytes: number): ConfigError {
  if (bytes === 0) return new ConfigError(option, 'is empty', 'pass the signing secret the sender gave you');
  const decoded =
    scheme === 'standard' && typeof given === 'string'
      ? `decodes to ${bytes} bytes (whsec_ secrets are base64: the ${given.length - (given.startsWith('whsec_') ? 6 : 0)} characters after whsec_ carry ${bytes} bytes)`
      : `is ${bytes} bytes`;
  return new ConfigError(
    option,
    `${decoded}, too short to resist guessing; at least ${MIN_SECRET_BYTES} bytes are required`,
    `use a random secret of ${MIN_SECRET_BYTES}+ bytes${scheme === 'standard' ? ' (whsec_ and 22+ base64 characters)' : ''}; if the sender's existing secret cannot be rotated yet, set dangerouslyAllowShortSecrets: true`,
  );
}

function checkHmacScheme(s: HmacSchemeOptions): void {
  for (const key of ['signatureHeader', 'idHeader', 'timestampHeader'] as const) {
    const v = s[key];
    if (v === undefined && key === 'timestampHeader') continue;
    if (typeof v !== 'string' || !HEADER_NAME.test(v)) {
      throw new ConfigError(`webhooks.scheme.${key}`, 'is not a lowercase header name', 'e.g. x-signature');
    }
  }
  if (!['hex', 'base64', 'base64url'].includes(s.encoding)) {
    throw new ConfigError(
      'webhooks.scheme.encoding',
      'is not hex, base64 or base64url',
      'say how the sender writes it',
    );
  }
  if (s.hash !== undefined && !(s.hash in HMAC_LENGTH)) {
    throw new ConfigError('webhooks.scheme.hash', 'is not SHA-256 or SHA-512', 'use SHA-256');
  }
  if (!['body', 'timestamp.body', 'id.timestamp.body'].includes(s.signedContent)) {
    throw new ConfigError(
      'webhooks.scheme.signedContent',
      'is not a known layout',
      'use body, timestamp.body or id.timestamp.body',
    );
  }
  if (s.signedContent !== 'body' && s.timestampHeader === undefined) {
    throw new ConfigError(
      'webhooks.scheme.timestampHeader',
      `is required by signedContent ${s.signedContent}`,
      'name the header',
    );
  }
  if (s.prefix !== undefined && (typeof s.prefix !== 'string' || !/^[\x21-\x7e]{0,32}$/.test(s.prefix))) {
    throw new ConfigError('webhooks.scheme.prefix', 'is not short printable ASCII', 'e.g. sha256=');
  }
}

/**
 * Validate {@link WebhookVerifierOptions} once, at construction. Every problem is a ConfigError.
 */
export function resolveWebhookOptions(options: WebhookVerifierOptions): ResolvedWebhookOptions {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('webhooks', 'options are required', 'pass scheme and secrets');
  }
  checkOptions('webhooks', options, OPTION_KEYS);
  const scheme = options.scheme;
  if (typeof scheme === 'object' && scheme !== null) checkOptions('webhooks.scheme', scheme, SCHEME_KEYS);
  const hmac = typeof scheme === 'object' && scheme !== null && scheme.type === 'hmac' ? scheme : undefined;
  if (hmac === undefined && scheme !== 'standard' && scheme !== 'stripe' && scheme !== 'github') {
    throw new ConfigError(
      'webhooks.scheme',
      'is not a known scheme',
      "use 'standard', 'stripe', 'github' or { type: 'hmac', … }",
    );
  }
  if (hmac !== undefined) checkHmacScheme(hmac);
  const name = hmac === undefined ? (scheme as 'standard' | 'stripe' | 'github') : 'hmac';

  const secretList = list(options.secrets);
  const keyList = list(options.publicKeys);
  if (keyList.length > 0 && name !== 'standard') {
    throw new ConfigError(
      'webhooks.publicKeys',
      `the ${name} scheme has no public-key signatures`,
      'remove publicKeys',
    );
  }
  if (secretList.length + keyList.length === 0) {
    throw new ConfigError(
      'webhooks.secrets',
      'no secret is configured',
      'pass the signing secret the sender gave you',
    );
  }
  if (secretList.length > 10 || keyList.length > 10) {
    throw new ConfigError(
      'webhooks.secrets',
      'more than 10 keys',
      'keep only the keys of the current rotation',
    );
  }
  if (options.dangerouslyAllowShortSecrets !== undefined && options.dangerouslyAllowShortSecrets !== true) {
    throw new ConfigError(
      'webhooks.dangerouslyAllowShortSecrets',
      'is not true',
      'leave it unset (16-byte minimum) or set it to true',
    );
  }
  const allowShort = options.dangerouslyAllowShortSecrets === true;
  const secrets = secretList.map((s, i) => {
    const option = `webhooks.secrets[${i}]`;
    refuseKeyAsSecret(option, s, KEY_AS_SECRET);
    if (typeof s !== 'string' && !(s instanceof Uint8Array)) {
      throw new ConfigError(option, 'is not a string or bytes', 'pass the secret as the sender shows it');
    }
    const bytes =
      name === 'standard'
        ? decodeStandardKey(option, s, 'whsec_')
        : typeof s === 'string'
          ? encoder.encode(s)
          : s;
    // whsec_ wraps base64: a key hidden inside it is as wrong as a bare one.
    if (name === 'standard') refuseKeyAsSecret(option, bytes, KEY_AS_SECRET);
    if (bytes.length < (allowShort ? 1 : MIN_SECRET_BYTES)) throw shortSecret(option, name, s, bytes.length);
    return bytes.slice();
  });
  const publicKeys = keyList.map((k, i) =>
    decodeStandardKey(`webhooks.publicKeys[${i}]`, k, 'whpk_', 32).slice(),
  );

  const timestamped =
    name === 'standard' || name === 'stripe' || (hmac !== undefined && hmac.signedContent !== 'body');
  const toleranceSeconds = integer('webhooks.toleranceSeconds', options.toleranceSeconds, 300, 1, 900);
  const defaultTtl = name === 'github' || !timestamped ? 86_400_000 : 3_600_000;
  const minTtl = timestamped ? 2 * toleranceSeconds * 1000 : 60_000;
  const idempotencyTtlMs = integer(
    'webhooks.idempotencyTtlMs',
    options.idempotencyTtlMs,
    Math.max(defaultTtl, minTtl),
    minTtl,
    30 * 86_400_000,
  );
  const processingTtlMs = integer(
    'webhooks.processingTtlMs',
    options.processingTtlMs,
    600_000,
    1_000,
    86_400_000,
  );
  const keyPrefix = options.keyPrefix ?? `webhook:${name}:`;
  // Event ids never contain ':', so a prefix ending in one is where every key splits: two prefixes can
  // never produce the same key ('a:' + 'b:x' would be 'a:b:' + 'x' otherwise).
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 64 || !keyPrefix.endsWith(':')) {
    throw new ConfigError(
      'webhooks.keyPrefix',
      "is not a string of at most 64 characters ending with ':'",
      "keep the default, or use one like 'webhook:billing:'",
    );
  }
  if (options.allowBinaryBody === true && hmac === undefined) {
    throw new ConfigError(
      'webhooks.allowBinaryBody',
      `the ${name} scheme always carries JSON`,
      'remove allowBinaryBody',
    );
  }
  return {
    name,
    hmac,
    hash: hmac?.hash ?? 'SHA-256',
    secrets,
    publicKeys,
    toleranceSeconds,
    maxBodyBytes: integer('webhooks.maxBodyBytes', options.maxBodyBytes, 1_048_576, 1, 64 * 1_048_576),
    maxSignatures: integer('webhooks.maxSignatures', options.maxSignatures, 10, 1, 100),
    idempotencyTtlMs,
    processingTtlMs,
    keyPrefix,
    requireUtf8: options.allowBinaryBody !== true,
    timestamped,
  };
}
