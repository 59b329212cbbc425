/**
 * Node-only glue for bulwark: IncomingMessage → RequestLike, and (with the mTLS issue) TLS server options.
 * Everything else lives in `@bulwark/core`, which runs wherever fetch runs.
 */
export { fromNodeRequest } from './request.js';
export { applyAllowed, applyVerdict, setHeaders, settleWhenFinished, writeReply } from './response.js';
export { keepVary } from './vary.js';
export { checkMtlsMaterial, mtlsServerOptions } from './mtls.js';
export type { MtlsServerOptions, MtlsServerOptionsInput, PemInput } from './mtls.js';
export { loadMtlsServerOptions, watchCertificateFiles } from './rotation.js';
export type {
  CertificateFiles,
  CertificateRotation,
  CertificateRotationOptions,
  SecureContextTarget,
} from './rotation.js';
