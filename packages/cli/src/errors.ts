/** Why a probe could not get a response. Stable codes: `--json` reports carry them. */
export type ProbeErrorCode =
  | 'AUDIT_HOST_NOT_ALLOWED'
  | 'AUDIT_REQUEST_CAP'
  | 'AUDIT_UNREACHABLE'
  | 'AUDIT_CONNECTION_CLOSED'
  | 'AUDIT_TLS_FAILED'
  | 'AUDIT_TIMEOUT'
  | 'AUDIT_NOT_HTTP'
  | 'AUDIT_REDIRECT_OFF_HOST'
  | 'AUDIT_TOO_MANY_REDIRECTS';

/**
 * A request the audit could not complete, with a message that says what to do. Never carries a stack to
 * the user: the CLI prints `message` only.
 *
 * @example
 * if (err instanceof ProbeError && err.code === 'AUDIT_TLS_FAILED') console.error(err.message);
 */
export class ProbeError extends Error {
  readonly code: ProbeErrorCode;
  constructor(code: ProbeErrorCode, message: string) {
    super(message);
    this.name = 'ProbeError';
    this.code = code;
  }
}

/**
 * A command line the CLI cannot run (unknown flag, bad URL, out-of-range number). Exit code 2.
 *
 * @example
 * throw new UsageError('--fail-on must be one of critical, high, medium, low, info, none');
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const TLS_TRUST = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** Turn a node socket / TLS / parser error into a ProbeError a user can act on. */
export function describeNetworkError(err: unknown, method: string, url: URL): ProbeError {
  const e = err as { code?: string; message?: string; reason?: string };
  const code = e.code ?? '';
  const where = `${method} ${url.href}`;
  if (code === 'ECONNREFUSED')
    return new ProbeError('AUDIT_UNREACHABLE', `${where}: connection refused (nothing listens there)`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ProbeError('AUDIT_UNREACHABLE', `${where}: the host name ${url.hostname} does not resolve`);
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return new ProbeError('AUDIT_UNREACHABLE', `${where}: host unreachable (${code})`);
  }
  if (TLS_TRUST.has(code)) {
    return new ProbeError(
      'AUDIT_TLS_FAILED',
      `${where}: the TLS certificate is not trusted (${e.message ?? code}). If this is your own CA or a ` +
        'self-signed test certificate, pass it with --ca <file.pem>',
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new ProbeError(
      'AUDIT_TLS_FAILED',
      `${where}: the TLS certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not yet valid'}`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new ProbeError(
      'AUDIT_TLS_FAILED',
      `${where}: the TLS certificate is not valid for ${url.hostname} (${e.reason ?? 'name mismatch'})`,
    );
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) {
    return new ProbeError(
      'AUDIT_TLS_FAILED',
      `${where}: the TLS handshake failed (${code}); is the port serving plain HTTP (use http://)?`,
    );
  }
  if (code.startsWith('HPE_')) {
    return new ProbeError(
      'AUDIT_NOT_HTTP',
      `${where}: the server's answer is not HTTP (${code === 'HPE_HEADER_OVERFLOW' ? 'headers larger than 16 KiB' : code})` +
        (url.protocol === 'http:' ? '; is it a TLS port (use https://) or another protocol?' : ''),
    );
  }
  if (code === 'ECONNRESET' || (e.message ?? '').includes('socket hang up')) {
    return new ProbeError(
      'AUDIT_CONNECTION_CLOSED',
      `${where}: the connection was closed before a complete HTTP response (is it an HTTP server?)`,
    );
  }
  return new ProbeError('AUDIT_UNREACHABLE', `${where}: ${code || e.message || 'request failed'}`);
}
