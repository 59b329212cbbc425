import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions, type TlsOptions } from 'node:tls';
import { checkOptions, optionKeys } from '../config/options.js';
import { ConfigError } from '../errors.js';

/** PEM text or bytes, as read from the files spiffe-helper or cert-manager write. */
export type PemInput = string | Buffer | Uint8Array;

/** Options of {@link mtlsServerOptions}. */
export interface MtlsServerOptionsInput {
  /** Server certificate chain (PEM). */
  cert: PemInput;
  /** Server private key (PEM). */
  key: PemInput;
  /**
   * The CA bundle that client certificates must chain to (PEM, one or more CA certificates). Required: without
   * it node would verify clients against the public web roots, and any public certificate would be accepted.
   */
  ca: PemInput;
  /** Lowest TLS version: `TLSv1.2` (default) or `TLSv1.3`. Older versions are refused. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** What {@link mtlsServerOptions} returns: options for `https.createServer`, `http2.createSecureServer`, fastify's `https`, Nest's `httpsOptions`. */
export interface MtlsServerOptions extends TlsOptions {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  requestCert: true;
  rejectUnauthorized: true;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

const BEGIN_CERT = '-----BEGIN CERTIFICATE-----';

function toBuffer(option: string, value: unknown): Buffer {
  if (typeof value === 'string' && value.trim() !== '') return Buffer.from(value);
  if (value instanceof Uint8Array && value.length > 0) return Buffer.from(value);
  throw new ConfigError(
    option,
    'must be non-empty PEM text or bytes',
    `read the PEM file, e.g. readFileSync('/run/spiffe/${option.split('.').pop()}.pem')`,
  );
}

function splitPem(pem: string): string[] {
  const out: string[] = [];
  let at = pem.indexOf(BEGIN_CERT);
  while (at !== -1) {
    const next = pem.indexOf(BEGIN_CERT, at + BEGIN_CERT.length);
    out.push(pem.slice(at, next === -1 ? undefined : next));
    at = next;
  }
  return out;
}

function joinPem(blocks: readonly string[]): Buffer {
  return Buffer.from(`${blocks.map((b) => b.trim()).join('\n')}\n`, 'latin1');
}

/**
 * Check cert/key/CA material and build the secure context once, so a bad file fails here with a clear message
 * instead of at the first handshake. Returns the normalised buffers.
 *
 * @example
 * const { cert, key, ca } = checkMtlsMaterial({ cert, key, ca });
 */
export function checkMtlsMaterial(input: Pick<MtlsServerOptionsInput, 'cert' | 'key' | 'ca'>): {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
  /** The server certificate's expiry. */
  validTo: Date;
} {
  const certInput = toBuffer('mtls.cert', input.cert);
  const key = toBuffer('mtls.key', input.key);
  const cas = splitPem(toBuffer('mtls.ca', input.ca).toString('latin1'));
  if (cas.length === 0)
    throw new ConfigError('mtls.ca', 'holds no PEM certificate', 'pass the CA bundle (bundle.pem / ca.crt)');
  cas.forEach((pem, i) => {
    let parsed: X509Certificate;
    try {
      parsed = new X509Certificate(pem);
    } catch (err) {
      throw new ConfigError(
        `mtls.ca[${i}]`,
        `is not a certificate (${(err as Error).message})`,
        'pass the CA bundle PEM',
      );
    }
    if (!parsed.ca) {
      throw new ConfigError(
        `mtls.ca[${i}]`,
        `'${parsed.subject}' is not a CA certificate`,
        'trust your CA, not a leaf',
      );
    }
  });
  const leaves = splitPem(certInput.toString('latin1'));
  if (leaves.length === 0)
    throw new ConfigError(
      'mtls.cert',
      'holds no PEM certificate',
      'pass the server certificate (svid.pem / tls.crt)',
    );
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(leaves[0]!);
  } catch (err) {
    throw new ConfigError(
      'mtls.cert',
      `is not a certificate (${(err as Error).message})`,
      'pass the server certificate PEM',
    );
  }
  const validTo = new Date(leaf.validTo);
  if (!(validTo.getTime() > Date.now())) {
    throw new ConfigError(
      'mtls.cert',
      `expired at ${validTo.toISOString()}`,
      'renew the certificate (is spiffe-helper or cert-manager running?)',
    );
  }
  // One certificate per PEM block, each on its own lines: bundles concatenated without a newline
  // (`cat a.pem b.pem` of files lacking a final newline) would otherwise load only partly.
  const cert = joinPem(leaves);
  const ca = joinPem(cas);
  try {
    createSecureContext({ cert, key, ca } satisfies SecureContextOptions);
  } catch (err) {
    throw new ConfigError(
      'mtls.key',
      `does not load with the certificate (${(err as Error).message})`,
      'pass the private key that matches mtls.cert',
    );
  }
  return { cert, key, ca, validTo };
}

const SERVER_KEYS = optionKeys<MtlsServerOptionsInput>()('cert', 'key', 'ca', 'minVersion');

/**
 * TLS server options that require a client certificate from your CA: `requestCert` and `rejectUnauthorized`
 * on, TLS ≥ 1.2, the material checked up front (CA bundle holds CA certificates, cert not expired, key matches).
 * A handshake without a valid client certificate never reaches your routes; `requireMtls()` then decides who
 * may call what.
 *
 * @example
 * const server = https.createServer(mtlsServerOptions({ cert, key, ca }), app);
 * // fastify({ https: mtlsServerOptions(...) }) · NestFactory.create(App, { httpsOptions: mtlsServerOptions(...) })
 */
export function mtlsServerOptions(input: MtlsServerOptionsInput): MtlsServerOptions {
  if (typeof input !== 'object' || input === null) {
    throw new ConfigError('mtls', 'options are required', 'pass { cert, key, ca }');
  }
  checkOptions('mtls', input, SERVER_KEYS);
  const minVersion = input.minVersion ?? 'TLSv1.2';
  if (minVersion !== 'TLSv1.2' && minVersion !== 'TLSv1.3') {
    throw new ConfigError(
      'mtls.minVersion',
      `'${String(minVersion)}' is below TLS 1.2 or unknown`,
      "use 'TLSv1.2' (default) or 'TLSv1.3'",
    );
  }
  const { cert, key, ca } = checkMtlsMaterial(input);
  return { cert, key, ca, requestCert: true, rejectUnauthorized: true, minVersion };
}
