import { ConfigError, type SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { EVENTS, Reporter } from '../observe/reporter.js';
import { observedCheck, timedOperation } from '../observe/telemetry.js';
import { cryptoBackend } from '../jwt/crypto-backend.js';
import type { JwtCryptoBackend } from '../jwt/crypto-types.js';
import { createMemoryReplayStore } from '../stores/memory.js';
import type { ReplayStore } from '../stores/types.js';
import { RULE, type Rule } from '../rule.js';
import { allow, deny, type HeaderList, type Verdict } from '../verdict.js';
import { createDpopErrors, type DpopErrors, nonceDenial } from './errors.js';
import { createNonceIssuer, type NonceIssuer } from './nonce.js';
import { checkDpopOptions, type DpopAlgorithm, type DpopOptions } from './options.js';
import { checkProof, type DpopProof, proofPolicy } from './proof.js';

/** The access token a DPoP request presented, verified. */
export interface DpopPresentation {
  /** The access token exactly as sent (its hash is the proof's `ath`). */
  readonly token: string;
  /** Its verified claims (`cnf.jkt` binds it to the proof key). */
  readonly claims: Readonly<Record<string, unknown>>;
  /**
   * The proof an earlier rule already accepted for this same request (a router-level and a route-level
   * `requireJwt`): the same proof is not claimed twice, so it is not refused as its own replay.
   */
  readonly accepted?: DpopProof | undefined;
}

/** A configured DPoP proof verifier. */
export interface DpopVerifier extends Rule<'dpop'> {
  /**
   * Check the request's one `DPoP` proof for the access token it was sent with under `Authorization: DPoP`:
   * every RFC 9449 §4.3 check, the server nonce when configured, then the `jti` claimed in the replay store.
   * `mode` is the route's, which decides the challenges of a denial (`'allowed'` lists Bearer beside DPoP).
   */
  check(
    req: RequestLike,
    presented: DpopPresentation,
    mode?: 'required' | 'allowed',
  ): Promise<Verdict<DpopProof>>;
  /** The denials of a route mode, with their challenges (for the scheme checks that precede a proof). */
  errors(mode: 'required' | 'allowed' | 'off'): DpopErrors;
  /** The accepted proof algorithms (the `algs` of challenges). */
  readonly algorithms: readonly DpopAlgorithm[];
  /** The mode of routes that do not set one. */
  readonly mode: 'required' | 'allowed';
}

/** A compact JWS has neither commas nor spaces: one in the header value means two headers were joined. */
const JOINED = /[\s,]/;

/**
 * Create a DPoP proof verifier (RFC 9449) for a resource server. Everything is checked here, once.
 * Usually given to `createJwtVerifier({ …, dpop })`, which runs it for tokens sent with the DPoP scheme.
 *
 * @example
 * const dpop = createDpopVerifier({
 *   externalUrl: 'https://api.example.com',
 *   replay: createMemoryReplayStore(),
 * });
 * const verdict = await dpop.check(req, { token, claims });
 */
export function createDpopVerifier(options: DpopOptions): DpopVerifier {
  return createDpopVerifierWith(options, cryptoBackend);
}

/**
 * {@link createDpopVerifier} with an explicit signature back end (tests run WebCrypto on node).
 *
 * @example
 * const dpop = createDpopVerifierWith(options, webBackend);
 */
export function createDpopVerifierWith(options: DpopOptions, backend: JwtCryptoBackend): DpopVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(
      'dpop',
      'options are required',
      "pass at least { externalUrl: 'https://api.example.com' }",
    );
  }
  const checked = checkDpopOptions('dpop', options);
  const now = options.now ?? Date.now;
  const events = new Reporter(options.onEvent, 'dpop');
  const onEvent: OnEvent = events.emit;
  const replay: ReplayStore = options.replay ?? createMemoryReplayStore({ now });
  const nonces: NonceIssuer | undefined =
    options.nonce === undefined ? undefined : createNonceIssuer('dpop.nonce', options.nonce, now);
  const { algorithms } = checked;
  const policy = proofPolicy(
    algorithms,
    checked.maxProofLength,
    checked.bases,
    checked.maxProofAgeSeconds,
    checked.clockToleranceSeconds,
    backend,
    now,
  );
  const byMode = {
    required: createDpopErrors('required', algorithms),
    allowed: createDpopErrors('allowed', algorithms),
    off: createDpopErrors('off', algorithms),
  };
  // A jti must be remembered for as long as a proof carrying it could be accepted: its iat may be up to the
  // tolerance ahead of our clock, and it stays acceptable until maxAge + tolerance after its iat.
  const replayTtlMs = (checked.maxProofAgeSeconds + 2 * checked.clockToleranceSeconds) * 1000;
  // The use_dpop_nonce denial of the current nonce, per mode, rebuilt once per rotation.
  const nonceDenials = new Map<string, SecurityError>();

  function refuse(
    error: SecurityError,
    detail: string,
    req: RequestLike,
    type: 'dpop.rejected' | 'dpop.replayed' = 'dpop.rejected',
    jkt?: string,
  ): Verdict<DpopProof> {
    emit(onEvent, {
      type,
      code: error.code,
      detail,
      method: req.method,
      path: requestPath(req.url),
      ...(jkt !== undefined ? { data: { jkt } } : {}),
    });
    return deny(error);
  }

  async function askForNonce(mode: 'required' | 'allowed', nonce: string): Promise<SecurityError> {
    const key = `${mode} ${nonce}`;
    let error = nonceDenials.get(key);
    if (error === undefined) {
      if (nonceDenials.size >= 8) nonceDenials.clear();
      error = nonceDenial(mode, algorithms, nonce);
      nonceDenials.set(key, error);
    }
    return error;
  }

  return {
    [RULE]: 'dpop',
    [EVENTS]: events,
    algorithms,
    mode: checked.mode,
    errors: (mode) => byMode[mode],
    check: observedCheck(
      'dpop',
      events,
      async (req: RequestLike, presented: DpopPresentation, mode: 'required' | 'allowed' = checked.mode) => {
        const errors = byMode[mode];
        const values = req.headerValues?.('dpop');
        if (values !== undefined && values.length > 1) {
          return refuse(errors.proofMultiple, `${values.length} DPoP headers`, req);
        }
        const proof = values === undefined ? req.header('dpop') : values[0];
        if (proof === undefined || proof === '') return refuse(errors.proofMissing, 'no DPoP header', req);
        if (proof.length > checked.maxProofLength) {
          return refuse(errors.proofTooLarge, `proof is ${proof.length} characters`, req);
        }
        if (JOINED.test(proof))
          return refuse(errors.proofMultiple, 'the DPoP header holds several values', req);
        const nowMs = now();
        const result = await checkProof(proof, req, presented.token, presented.claims, policy, errors, nowMs);
        if (!result.ok) return refuse(result.error, result.detail, req);
        const { jkt, jti } = result.value;
        let headers: HeaderList | undefined;
        if (nonces !== undefined) {
          const status = await nonces.check(result.value.nonce);
          if (status === 'invalid') {
            const detail =
              result.value.nonce === undefined ? 'the proof has no nonce' : 'the proof nonce is not current';
            return refuse(await askForNonce(mode, await nonces.current()), detail, req, 'dpop.rejected', jkt);
          }
          // RFC 9449 §8.2: hand the next nonce out before the one in use stops being accepted.
          if (status === 'previous') headers = [['dpop-nonce', await nonces.current()]];
        }
        const earlier = presented.accepted;
        if (earlier !== undefined && earlier.jti === jti && earlier.jkt === jkt) {
          return headers === undefined ? allow(result.value) : allow(result.value, headers);
        }
        const hashed = backend.hashToken(`${jkt}.${jti}`);
        const key = `dpop:${typeof hashed === 'string' ? hashed : await hashed}`;
        let claimed: boolean;
        try {
          claimed =
            (await timedOperation('dpop.store.claim', replay.claim(key, replayTtlMs))).outcome === 'claimed';
        } catch (err) {
          // Replay protection fails closed: an unknown answer is not "never seen".
          return refuse(
            errors.replayUnavailable,
            `replay store failed: ${(err as Error)?.message}`,
            req,
            'dpop.rejected',
            jkt,
          );
        }
        if (!claimed)
          return refuse(
            errors.replayed,
            'this jti was already used with this key',
            req,
            'dpop.replayed',
            jkt,
          );
        return headers === undefined ? allow(result.value) : allow(result.value, headers);
      },
    ),
  };
}
