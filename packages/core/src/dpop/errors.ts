import type { HeaderPair } from '../verdict.js';
import { type BulwarkErrorCode, SecurityError } from '../errors.js';

/** The `error` parameter of a DPoP challenge (RFC 6750 §3.1 and RFC 9449 §7.1, §9). */
type ChallengeError = 'invalid_request' | 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce';

interface Spec {
  readonly code: BulwarkErrorCode;
  readonly status: number;
  readonly message: string;
  /** Omitted: the challenge carries no error (no credentials); null: no challenge at all (a 503). */
  readonly error?: ChallengeError | null;
}

/**
 * Every DPoP denial. The public message never depends on the proof or the token, and nothing from the
 * request is echoed; the precise reason goes to `onEvent` as `dpop.rejected`.
 */
const SPECS = {
  proofMissing: {
    code: 'DPOP_PROOF_MISSING',
    status: 401,
    message: 'A DPoP proof is required with a DPoP-bound access token.',
    error: 'invalid_dpop_proof',
  },
  proofMultiple: {
    code: 'DPOP_PROOF_MULTIPLE',
    status: 400,
    message: 'Send exactly one DPoP proof, in one DPoP header.',
    error: 'invalid_request',
  },
  proofTooLarge: {
    code: 'DPOP_PROOF_TOO_LARGE',
    status: 401,
    message: 'The DPoP proof is too large.',
    error: 'invalid_dpop_proof',
  },
  proofMalformed: {
    code: 'DPOP_PROOF_MALFORMED',
    status: 401,
    message: 'The DPoP proof is malformed.',
    error: 'invalid_dpop_proof',
  },
  typeInvalid: {
    code: 'DPOP_PROOF_TYPE_INVALID',
    status: 401,
    message: 'The DPoP proof is not of type dpop+jwt.',
    error: 'invalid_dpop_proof',
  },
  algNotAllowed: {
    code: 'DPOP_ALG_NOT_ALLOWED',
    status: 401,
    message: 'The DPoP proof is signed with an algorithm that is not accepted.',
    error: 'invalid_dpop_proof',
  },
  keyInvalid: {
    code: 'DPOP_KEY_INVALID',
    status: 401,
    message: 'The DPoP proof does not carry a usable public key.',
    error: 'invalid_dpop_proof',
  },
  signatureInvalid: {
    code: 'DPOP_SIGNATURE_INVALID',
    status: 401,
    message: 'The DPoP proof signature is invalid.',
    error: 'invalid_dpop_proof',
  },
  htmMismatch: {
    code: 'DPOP_HTM_MISMATCH',
    status: 401,
    message: 'The DPoP proof was made for another HTTP method.',
    error: 'invalid_dpop_proof',
  },
  htuMismatch: {
    code: 'DPOP_HTU_MISMATCH',
    status: 401,
    message: 'The DPoP proof was made for another URL.',
    error: 'invalid_dpop_proof',
  },
  expired: {
    code: 'DPOP_PROOF_EXPIRED',
    status: 401,
    message: 'The DPoP proof is too old.',
    error: 'invalid_dpop_proof',
  },
  notYetValid: {
    code: 'DPOP_PROOF_NOT_YET_VALID',
    status: 401,
    message: 'The DPoP proof was issued in the future.',
    error: 'invalid_dpop_proof',
  },
  replayed: {
    code: 'DPOP_PROOF_REPLAYED',
    status: 401,
    message: 'The DPoP proof has already been used.',
    error: 'invalid_dpop_proof',
  },
  athMismatch: {
    code: 'DPOP_ATH_MISMATCH',
    status: 401,
    message: 'The DPoP proof was made for another access token.',
    error: 'invalid_dpop_proof',
  },
  keyMismatch: {
    code: 'DPOP_KEY_MISMATCH',
    status: 401,
    message: 'The access token is bound to another key than the DPoP proof.',
    error: 'invalid_token',
  },
  nonceRequired: {
    code: 'DPOP_NONCE_REQUIRED',
    status: 401,
    message: 'The DPoP proof must carry the nonce this server provides in DPoP-Nonce.',
    error: 'use_dpop_nonce',
  },
  tokenNotBound: {
    code: 'DPOP_TOKEN_NOT_BOUND',
    status: 401,
    message: 'The access token is not bound to a DPoP key.',
    error: 'invalid_token',
  },
  boundTokenAsBearer: {
    code: 'DPOP_BOUND_TOKEN_AS_BEARER',
    status: 401,
    message: 'The access token is DPoP-bound; send it with the DPoP scheme and a proof.',
    error: 'invalid_token',
  },
  required: {
    code: 'DPOP_REQUIRED',
    status: 401,
    message: 'This resource requires a DPoP-bound access token and a DPoP proof.',
    error: 'invalid_token',
  },
  replayUnavailable: {
    code: 'DPOP_REPLAY_UNAVAILABLE',
    status: 503,
    message: 'DPoP proof replay protection is temporarily unavailable.',
    error: null,
  },
} as const satisfies Record<string, Spec>;

/** The name of one DPoP denial. */
export type DpopErrorName = keyof typeof SPECS;

/** Every DPoP denial, each with the challenge of one route mode. */
export type DpopErrors = { readonly [K in DpopErrorName]: SecurityError };

/** How the route treats the two schemes, which decides the challenges a denial carries. */
export type ChallengeMode = 'required' | 'allowed' | 'off';

/**
 * The `WWW-Authenticate` value for a denial of a request sent with `scheme`: the challenge of that scheme
 * carries the `error` (and `params`), and when the route accepts both schemes the other one is listed
 * beside it (RFC 9449 §7.2), so a client learns both what went wrong and what it may use instead.
 *
 * @example
 * challenge('allowed', 'dpop', 'ES256', 'error="invalid_dpop_proof"')
 * // 'DPoP error="invalid_dpop_proof", algs="ES256", Bearer'
 */
export function challenge(
  mode: ChallengeMode,
  scheme: 'bearer' | 'dpop',
  algs: string,
  params: string,
): string {
  const dpop = `DPoP ${params === '' ? '' : `${params}, `}algs="${algs}"`;
  const bearer = params === '' ? 'Bearer' : `Bearer ${params}`;
  if (mode === 'off') return bearer;
  if (mode === 'required') return dpop;
  return scheme === 'dpop' ? `${dpop}, Bearer` : `${bearer}, DPoP algs="${algs}"`;
}

/**
 * Build every DPoP denial once for a route mode and an algorithm list (`algs` of the challenge). Shared
 * instances: their problem+json is rendered once.
 *
 * @example
 * const errors = createDpopErrors('required', ['ES256']);
 * errors.replayed.code // 'DPOP_PROOF_REPLAYED'
 */
export function createDpopErrors(mode: ChallengeMode, algorithms: readonly string[]): DpopErrors {
  const algs = algorithms.join(' ');
  const out: Partial<Record<DpopErrorName, SecurityError>> = {};
  for (const [name, spec] of Object.entries(SPECS) as [DpopErrorName, Spec][]) {
    out[name] = build(spec, mode, algs);
  }
  return out as DpopErrors;
}

function build(spec: Spec, mode: ChallengeMode, algs: string, nonce?: string): SecurityError {
  const headers: HeaderPair[] = [];
  if (spec.error === null) headers.push(['retry-after', '5']);
  else {
    // A downgraded bound token arrived as Bearer; every other denial here answers a DPoP request.
    const scheme = spec.code === 'DPOP_BOUND_TOKEN_AS_BEARER' ? 'bearer' : 'dpop';
    const params = spec.error === undefined ? '' : `error="${spec.error}"`;
    headers.push(['www-authenticate', challenge(mode, scheme, algs, params)]);
  }
  if (nonce !== undefined) headers.push(['dpop-nonce', nonce]);
  return new SecurityError({ code: spec.code, status: spec.status, message: spec.message, headers });
}

/**
 * The `use_dpop_nonce` denial carrying `nonce` in `DPoP-Nonce` (RFC 9449 §9). One instance per nonce
 * value (a nonce lives for a rotation period), so it is rendered once per period, not per request.
 *
 * @example
 * const denial = nonceDenial('required', ['ES256'], nonce);
 */
export function nonceDenial(
  mode: ChallengeMode,
  algorithms: readonly string[],
  nonce: string,
): SecurityError {
  return build(SPECS.nonceRequired, mode, algorithms.join(' '), nonce);
}
