/**
 * The TLS server side of mTLS (node only): server options from PEM, a check of the material, options loaded
 * from files and certificate rotation. Every node adapter re-exports this module whole
 * (`export * from '@bulwark/core/node/mtls-server'`), so the list is kept here once.
 *
 * @example
 * import { mtlsServerOptions } from '@bulwark/core/node/mtls-server';
 * https.createServer(mtlsServerOptions({ cert, key, ca }), app);
 */
export { checkMtlsMaterial, mtlsServerOptions } from './mtls.js';
export type { MtlsServerOptions, MtlsServerOptionsInput, PemInput } from './mtls.js';
export { loadMtlsServerOptions, watchCertificateFiles } from './rotation.js';
export type { CertificateFiles, CertificateRotation, CertificateRotationOptions } from './rotation.js';
