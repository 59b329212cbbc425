// The mtls area's public exports.
export { parseSpiffeId, parseTrustDomain } from './spiffe.js';
export type { SpiffeId, SpiffeIdResult } from './spiffe.js';
export { readCertificateIdentity } from './certificate.js';
export type { CertificateIdentity } from './certificate.js';
export { identifyPeer } from './peer.js';
export type { MtlsPeer, PeerIdentityOptions } from './peer.js';
export {
  authorizeAllOf,
  authorizeAnyOf,
  authorizeDnsName,
  authorizeId,
  authorizeMemberOf,
  authorizeOneOf,
  authorizePathPrefix,
  authorizeSubject,
  createMtlsAuthorizer,
} from './authorize.js';
export type { MtlsAuthorizer, MtlsDecision, MtlsPolicy, MtlsPolicyObject } from './authorize.js';
export { MTLS_ERRORS } from './errors.js';
export { createOpaAuthorizer } from './opa.js';
export type { MtlsDecisionPoint, MtlsRequestFacts, OpaAuthorizerOptions } from './opa.js';
export { createMtlsVerifier } from './verifier.js';
export type {
  ForwardedCertificateOptions,
  MtlsVerifier,
  MtlsVerifierOptions,
  TrustedPeerCheck,
} from './verifier.js';
export { certificateThumbprint, verifyCertificateBinding } from './binding.js';
export type { CertificateBinding, CertificateBindingOptions, CertificateBoundOption } from './binding.js';
