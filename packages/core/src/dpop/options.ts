import { checkOptions, numberOption, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';
import type { OnEvent } from '../events.js';
import { checkAlgorithms, isSymmetric, type JwtAlgorithm } from '../jwt/algorithms.js';
import type { ReplayStore } from '../stores/types.js';
import { type ExternalBases, externalBases } from './htu.js';
import type { DpopNonceOptions } from './nonce.js';

/** Signature algorithms a DPoP proof may use: asymmetric only (the proof carries the public key). */
export type DpopAlgorithm = Exclude<JwtAlgorithm, 'HS256' | 'HS384' | 'HS512'>;

/** How a route treats DPoP: only DPoP-bound tokens with proofs, both schemes, or bearer tokens only. */
export type DpopMode = 'required' | 'allowed' | 'off';

/** Options of {@link createDpopVerifier} (and of the `dpop` option of `createJwtVerifier`). */
export interface DpopOptions {
  /**
   * The URL (or URLs) clients use to reach this API's root: scheme, host, port and, when a proxy mounts the
   * app below one, the path prefix. Every proof's `htu` must be one of these followed by the request path.
   * Trusted configuration: the request's Host and X-Forwarded-* headers are never used for it.
   */
  externalUrl: string | readonly string[];
  /** Proof algorithms accepted, also announced in `algs` of challenges. Default ES256, EdDSA, Ed25519, PS256, RS256. */
  algorithms?: readonly DpopAlgorithm[];
  /**
   * Where used proof `jti`s are remembered while a proof could still be accepted. Default: an in-process
   * store, which protects one instance; share `@bulwark/redis` across instances, or a proof replayed to
   * another instance is accepted there. Fails closed (503) when the store fails.
   */
  replay?: ReplayStore;
  /** Require server-provided nonces (RFC 9449 §9) minted statelessly from this secret. Default: off. */
  nonce?: DpopNonceOptions;
  /** How long after its `iat` a proof is accepted. Default 60, range 1 to 600. */
  maxProofAgeSeconds?: number;
  /** Clock skew allowed for `iat` in either direction. Default 5, range 0 to 60. */
  clockToleranceSeconds?: number;
  /** Longest proof accepted, in characters, refused before decoding. Default 8192, range 512 to 65536. */
  maxProofLength?: number;
  /** The mode of routes that do not set one. Default `'allowed'`. */
  mode?: 'required' | 'allowed';
  /** Receives `dpop.rejected` and `dpop.replayed`. */
  onEvent?: OnEvent;
  /** Clock, epoch milliseconds; for tests. */
  now?: () => number;
}

/** {@link DpopOptions} checked once. */
export interface CheckedDpopOptions {
  readonly bases: ExternalBases;
  readonly algorithms: readonly DpopAlgorithm[];
  readonly maxProofAgeSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly maxProofLength: number;
  readonly mode: 'required' | 'allowed';
}

const DPOP_KEYS = optionKeys<DpopOptions>()(
  'externalUrl',
  'algorithms',
  'replay',
  'nonce',
  'maxProofAgeSeconds',
  'clockToleranceSeconds',
  'maxProofLength',
  'mode',
  'onEvent',
  'now',
);

/** The default allowlist: the asymmetric algorithms clients and authorization servers commonly use. */
export const DEFAULT_DPOP_ALGORITHMS: readonly DpopAlgorithm[] = [
  'ES256',
  'EdDSA',
  'Ed25519',
  'PS256',
  'RS256',
];

/**
 * Check DPoP options: known keys only, an external URL, an asymmetric allowlist, numbers in range, a mode,
 * a replay store with the store methods, functions where functions go. Throws {@link ConfigError}.
 *
 * @example
 * const checked = checkDpopOptions('dpop', { externalUrl: 'https://api.example.com' });
 */
export function checkDpopOptions(path: string, options: DpopOptions): CheckedDpopOptions {
  const o = checkOptions(path, options, DPOP_KEYS) as unknown as DpopOptions;
  const algorithms = checkAlgorithms(`${path}.algorithms`, o.algorithms ?? DEFAULT_DPOP_ALGORITHMS);
  const symmetric = algorithms.findIndex(isSymmetric);
  if (symmetric !== -1) {
    throw new ConfigError(
      `${path}.algorithms[${symmetric}]`,
      `${algorithms[symmetric]} is an HMAC algorithm; a DPoP proof is signed with the client's private key and carries its public key`,
      'list asymmetric algorithms such as ES256, EdDSA or PS256',
    );
  }
  const replay = o.replay;
  if (
    replay !== undefined &&
    (typeof replay !== 'object' || replay === null || typeof replay.claim !== 'function')
  ) {
    throw new ConfigError(
      `${path}.replay`,
      'is not a ReplayStore',
      'pass createMemoryReplayStore() or createRedisReplayStore({ client })',
    );
  }
  for (const fn of ['onEvent', 'now'] as const) {
    if (o[fn] !== undefined && typeof o[fn] !== 'function') {
      throw new ConfigError(`${path}.${fn}`, 'is not a function', 'pass a function or leave it unset');
    }
  }
  const mode = o.mode ?? 'allowed';
  if (mode !== 'allowed' && mode !== 'required') {
    throw new ConfigError(
      `${path}.mode`,
      `${JSON.stringify(mode)} is not a mode`,
      "use 'allowed' or 'required'",
    );
  }
  return {
    bases: externalBases(`${path}.externalUrl`, o.externalUrl),
    algorithms: algorithms as readonly DpopAlgorithm[],
    maxProofAgeSeconds: numberOption(`${path}.maxProofAgeSeconds`, o.maxProofAgeSeconds, {
      min: 1,
      max: 600,
      fallback: 60,
    }),
    clockToleranceSeconds: numberOption(`${path}.clockToleranceSeconds`, o.clockToleranceSeconds, {
      min: 0,
      max: 60,
      fallback: 5,
    }),
    maxProofLength: numberOption(`${path}.maxProofLength`, o.maxProofLength, {
      min: 512,
      max: 65_536,
      fallback: 8192,
    }),
    mode,
  };
}
