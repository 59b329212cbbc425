import type { SecurityError } from '../errors.js';
import type { RequestLike } from '../http/request.js';
import type { JwtAlgorithm } from '../jwt/algorithms.js';
import { type HeaderPolicy, parseCompact, parsePayload, parseSignature } from '../jwt/compact.js';
import type { JwtCryptoBackend } from '../jwt/crypto-types.js';
import { JWT_ERRORS } from '../jwt/errors.js';
import { BoundedMap } from '../stores/bounded-map.js';
import type { DpopErrors } from './errors.js';
import { type ExternalBases, htuMatches } from './htu.js';
import { checkProofKey } from './jwk.js';

/** What a checked proof establishes. */
export interface DpopProof {
  /** RFC 7638 thumbprint of the proof key: the `cnf.jkt` the access token is bound to. */
  readonly jkt: string;
  readonly alg: string;
  readonly jti: string;
  /** `iat`, seconds. */
  readonly iat: number;
  /** The nonce the proof carried, if any. */
  readonly nonce: string | undefined;
}

/** One failed check: the error for the client, the reason for operators. */
export interface ProofFailure {
  readonly ok: false;
  readonly error: SecurityError;
  readonly detail: string;
}

/** The request-independent policy of a verifier. */
export interface ProofPolicy {
  readonly header: HeaderPolicy;
  readonly bases: ExternalBases;
  readonly maxAgeSeconds: number;
  readonly toleranceSeconds: number;
  readonly backend: JwtCryptoBackend;
  /** Imported proof keys by `alg` and thumbprint: a client signs every request with the same key. */
  readonly keys: BoundedMap<string, unknown>;
}

/**
 * The policy for these limits, with its key cache.
 *
 * @example
 * const policy = proofPolicy(['ES256'], 8192, bases, 60, 5, backend, Date.now);
 */
export function proofPolicy(
  algorithms: readonly string[],
  maxProofLength: number,
  bases: ExternalBases,
  maxAgeSeconds: number,
  toleranceSeconds: number,
  backend: JwtCryptoBackend,
  now: () => number,
): ProofPolicy {
  return {
    header: {
      maxTokenLength: maxProofLength,
      maxHeaderLength: maxProofLength,
      algorithms: new Set(algorithms),
      typ: 'application/dpop+jwt',
    },
    bases,
    maxAgeSeconds,
    toleranceSeconds,
    backend,
    keys: new BoundedMap(4096, now, true),
  };
}

/** The DPoP error for a failure of the shared compact-JWS parser. */
function fromJwtError(error: SecurityError, errors: DpopErrors): SecurityError {
  if (error === JWT_ERRORS.tooLarge) return errors.proofTooLarge;
  if (error === JWT_ERRORS.algNotAllowed) return errors.algNotAllowed;
  if (error === JWT_ERRORS.typeInvalid) return errors.typeInvalid;
  return errors.proofMalformed;
}

const fail = (error: SecurityError, detail: string): ProofFailure => ({ ok: false, error, detail });

/** A non-empty string of at most `max` characters. */
function text(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max;
}

/**
 * Check a DPoP proof against its request and access token, RFC 9449 §4.3 steps 2 to 9, 11 and 12, cheapest
 * first so a refusal costs as little as it can: size, compact JWS (the JWT parser: canonical base64url,
 * unique header members, no `crit`), `typ` dpop+jwt, an allowed asymmetric `alg`, a public `jwk` of the
 * type `alg` needs, the claims (`jti`, `htm`, `htu`, `iat`, `ath`), `htm` and `htu` against the request,
 * `iat` in the window, `ath` against the token, the key against the token's `cnf.jkt`, and last the
 * signature. Nonce and replay (which need a store or a secret) are the caller's.
 *
 * @example
 * const r = await checkProof(proof, req, token, claims, policy, errors, nowMs);
 * if (!r.ok) return refuse(r.error, r.detail);
 */
export async function checkProof(
  proof: string,
  req: RequestLike,
  token: string,
  claims: Readonly<Record<string, unknown>>,
  policy: ProofPolicy,
  errors: DpopErrors,
  nowMs: number,
): Promise<{ readonly ok: true; readonly value: DpopProof } | ProofFailure> {
  const { backend } = policy;
  const parsed = parseCompact(proof, policy.header, backend);
  if (Array.isArray(parsed)) return fail(fromJwtError(parsed[0], errors), `proof ${parsed[1]}`);
  const alg = parsed.alg as JwtAlgorithm;
  const keyResult = checkProofKey(parsed.header.jwk, alg, backend);
  const key = keyResult instanceof Promise ? await keyResult : keyResult;
  if (typeof key === 'string') return fail(errors.keyInvalid, key);
  const payload = parsePayload(parsed.payloadPart, backend);
  if (Array.isArray(payload)) return fail(errors.proofMalformed, `proof ${payload[1]}`);
  const { jti, htm, htu, iat, ath, nonce } = payload;
  if (!text(jti, 256)) return fail(errors.proofMalformed, 'jti is not a string of 1 to 256 characters');
  if (!text(htm, 64)) return fail(errors.proofMalformed, 'htm is not a method name');
  if (!text(htu, 4096)) return fail(errors.proofMalformed, 'htu is not a URI of at most 4096 characters');
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    return fail(errors.proofMalformed, 'iat is not a number');
  if (!text(ath, 128)) return fail(errors.athMismatch, 'the proof has no ath for the access token');
  if (nonce !== undefined && !text(nonce, 512)) return fail(errors.proofMalformed, 'nonce is not a string');
  if (htm !== req.method)
    return fail(errors.htmMismatch, `htm ${JSON.stringify(htm.slice(0, 16))} is not ${req.method}`);
  if (!htuMatches(policy.bases, req.url, htu)) return fail(errors.htuMismatch, 'htu does not name this URL');
  const nowSeconds = nowMs / 1000;
  if (iat > nowSeconds + policy.toleranceSeconds) {
    return fail(errors.notYetValid, `iat is ${Math.round(iat - nowSeconds)} s in the future`);
  }
  if (iat < nowSeconds - policy.maxAgeSeconds - policy.toleranceSeconds) {
    return fail(errors.expired, `iat is ${Math.round(nowSeconds - iat)} s old`);
  }
  // ath = base64url(SHA-256(access token)), which is what hashToken computes.
  const hashed = backend.hashToken(token);
  if (ath !== (typeof hashed === 'string' ? hashed : await hashed)) {
    return fail(errors.athMismatch, 'ath is not the hash of the presented access token');
  }
  const cnf = claims.cnf;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>).jkt : undefined;
  if (typeof jkt !== 'string') return fail(errors.tokenNotBound, 'the access token has no cnf.jkt');
  if (jkt !== key.jkt) return fail(errors.keyMismatch, 'cnf.jkt is not the thumbprint of the proof key');
  const signature = parseSignature(parsed.signaturePart, backend);
  if (Array.isArray(signature)) return fail(errors.proofMalformed, `proof ${signature[1]}`);
  const cacheKey = `${alg} ${key.jkt}`;
  let handle = policy.keys.get(cacheKey);
  if (handle === undefined) {
    try {
      handle = await backend.importPublicJwk(key.jwk, alg);
    } catch (err) {
      return fail(errors.keyInvalid, `jwk cannot be imported: ${(err as Error)?.message}`);
    }
    policy.keys.set(cacheKey, handle, Number.MAX_SAFE_INTEGER);
  }
  const verified = backend.verify(alg, handle, parsed.signingInput, signature);
  if (!(typeof verified === 'boolean' ? verified : await verified)) {
    return fail(errors.signatureInvalid, 'the proof signature does not verify with its jwk');
  }
  return { ok: true, value: { jkt: key.jkt, alg, jti, iat, nonce: nonce as string | undefined } };
}
