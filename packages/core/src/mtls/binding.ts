import { sha256Base64Url, timingSafeEqual } from '../bytes/index.js';
import type { SecurityError } from '../errors.js';
import { emit, type OnEvent } from '../events.js';
import { type RequestLike, requestPath } from '../http/request.js';
import { allow, deny, type Verdict } from '../verdict.js';
import { MTLS_ERRORS } from './errors.js';

/** Options of {@link verifyCertificateBinding}. */
export interface CertificateBindingOptions {
  /** Refuse tokens without `cnf.x5t#S256` (401 `MTLS_TOKEN_NOT_BOUND`). Default false: unbound tokens pass. */
  required?: boolean;
  /** Receives `mtls.token_binding_rejected` with the reason. */
  onEvent?: OnEvent;
  /** For the event's method and path. */
  req?: RequestLike;
}

/**
 * How a route asks for RFC 8705 certificate-bound tokens (the `certificateBound` option of every adapter's
 * JWT rule): `true`, or the binding options.
 *
 * @example
 * requireJwt(jwt, { certificateBound: { required: true } })
 */
export type CertificateBoundOption = true | Omit<CertificateBindingOptions, 'req'>;

/** What the binding check established: whether the token was bound (and so matched the certificate). */
export interface CertificateBinding {
  readonly bound: boolean;
}

/**
 * RFC 8705 §3.1 certificate thumbprint: base64url (no padding) SHA-256 of the certificate DER.
 *
 * @example
 * const x5t = await certificateThumbprint(peer.certificate); // what an AS puts in cnf["x5t#S256"]
 */
export async function certificateThumbprint(certificate: Uint8Array): Promise<string> {
  return sha256Base64Url(certificate);
}

/** 43 canonical base64url characters: exactly 32 bytes (the last one's two unused bits zero). */
const SHA256_BASE64URL = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/**
 * RFC 8705 certificate-bound access tokens: when the verified claims carry `cnf["x5t#S256"]`, the request's
 * client certificate must hash to it (compared in constant time), otherwise 401 `MTLS_TOKEN_BINDING_MISMATCH`
 * with `WWW-Authenticate: Bearer error="invalid_token"`. A bound token with no client certificate is refused
 * the same way: stolen tokens are useless without the private key.
 *
 * @example
 * const claims = await jwt.check(req);
 * if (claims.ok) {
 *   const bound = await verifyCertificateBinding(claims.value, req.peerCertificate, { required: true });
 *   if (!bound.ok) return send(renderProblem(bound.error));
 * }
 */
export async function verifyCertificateBinding(
  claims: Readonly<Record<string, unknown>>,
  certificate: Uint8Array | undefined,
  options: CertificateBindingOptions = {},
): Promise<Verdict<CertificateBinding>> {
  const reject = (error: SecurityError, detail: string): Verdict<CertificateBinding> => {
    const req = options.req;
    emit(options.onEvent, {
      type: 'mtls.token_binding_rejected',
      code: error.code,
      detail,
      ...(req !== undefined ? { method: req.method, path: requestPath(req.url) } : {}),
    });
    return deny(error);
  };
  const cnf = claims.cnf;
  const x5t =
    typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['x5t#S256'] : undefined;
  if (x5t === undefined) {
    if (options.required === true)
      return reject(MTLS_ERRORS.tokenNotBound, 'the token has no cnf.x5t#S256 claim');
    return allow({ bound: false });
  }
  if (typeof x5t !== 'string')
    return reject(MTLS_ERRORS.tokenBindingMismatch, 'cnf.x5t#S256 is not a string');
  if (!SHA256_BASE64URL.test(x5t)) {
    return reject(MTLS_ERRORS.tokenBindingMismatch, 'cnf.x5t#S256 is not a base64url SHA-256 digest');
  }
  if (certificate === undefined || certificate.length === 0) {
    return reject(
      MTLS_ERRORS.tokenBindingMismatch,
      'the token is certificate-bound but the request has no client certificate',
    );
  }
  // Compared as text: both sides are canonical base64url of 32 bytes, so equal text is equal digests.
  if (!timingSafeEqual(sha256Base64Url(certificate), x5t)) {
    return reject(MTLS_ERRORS.tokenBindingMismatch, 'cnf.x5t#S256 does not match the client certificate');
  }
  return allow({ bound: true });
}
