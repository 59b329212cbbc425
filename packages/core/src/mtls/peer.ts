import { readCertificateIdentity, type CertificateIdentity } from './certificate.js';
import { DerError } from './der.js';
import { fail, ok, type Result } from '../verdict.js';
import { parseSpiffeId, type SpiffeId } from './spiffe.js';

/** The authenticated peer of an mTLS request, as handed to authorizers and to your handler. */
export interface MtlsPeer {
  /** The SPIFFE ID from the certificate's single URI SAN; `undefined` only for opt-in non-SPIFFE identities. */
  readonly spiffeId: SpiffeId | undefined;
  /** DNS SANs; empty unless `acceptDnsNames` is set. */
  readonly dnsNames: readonly string[];
  /** Subject DN (RFC 4514); `undefined` unless `acceptSubject` is set. */
  readonly subject: string | undefined;
  /** DER of the client certificate (for certificate-bound tokens). */
  readonly certificate: Uint8Array;
  /** `tls`: our own handshake verified it. `proxy`: a trusted TLS-terminating proxy forwarded it. */
  readonly via: 'tls' | 'proxy';
}

/** Which identities besides a SPIFFE ID a certificate may carry (non-SPIFFE PKIs). Both default off. */
export interface PeerIdentityOptions {
  /** Accept a certificate without a URI SAN when it has DNS SANs, and expose them to authorizers. */
  acceptDnsNames?: boolean;
  /** Accept a certificate without a URI SAN, identified by its subject DN, and expose it to authorizers. */
  acceptSubject?: boolean;
}

/**
 * Read the identity of an already verified peer certificate (DER). Following the X509-SVID spec: the leaf
 * must not be a CA nor able to sign certificates, and must carry exactly one URI SAN, a valid SPIFFE ID with
 * a workload path. A certificate with several URI SANs is refused rather than picking one. DNS SANs and the
 * subject are identities only when opted in, and only for certificates without a URI SAN.
 *
 * @example
 * const r = identifyPeer(req.peerCertificate, 'tls');
 * if (r.ok) r.value.spiffeId?.id; // 'spiffe://corp.example.com/ns/billing/sa/api'
 */
export function identifyPeer(
  certificate: Uint8Array,
  via: 'tls' | 'proxy',
  options: PeerIdentityOptions = {},
): Result<MtlsPeer, string> {
  let cert: CertificateIdentity;
  try {
    cert = readCertificateIdentity(certificate);
  } catch (err) {
    if (err instanceof DerError) return fail(`certificate is not strict DER: ${err.message}`);
    throw err;
  }
  if (cert.isCa) return fail('the client certificate is a CA certificate (basicConstraints cA=true)');
  if (cert.canSignCertificates)
    return fail('the client certificate has the keyCertSign or cRLSign key usage');
  if (cert.uris.length > 1)
    return fail(`the client certificate has ${cert.uris.length} URI SANs; exactly one is allowed`);
  const dnsNames = options.acceptDnsNames === true ? cert.dnsNames : [];
  const subject = options.acceptSubject === true ? cert.subject : undefined;
  let spiffeId: SpiffeId | undefined;
  if (cert.uris.length === 1) {
    const uri = cert.uris[0]!;
    const parsed = parseSpiffeId(uri);
    if (!parsed.ok) return fail(`the URI SAN is not a valid SPIFFE ID: ${parsed.error}`);
    if (parsed.value.path === '') return fail('the URI SAN is a trust domain ID, not a workload SPIFFE ID');
    spiffeId = parsed.value;
  } else if (dnsNames.length === 0 && (subject === undefined || subject === '')) {
    return fail(
      options.acceptDnsNames === true || options.acceptSubject === true
        ? 'the client certificate has no URI SAN and no accepted DNS SAN or subject'
        : 'the client certificate has no URI SAN (SPIFFE ID)',
    );
  }
  return ok({ spiffeId, dnsNames, subject, certificate, via });
}
