import { challenge, createDpopErrors, type ChallengeMode } from '../dpop/errors.js';
import type { DpopMode } from '../dpop/options.js';
import type { DpopProof } from '../dpop/proof.js';
import { createDpopVerifierWith, type DpopVerifier } from '../dpop/verifier.js';
import { ConfigError, SecurityError } from '../errors.js';
import { emit } from '../events.js';
import { EVENTS, Reporter } from '../observe/reporter.js';
import { observedCheck, timedOperation } from '../observe/telemetry.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { BoundedMap } from '../stores/bounded-map.js';
import { verifyCertificateBinding } from '../mtls/binding.js';
import type { MtlsPeer } from '../mtls/peer.js';
import { isRule, RULE, type Rule } from '../rule.js';
import { type Allowed, type Answered, allow, type Denied, deny, type Verdict } from '../verdict.js';
import { checkAlgorithms, type JwtAlgorithm } from './algorithms.js';
import { listOption, nonEmpty, resolveIssuers } from './config.js';
import { createJwtAuthorizer, type JwtAuthorizer, type JwtRouteOptions } from './authorize.js';
import { carriesNoCredentials, extractCredentials, isB64Token } from './bearer.js';
import { checkClaims, type ClaimsPolicy, normalizeTyp } from './claims.js';
import { type HeaderPolicy, parseCompact, parsePayload, parseSignature } from './compact.js';
import { cryptoBackend } from './crypto-backend.js';
import type { JwtCryptoBackend } from './crypto-types.js';
import { JWT_ERRORS } from './errors.js';
import type { KeySource } from './jwks.js';
import type { KeySourceContext } from './keys.js';
import { checkJwtOptions } from './option-check.js';
import type { BoundKey } from './keyset.js';
import type { JwtVerifierOptions } from './options.js';

/** Verified JWT claims. */
export type JwtClaims = Readonly<Record<string, unknown>> & {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly exp?: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
};

/** What an adapter knows about the request beyond the request itself. */
export interface JwtCheckContext {
  /** The peer the mTLS rule established (its certificate is the one a certificate-bound token must match). */
  readonly mtls?: MtlsPeer | undefined;
  /** The DPoP proof an earlier rule accepted for this same request (not claimed again as a replay). */
  readonly dpop?: DpopProof | undefined;
}

/**
 * The decision of {@link JwtVerifier.check}: the verified claims and, when the token came with the DPoP
 * scheme, the checked proof (`dpop.jkt` is the key the token is bound to).
 */
export type JwtVerdict =
  | (Allowed<JwtClaims> & { readonly dpop?: DpopProof })
  | AnonymousVerdict
  | Denied
  | Answered;

/** An optional route's request that carried no credentials: it goes on with no claims. */
export interface AnonymousVerdict extends Allowed<undefined> {
  readonly anonymous: true;
  readonly dpop?: undefined;
}

const ANONYMOUS: AnonymousVerdict = Object.freeze({
  ok: true,
  value: undefined,
  headers: Object.freeze([]),
  anonymous: true,
});

/** A configured JWT verifier. */
export interface JwtVerifier extends Rule<'jwt'> {
  /**
   * Extract the access token from the request (`Bearer`, or `DPoP` with its proof when the route's DPoP
   * mode allows it), verify it and, with `route` (compiled by {@link createJwtAuthorizer}), authorize it
   * (403 when not enough) and check its certificate binding.
   */
  check(req: RequestLike): Promise<Exclude<JwtVerdict, AnonymousVerdict>>;
  /** With a route: an optional route (`optional: true`) lets a request without credentials through as {@link AnonymousVerdict}. */
  check(req: RequestLike, route?: JwtAuthorizer, context?: JwtCheckContext): Promise<JwtVerdict>;
  /** Verify a compact JWS you already extracted. */
  verifyToken(token: string): Promise<Verdict<JwtClaims>>;
  /** Check per-route scopes and claim predicates of verified claims (compile once with {@link createJwtAuthorizer}). */
  authorize(claims: JwtClaims, route: JwtRouteOptions | JwtAuthorizer): Verdict<JwtClaims>;
  /** Revoke a verified token by its `jti` until its `exp` (needs the `revocation` option). */
  revoke(claims: JwtClaims): Promise<void>;
  /** The validated allowlist (all issuers). */
  readonly algorithms: readonly JwtAlgorithm[];
  /** The signature back end in use: `node` (node:crypto) or `webcrypto`. */
  readonly backend: 'node' | 'webcrypto';
  /** The DPoP proof verifier of the `dpop` option, if any. */
  readonly dpop?: DpopVerifier;
}

// Registered: a verifier built by another installed copy of core still offers its settled check.
const CHECK_NOW: unique symbol = Symbol.for('bulwark.jwt.checkNow');

/** A verifier's check that answers without a promise when it had nothing to wait for: see {@link jwtCheckNow}. */
export type JwtCheckNow = (
  req: RequestLike,
  route?: JwtAuthorizer,
  context?: JwtCheckContext,
) => JwtVerdict | Promise<JwtVerdict>;

/**
 * `verifier.check` as a function that answers with the verdict itself when it had nothing to wait for (a
 * refusal, or a bearer token of a verifier that has its keys, on the node back end), and with a promise
 * otherwise (WebCrypto, a JWKS fetch, a revocation store, a DPoP proof, a certificate binding); undefined
 * for a verifier not built by `createJwtVerifier`. It decides exactly as `check` does (same verdicts,
 * events and telemetry), but a route needing DPoP from a verifier without it is a synchronous throw rather
 * than a rejected promise. For adapters whose framework takes a synchronous answer: a refusal then costs no
 * promise and no microtask hop.
 *
 * @example
 * const now = jwtCheckNow(verifier);
 * const verdict = now !== undefined ? now(req) : verifier.check(req);
 * if (verdict instanceof Promise) verdict.then(carryOut); else carryOut(verdict);
 */
export function jwtCheckNow(verifier: JwtVerifier): JwtCheckNow | undefined {
  const now = (verifier as { [CHECK_NOW]?: unknown })[CHECK_NOW];
  return typeof now === 'function' ? (now as JwtCheckNow) : undefined;
}

/**
 * A route's rules compiled for `verifier` and checked against it, for adapters building a route: a DPoP mode
 * other than 'off' needs the verifier's `dpop` option, so such a route stops the app when it is built instead
 * of answering 500 on its first request. Takes route options or rules already compiled by
 * {@link createJwtAuthorizer} (several levels combined); undefined without a route (the verifier's defaults).
 *
 * @example
 * const authorize = createJwtRoute(verifier, { scopes: ['orders:read'], dpop: 'required' }); // ConfigError without dpop
 * await verifier.check(req, authorize);
 */
export function createJwtRoute(
  verifier: JwtVerifier,
  route: JwtRouteOptions | JwtAuthorizer | undefined,
): JwtAuthorizer | undefined {
  if (route === undefined) return undefined;
  const authorize = typeof route === 'function' ? route : createJwtAuthorizer(route);
  if (authorize.dpop !== undefined && authorize.dpop !== 'off' && verifier.dpop === undefined)
    throw dpopNotConfigured(authorize.dpop);
  return authorize;
}

function dpopNotConfigured(mode: DpopMode): ConfigError {
  return new ConfigError(
    'jwt.dpop',
    `a route asks for DPoP '${mode}' but the verifier has no dpop option`,
    "pass dpop: { externalUrl: 'https://api.example.com' } to createJwtVerifier, or drop the route's dpop",
  );
}

/** A verified token in the cache, with the key that verified it and where that key came from. */
interface CachedVerification {
  readonly claims: JwtClaims;
  /** The verdict every hit answers with (frozen, like the claims): no allocation per hit. */
  readonly verdict: Allowed<JwtClaims>;
  /** `verdict` as an already settled promise (frozen), what the public `verifyToken` hands every hit. */
  readonly settled: Promise<Verdict<JwtClaims>>;
  readonly key: BoundKey;
  readonly source: KeySource;
  /** The source's keys never change (configured keys): the entry needs no `holds` check. */
  readonly fixed: boolean;
}

/** Store key of a revoked token: issuer and jti, length-prefixed so no two pairs collide. */
function revocationKey(iss: unknown, jti: string): string {
  const i = typeof iss === 'string' ? iss : '';
  return `jwt:${i.length}:${i}:${jti}`;
}

/**
 * Create a bearer-JWT verifier. Everything is validated here, once: a wrong setting throws a
 * {@link ConfigError} at startup instead of failing at request time.
 *
 * @example
 * const verifier = createJwtVerifier({
 *   algorithms: ['RS256'],
 *   issuer: 'https://id.example.com/',
 *   audience: 'https://api.example.com',
 *   jwksUri: 'https://id.example.com/.well-known/jwks.json',
 *   typ: 'at+jwt',
 * });
 * const verdict = await verifier.check(req);
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  return createJwtVerifierWith(options, cryptoBackend);
}

/**
 * {@link createJwtVerifier} with an explicit signature back end. Internal: lets the tests run the
 * WebCrypto back end on node, where the import condition picks node:crypto.
 *
 * @example
 * const v = createJwtVerifierWith(options, webBackend);
 */
export function createJwtVerifierWith(options: JwtVerifierOptions, backend: JwtCryptoBackend): JwtVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(
      'jwt',
      'options are required',
      'pass algorithms, issuer, audience and a key source',
    );
  }
  const checked = checkJwtOptions(options);
  const now = options.now ?? Date.now;
  const events = new Reporter(options.onEvent, 'jwt');
  const onEvent = events.emit;
  const allowHttp = options.dangerouslyAllowHttpIssuer;
  if (allowHttp !== undefined && allowHttp !== true) {
    throw new ConfigError(
      'jwt.dangerouslyAllowHttpIssuer',
      `${JSON.stringify(allowHttp)} is not true`,
      'set it to true (development only) or leave it out',
    );
  }
  if (allowHttp === true) {
    // Held until the adapter attaches the app's sink (see Reporter), console only when the app has none.
    onEvent({
      type: 'jwt.config_warning',
      detail:
        'jwt.dangerouslyAllowHttpIssuer is set: the JWKS and discovery document may be fetched over plain ' +
        'http, where anyone on the path can swap the keys. Development only; use https in production.',
    });
  }
  // The flag travels with the JWKS settings to every key source (config checks, fetches, discovered URLs).
  const jwksSettings = allowHttp === true ? { ...checked.jwks, allowHttp: true } : checked.jwks;
  const ctx: KeySourceContext = { backend, jwks: jwksSettings, onEvent, now };
  const algorithms = checkAlgorithms('jwt.algorithms', options.algorithms);
  const audience = listOption('jwt.audience', options.audience);
  if (audience === undefined && options.dangerouslyAcceptAnyAudience !== true) {
    throw new ConfigError(
      'jwt.audience',
      'is required: without it a token minted for another service is accepted here',
      "set this API's audience identifier",
    );
  }
  const { issuers, anyIssuer, all } = resolveIssuers(options, algorithms, ctx);
  // One accepted issuer (the usual case): its name compared with ===, no hash of the token's iss for a lookup.
  const [onlyIssuer, onlyEntry] = issuers.size === 1 ? [...issuers][0]! : [undefined, undefined];
  const { numbers } = checked;
  const headerPolicy: HeaderPolicy = {
    maxTokenLength: numbers.maxTokenLength,
    maxHeaderLength: numbers.maxHeaderLength,
    algorithms: all,
    typ: options.typ === undefined ? undefined : normalizeTyp(nonEmpty('jwt.typ', options.typ)),
    memo: new Map(),
    refused: new Map(),
  };
  const revocation = options.revocation;
  const policy: ClaimsPolicy = {
    audience,
    clockToleranceSeconds: numbers.clockToleranceSeconds,
    maxTokenAgeSeconds: numbers.maxTokenAgeSeconds,
    maxLifetimeSeconds: numbers.maxLifetimeSeconds,
    requiredClaims: (options.requiredClaims ?? []).map((c, i) => nonEmpty(`jwt.requiredClaims[${i}]`, c)),
    requireJti: revocation !== undefined,
  };
  const cache =
    numbers.cache === undefined
      ? undefined
      : new BoundedMap<string, CachedVerification>(numbers.cache.maxEntries, now, true);
  const cacheMaxAgeMs = numbers.cache?.maxAgeMs ?? 0;
  const dpop: DpopVerifier | undefined =
    options.dpop === undefined
      ? undefined
      : isRule(options.dpop, 'dpop')
        ? (options.dpop as DpopVerifier)
        : createDpopVerifierWith(
            {
              ...(options.now !== undefined ? { now: options.now } : {}),
              ...(onEvent !== undefined ? { onEvent } : {}),
              ...options.dpop,
            },
            backend,
          );
  const defaultMode: DpopMode = dpop?.mode ?? 'off';
  const dpopErrors = dpop?.errors ?? ((mode: DpopMode) => offErrors(mode));
  const algs = dpop?.algorithms.join(' ') ?? '';
  // The JWT denials (with their Bearer challenges) as a DPoP route answers them, built once per error.
  const rechallenged = new WeakMap<SecurityError, Map<string, SecurityError>>();

  /** `error` with the challenge of `mode` for a request sent with `scheme` (RFC 9449 §7.1, §7.2). */
  function inMode(verdict: Denied, mode: ChallengeMode, scheme: 'bearer' | 'dpop'): Denied {
    const { error } = verdict;
    const header = error.headers.find(([name]) => name === 'www-authenticate');
    if (header === undefined || !/^Bearer(?: |$)/.test(header[1])) return verdict;
    let forms = rechallenged.get(error);
    if (forms === undefined) {
      forms = new Map();
      rechallenged.set(error, forms);
    }
    const key = `${mode} ${scheme}`;
    let copy = forms.get(key);
    if (copy === undefined) {
      const value = challenge(mode, scheme, algs, header[1].slice(7));
      copy = new SecurityError({
        code: error.code,
        status: error.status,
        message: error.message,
        headers: error.headers.map((h) => (h === header ? ['www-authenticate', value] : h)),
      });
      forms.set(key, copy);
    }
    return deny(copy);
  }

  function reject(error: SecurityError, detail: string, req?: RequestLike): Verdict<JwtClaims> {
    // Under a flood nobody may listen: the event is built only for a hook, a log or a sampled denial log.
    if (events.reaches('jwt.rejected')) {
      emit(onEvent, {
        type: 'jwt.rejected',
        code: error.code,
        detail,
        ...(req !== undefined ? { method: req.method, path: requestPath(req.url) } : {}),
      });
    }
    return denialOf(error);
  }

  /**
   * A refusal of a token read from a request whose characters were not checked yet (`raw`): a token that is
   * not an RFC 6750 b64token is answered as malformed, as extractCredentials would have answered it. Only
   * refusals need the check: every token accepted is three canonical base64url parts (or equal to one that
   * was, for a cache hit), which is a b64token, so the allow path skips a regex over the whole token.
   */
  function refuse(
    token: string,
    raw: boolean,
    error: SecurityError,
    detail: string,
    req?: RequestLike,
    checked = 0,
  ) {
    // `checked`: leading characters already known to be base64url (a header that decoded before it was
    // refused): the b64token check reads only the rest.
    return raw && !isB64Token(token, checked)
      ? reject(JWT_ERRORS.malformed, 'no usable access token in the request', req)
      : reject(error, detail, req);
  }

  async function checkRevoked(claims: JwtClaims, req?: RequestLike): Promise<Verdict<JwtClaims> | undefined> {
    if (revocation === undefined) return undefined;
    try {
      const key = revocationKey(claims.iss, claims.jti as string);
      if (await timedOperation('jwt.revocation.check', revocation.isRevoked(key))) {
        return reject(JWT_ERRORS.revoked, 'jti is on the revocation list', req);
      }
    } catch (err) {
      // Revocation fails closed: an unknown status is not "not revoked".
      return reject(
        JWT_ERRORS.revocationUnavailable,
        `revocation store failed: ${(err as Error)?.message}`,
        req,
      );
    }
    return undefined;
  }

  type Outcome = Verdict<JwtClaims> | Promise<Verdict<JwtClaims>>;

  /**
   * Verify a token. Synchronous as long as nothing has to be waited for (node: the token hash, the key
   * lookup once keys are loaded and the signature check all are), so neither a refusal nor an allowed token
   * costs a promise of its own; the steps that may be asynchronous (WebCrypto, a JWKS fetch, the revocation
   * store) continue in a `then`. Nothing here throws: every failure is a verdict.
   */
  function verifyToken(token: string, req?: RequestLike, raw = false, settled = false): Outcome {
    if (typeof token !== 'string') return reject(JWT_ERRORS.malformed, 'token is not a string', req);
    if (cache !== undefined && token.length <= headerPolicy.maxTokenLength) {
      // SHA-256 of the whole token (see docs/jwt.md, verified-token cache): the map holds no usable token,
      // and a hit means the very same token, short of a SHA-256 collision.
      const h = backend.cacheKey(token);
      return typeof h === 'string'
        ? fromCache(token, h, req, raw, settled)
        : h.then((key) => fromCache(token, key, req, raw, false));
    }
    return verifyUncached(token, undefined, req, raw);
  }

  /** A hit answers its entry's verdict (`settled`: as the entry's settled promise, for the public verifyToken). */
  function fromCache(
    token: string,
    cacheKey: string,
    req: RequestLike | undefined,
    raw: boolean,
    settled: boolean,
  ): Outcome {
    const store = cache as BoundedMap<string, CachedVerification>;
    // One clock reading for the entry's expiry and its key source's own (a JWKS past its stale limit).
    const at = now();
    const cached = store.get(cacheKey, at);
    // An entry is only as good as the key that verified it: once its source no longer publishes that
    // key (withdrawn, or replaced under the same kid), the token is verified again, and refused.
    if (cached !== undefined && !cached.fixed && !cached.source.holds(cached.key, at)) store.delete(cacheKey);
    else if (cached !== undefined) {
      if (revocation === undefined) return settled ? cached.settled : cached.verdict;
      return checkRevoked(cached.claims, req).then((revoked) => revoked ?? cached.verdict);
    }
    return verifyUncached(token, cacheKey, req, raw);
  }

  function verifyUncached(
    token: string,
    cacheKey: string | undefined,
    req: RequestLike | undefined,
    raw: boolean,
  ): Outcome {
    const parsed = parseCompact(token, headerPolicy, backend);
    if (Array.isArray(parsed)) return refuse(token, raw, parsed[0], parsed[1], req, parsed[2]);
    const claims = parsePayload(parsed.payloadPart, backend);
    if (Array.isArray(claims)) return refuse(token, raw, claims[0], claims[1], req);
    let entry = anyIssuer;
    if (entry === undefined) {
      const iss = claims.iss;
      entry = typeof iss !== 'string' ? undefined : iss === onlyIssuer ? onlyEntry : issuers.get(iss);
      if (entry === undefined)
        return refuse(token, raw, JWT_ERRORS.issuerMismatch, '"iss" names no accepted issuer', req);
    }
    if (!entry.algorithms.has(parsed.alg)) {
      return refuse(
        token,
        raw,
        JWT_ERRORS.algNotAllowed,
        `alg ${parsed.alg} is not accepted for this issuer`,
        req,
      );
    }
    // Decoded into the back end's reused memory (no allocation): copied below if the key lookup waits.
    const signature = parseSignature(parsed.signaturePart, backend, true);
    if (Array.isArray(signature)) return refuse(token, raw, signature[0], signature[1], req);
    // Past this point the token parsed, so it is a b64token: plain reject. The steps below take the token's
    // parts as arguments: nothing is allocated to carry them unless a step has to wait.
    const { signingInput } = parsed;
    const source = entry.source;
    const found = source.get(parsed.kid, parsed.alg);
    if (found instanceof Promise) {
      const kept = new Uint8Array(signature);
      return found.then((key) => withKey(signingInput, claims, kept, source, cacheKey, req, key));
    }
    return withKey(signingInput, claims, signature, source, cacheKey, req, found);
  }

  function withKey(
    signingInput: string,
    claims: Record<string, unknown>,
    signature: Uint8Array,
    source: KeySource,
    cacheKey: string | undefined,
    req: RequestLike | undefined,
    key: BoundKey | [SecurityError, string],
  ): Outcome {
    if (Array.isArray(key)) return reject(key[0], key[1], req);
    // An expired token is the common refusal of a genuine client (a stale token), so it costs no signature
    // check: the claims are checked first, and when the first rule they break is the token's age (exp, or
    // maxTokenAgeSeconds) the answer is JWT_EXPIRED now, as it would be after a valid signature. Any other
    // claim failure waits for the signature, so a forged token is still reported as one. Checked after the
    // key lookup, which may wait on a JWKS fetch, so the clock is read right before the decision, as before.
    const nowMs = now();
    const failure = checkClaims(claims, policy, Math.floor(nowMs / 1000));
    if (failure !== undefined && failure[0] === JWT_ERRORS.expired)
      return reject(failure[0], failure[1], req);
    const checked = backend.verify(key.alg, key.handle, signingInput, signature);
    return typeof checked === 'boolean'
      ? signed(claims, source, cacheKey, req, key, nowMs, checked, failure)
      : checked.then((ok) => signed(claims, source, cacheKey, req, key, nowMs, ok, failure));
  }

  function signed(
    claims: Record<string, unknown>,
    source: KeySource,
    cacheKey: string | undefined,
    req: RequestLike | undefined,
    key: BoundKey,
    nowMs: number,
    ok: boolean,
    failure: [SecurityError, string] | undefined,
  ): Outcome {
    if (!ok) {
      return reject(
        JWT_ERRORS.signatureInvalid,
        `signature does not verify with key ${key.kid ?? '(no kid)'}`,
        req,
      );
    }
    if (failure !== undefined) return reject(failure[0], failure[1], req);
    const verified = claims as JwtClaims;
    if (revocation === undefined) return accept(source, cacheKey, key, nowMs, verified);
    return checkRevoked(verified, req).then(
      (revoked) => revoked ?? accept(source, cacheKey, key, nowMs, verified),
    );
  }

  function accept(
    source: KeySource,
    cacheKey: string | undefined,
    key: BoundKey,
    nowMs: number,
    verified: JwtClaims,
  ): Verdict<JwtClaims> {
    if (cache !== undefined && cacheKey !== undefined) {
      let until = Math.min((verified.exp as number) * 1000, nowMs + cacheMaxAgeMs);
      if (policy.maxTokenAgeSeconds !== undefined)
        until = Math.min(until, ((verified.iat as number) + policy.maxTokenAgeSeconds) * 1000);
      // One claims object (and one verdict) is handed to every request that repeats the token: frozen, so a
      // handler cannot change what the next request is authorized with.
      if (until > nowMs) {
        const frozen = deepFreeze(verified);
        const verdict = Object.freeze(allow(frozen));
        const settled = Object.freeze(Promise.resolve(verdict as Verdict<JwtClaims>));
        const fixed = source.fixed === true;
        cache.set(cacheKey, { claims: frozen, verdict, settled, key, source, fixed }, until);
        return verdict;
      }
    }
    return allow(verified);
  }

  /**
   * check()'s decision, synchronous until a step returns a promise (a token whose verification waits, a DPoP
   * proof, a certificate binding), then continued in a `then`. A refusal or an allowed bearer token of a
   * verifier that has its keys answers without a promise. Throws only for a route needing DPoP without it.
   */
  function decide(
    req: RequestLike,
    route?: JwtAuthorizer,
    context?: JwtCheckContext,
  ): JwtVerdict | Promise<JwtVerdict> {
    const mode = route?.dpop ?? defaultMode;
    // Adapters check this when they build the route (createJwtRoute); a route compiled apart reaches it here.
    if (mode !== 'off' && dpop === undefined) throw dpopNotConfigured(mode);
    if (route?.optional === true && carriesNoCredentials(req)) return ANONYMOUS;
    // The token's characters are checked only if it is refused (verifyToken's `raw`, see refuse()).
    const credentials = extractCredentials(req, mode !== 'off', false);
    if ('ok' in credentials) {
      const denied = reject(credentials.error, 'no usable access token in the request', req) as Denied;
      return mode === 'off' ? denied : inMode(denied, mode, 'bearer');
    }
    const { scheme, token } = credentials;
    // Where a token that is no b64token would get another answer than the token path gives it (a DPoP
    // challenge in bearer form, the DPoP-required refusal), it is checked here, as extractCredentials does.
    if ((scheme === 'dpop' || mode === 'required') && !isB64Token(token)) {
      const denied = reject(JWT_ERRORS.malformed, 'no usable access token in the request', req) as Denied;
      return inMode(denied, mode as ChallengeMode, 'bearer');
    }
    if (scheme === 'bearer' && mode === 'required') {
      return reject(dpopErrors(mode).required, 'a bearer token on a route that requires DPoP', req);
    }
    const outcome = verifyToken(token, req, scheme === 'bearer');
    if (outcome instanceof Promise) {
      return outcome.then((verdict) => verified(verdict, req, route, context, mode, scheme, token));
    }
    return verified(outcome, req, route, context, mode, scheme, token);
  }

  /** decide(), once the token is verified: its DPoP proof or bearer form, then the route's rules. */
  function verified(
    verdict: Verdict<JwtClaims>,
    req: RequestLike,
    route: JwtAuthorizer | undefined,
    context: JwtCheckContext | undefined,
    mode: DpopMode,
    scheme: 'bearer' | 'dpop',
    token: string,
  ): JwtVerdict | Promise<JwtVerdict> {
    if (!verdict.ok) return mode === 'off' ? verdict : inMode(verdict as Denied, mode, scheme);
    const accepted = verdict;
    const claims = accepted.value;
    if (scheme === 'dpop') {
      // A DPoP scheme is only read when the mode is not 'off', and then the verifier has a dpop rule.
      const checked = (dpop as DpopVerifier).check(
        req,
        { token, claims, accepted: context?.dpop },
        mode as 'required' | 'allowed',
      );
      return Promise.resolve(checked).then((proof) =>
        proof.ok
          ? authorized(accepted, req, route, context, mode, scheme, proof.value, proof.headers)
          : proof,
      );
    }
    if (boundToKey(claims)) {
      // RFC 9449 §7.2: a DPoP-bound token is worthless without its key; as a bearer token it would not be.
      return reject(dpopErrors(mode).boundTokenAsBearer, 'a DPoP-bound token sent as a bearer token', req);
    }
    return authorized(accepted, req, route, context, mode, scheme, undefined, accepted.headers);
  }

  /** decide(), once the token and its proof are accepted: the route's scopes and claims, its binding. */
  function authorized(
    verdict: Allowed<JwtClaims>,
    req: RequestLike,
    route: JwtAuthorizer | undefined,
    context: JwtCheckContext | undefined,
    mode: DpopMode,
    scheme: 'bearer' | 'dpop',
    proof: DpopProof | undefined,
    headers: Allowed<JwtClaims>['headers'],
  ): JwtVerdict | Promise<JwtVerdict> {
    const claims = verdict.value;
    const answer = (decided: Verdict<JwtClaims>): JwtVerdict =>
      proof === undefined ? decided : { ok: true, value: claims, headers, dpop: proof };
    if (route === undefined) return answer(verdict);
    const decided = route(claims);
    if (!decided.ok) {
      if (decided.error === undefined) return decided;
      const denied = reject(decided.error, 'token lacks what the route requires', req) as Denied;
      return mode === 'off' ? denied : inMode(denied, mode, scheme);
    }
    const binding = route.certificateBound;
    if (binding === undefined) return answer(decided);
    const certificate = context?.mtls?.certificate ?? req.peerCertificate;
    const own = binding.onEvent;
    const bound = verifyCertificateBinding(decided.value, certificate, {
      ...binding,
      onEvent:
        own === undefined
          ? onEvent
          : (e) => {
              emit(own, e);
              onEvent(e);
            },
      req,
    });
    return Promise.resolve(bound).then((checked) => {
      if (!checked.ok)
        return mode === 'off' || checked.error === undefined
          ? checked
          : inMode(checked as Denied, mode, scheme);
      return answer(decided);
    });
  }

  const verifier: JwtVerifier & { readonly [CHECK_NOW]: JwtCheckNow } = {
    [RULE]: 'jwt',
    [EVENTS]: events,
    algorithms: [...all] as JwtAlgorithm[],
    backend: backend.name,
    ...(dpop !== undefined ? { dpop } : {}),
    verifyToken(token) {
      try {
        // A cache hit answers its entry's settled promise: no promise is made per hit.
        const outcome = verifyToken(token, undefined, false, true);
        return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
      } catch (err) {
        // As from an async function: a failure is a rejected promise, never a throw.
        return Promise.reject(err);
      }
    },
    // One implementation behind both overloads: without a route nothing is optional, so never anonymous.
    // As an async function: a promise always, a throw (a route needing DPoP without it) is a rejection.
    check: observedCheck(
      'jwt',
      events,
      async (req: RequestLike, route?: JwtAuthorizer, context?: JwtCheckContext) =>
        decide(req, route, context),
    ) as JwtVerifier['check'],
    // The same decision, settled without a promise when nothing had to be waited for (jwtCheckNow).
    [CHECK_NOW]: observedCheck('jwt', events, decide),
    authorize(claims, route) {
      const authorizer = typeof route === 'function' ? route : createJwtAuthorizer(route);
      return authorizer(claims);
    },
    async revoke(claims) {
      if (revocation === undefined) {
        throw new ConfigError(
          'jwt.revocation',
          'is not configured',
          'pass a RevocationStore (createMemoryRevocationStore() or @bulwark/redis)',
        );
      }
      const jti = claims.jti;
      if (typeof jti !== 'string' || jti === '' || typeof claims.exp !== 'number') {
        throw new TypeError('revoke() needs verified claims with a jti and an exp');
      }
      // The entry expires when the token would have; the clock tolerance keeps it through skew.
      await revocation.revoke(
        revocationKey(claims.iss, jti),
        (claims.exp + policy.clockToleranceSeconds) * 1000,
      );
      if (cache !== undefined) cache.clear();
    },
  };
  return verifier;
}

/** True when the claims bind the token to a DPoP key (`cnf.jkt`). */
function boundToKey(claims: JwtClaims): boolean {
  const cnf = claims.cnf;
  return typeof cnf === 'object' && cnf !== null && (cnf as Record<string, unknown>).jkt !== undefined;
}

/** The DPoP denials of a verifier without DPoP (a bound token sent as bearer), built once. */
let offErrorsBuilt: ReturnType<typeof createDpopErrors> | undefined;
function offErrors(_mode: DpopMode): ReturnType<typeof createDpopErrors> {
  offErrorsBuilt ??= createDpopErrors('off', []);
  return offErrorsBuilt;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Denied verdicts, one per error (frozen and shared): a refusal allocates no verdict. */
const denials = new WeakMap<SecurityError, Denied>();

function denialOf(error: SecurityError): Denied {
  let denied = denials.get(error);
  if (denied === undefined) {
    denied = Object.freeze(deny(error));
    denials.set(error, denied);
  }
  return denied;
}
