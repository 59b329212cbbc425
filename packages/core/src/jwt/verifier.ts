import { errors as joseErrors, type JWTPayload, jwtVerify } from 'jose';
import { ConfigError, type SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { decodeBase64UrlText } from '../encoding/base64url.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { checkAlgorithms, type JwtAlgorithm } from './algorithms.js';
import { extractBearer } from './bearer.js';
import { JWT_ERRORS } from './errors.js';
import { buildKeyInput, type JwtKeyOptions, type KeyInput } from './keys.js';

/** Verified JWT claims. */
export type JwtClaims = JWTPayload & Readonly<Record<string, unknown>>;

/** Options of {@link createJwtVerifier}. */
export interface JwtVerifierOptions extends JwtKeyOptions {
  /** Accepted algorithms. Required; `none` is refused; HS* and asymmetric are never mixed. */
  algorithms: readonly JwtAlgorithm[];
  /** Accepted `iss` value(s). Required unless `dangerouslyAcceptAnyIssuer`. */
  issuer?: string | readonly string[];
  /** This service's identifier(s); the token `aud` must contain one. Required unless `dangerouslyAcceptAnyAudience`. */
  audience?: string | readonly string[];
  /** Skip the `iss` check. Only for single-issuer keys you control; named loudly on purpose. */
  dangerouslyAcceptAnyIssuer?: true;
  /** Skip the `aud` check: a token minted for another service would be accepted here. */
  dangerouslyAcceptAnyAudience?: true;
  /** Allowed clock skew in seconds for `exp`/`nbf`/`iat`. Default 5, at most 300. */
  clockTolerance?: number;
  /** Tokens longer than this many characters are refused before any parsing. Default 8192. */
  maxTokenLength?: number;
  /** Receives `jwt.rejected` events with the precise reason. */
  onEvent?: OnEvent;
  /** Clock in ms, for tests. */
  now?: () => number;
}

/** A configured JWT verifier. */
export interface JwtVerifier {
  /** Extract the bearer token from the request and verify it. */
  verify(req: RequestLike): Promise<Verdict<JwtClaims>>;
  /** Verify a compact JWS you already extracted. */
  verifyToken(token: string): Promise<Verdict<JwtClaims>>;
  /** The validated allowlist. */
  readonly algorithms: readonly JwtAlgorithm[];
}

function listOption(option: string, value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : [...value];
  if (list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new ConfigError(
      option,
      'must be a non-empty string or list of non-empty strings',
      'set the exact value(s) to accept',
    );
  }
  return list;
}

/** Map a jose error to our denial and an operator detail. */
function classify(err: unknown): [SecurityError, string] {
  if (err instanceof joseErrors.JWTExpired) return [JWT_ERRORS.expired, err.message];
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return [JWT_ERRORS.issuerMismatch, err.message];
      case 'aud':
        return [JWT_ERRORS.audienceMismatch, err.message];
      case 'nbf':
        return [JWT_ERRORS.notYetValid, err.message];
      case 'iat':
        return [
          err.reason === 'check_failed' ? JWT_ERRORS.notYetValid : JWT_ERRORS.claimInvalid,
          err.message,
        ];
      default:
        return [JWT_ERRORS.claimInvalid, `${err.claim}: ${err.message}`];
    }
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return [JWT_ERRORS.signatureInvalid, err.message];
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return [JWT_ERRORS.algNotAllowed, err.message];
  if (err instanceof joseErrors.JWKSNoMatchingKey) return [JWT_ERRORS.keyNotFound, err.message];
  if (err instanceof joseErrors.JWKSTimeout) return [JWT_ERRORS.keysUnavailable, err.message];
  if (err instanceof joseErrors.JWKSInvalid) return [JWT_ERRORS.keysUnavailable, err.message];
  if (err instanceof joseErrors.JOSENotSupported) return [JWT_ERRORS.malformed, err.message];
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return [JWT_ERRORS.malformed, err.message];
  if (err instanceof joseErrors.JOSEError) return [JWT_ERRORS.malformed, err.message];
  // Anything else is the key source failing (network, DNS, a non-JSON JWKS response…).
  return [JWT_ERRORS.keysUnavailable, err instanceof Error ? err.message : 'key source failed'];
}

/**
 * Read the protected header cheaply and refuse what can be refused without crypto: oversize, wrong shape,
 * undecodable header, algorithm outside the allowlist (which covers `none` in any case).
 */
function precheck(
  token: string,
  maxLength: number,
  allowed: ReadonlySet<string>,
): [SecurityError, string] | undefined {
  if (token.length > maxLength)
    return [JWT_ERRORS.tooLarge, `token is ${token.length} characters, limit ${maxLength}`];
  const dot1 = token.indexOf('.');
  const dot2 = dot1 === -1 ? -1 : token.indexOf('.', dot1 + 1);
  if (dot1 <= 0 || dot2 === -1 || token.indexOf('.', dot2 + 1) !== -1) {
    return [JWT_ERRORS.malformed, 'not a compact JWS (three dot-separated parts)'];
  }
  const text = decodeBase64UrlText(token.slice(0, dot1));
  if (text === undefined) return [JWT_ERRORS.malformed, 'header is not base64url UTF-8'];
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    return [JWT_ERRORS.malformed, 'header is not JSON'];
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return [JWT_ERRORS.malformed, 'header is not a JSON object'];
  }
  const alg = (header as { alg?: unknown }).alg;
  if (typeof alg !== 'string' || !allowed.has(alg)) {
    return [
      JWT_ERRORS.algNotAllowed,
      `alg ${JSON.stringify(String(alg).slice(0, 20))} is not in the allowlist`,
    ];
  }
  return undefined;
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
 * });
 * const verdict = await verifier.verify(req);
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError(
      'jwt',
      'options are required',
      'pass algorithms, issuer, audience and a key source',
    );
  }
  const algorithms = checkAlgorithms('jwt.algorithms', options.algorithms);
  const issuer = listOption('jwt.issuer', options.issuer);
  const audience = listOption('jwt.audience', options.audience);
  if (issuer === undefined && options.dangerouslyAcceptAnyIssuer !== true) {
    throw new ConfigError(
      'jwt.issuer',
      'is required',
      'set the issuer you trust (or dangerouslyAcceptAnyIssuer: true if you really mean it)',
    );
  }
  if (audience === undefined && options.dangerouslyAcceptAnyAudience !== true) {
    throw new ConfigError(
      'jwt.audience',
      'is required: without it a token minted for another service is accepted here',
      "set this API's audience identifier",
    );
  }
  const clockTolerance = options.clockTolerance ?? 5;
  if (!Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new ConfigError(
      'jwt.clockTolerance',
      `${clockTolerance} is not between 0 and 300 seconds`,
      'keep the default of 5 seconds or use a small value',
    );
  }
  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256) {
    throw new ConfigError(
      'jwt.maxTokenLength',
      'must be an integer of at least 256',
      'keep the default of 8192',
    );
  }
  const keyInput: KeyInput = buildKeyInput('jwt', options, algorithms);
  const allowed = new Set<string>(algorithms);
  const onEvent = options.onEvent;
  const now = options.now;
  const verifyOptions = {
    algorithms: [...algorithms],
    clockTolerance,
    requiredClaims: ['exp'],
    ...(issuer !== undefined ? { issuer } : {}),
    ...(audience !== undefined ? { audience } : {}),
  };

  function reject(error: SecurityError, detail: string, req?: RequestLike): Verdict<JwtClaims> {
    if (onEvent !== undefined) {
      emit(onEvent, {
        type: 'jwt.rejected',
        code: error.code,
        detail,
        ...(req !== undefined ? { method: req.method, path: requestPath(req.url) } : {}),
      });
    }
    return deny(error);
  }

  async function verifyToken(token: string, req?: RequestLike): Promise<Verdict<JwtClaims>> {
    const early = precheck(token, maxTokenLength, allowed);
    if (early !== undefined) return reject(early[0], early[1], req);
    try {
      const { payload } = await jwtVerify(
        token,
        keyInput as Parameters<typeof jwtVerify>[1] & Uint8Array,
        now === undefined ? verifyOptions : { ...verifyOptions, currentDate: new Date(now()) },
      );
      return allow(payload as JwtClaims);
    } catch (err) {
      const [error, detail] = classify(err);
      return reject(error, detail, req);
    }
  }

  return {
    algorithms,
    verifyToken: (token) => verifyToken(token),
    async verify(req) {
      const token = extractBearer(req);
      if (typeof token !== 'string') {
        return reject(token.error, 'no usable bearer token in the request', req);
      }
      return verifyToken(token, req);
    },
  };
}
