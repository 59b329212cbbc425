// The dpop area's public exports.
export { createDpopClient } from './client.js';
export type {
  DpopClient,
  DpopClientAlgorithm,
  DpopClientOptions,
  DpopFetchInit,
  DpopProofOptions,
} from './client.js';
export { jwkThumbprint } from './jwk.js';
export type { DpopNonceOptions } from './nonce.js';
export { DEFAULT_DPOP_ALGORITHMS } from './options.js';
export type { DpopAlgorithm, DpopMode, DpopOptions } from './options.js';
export type { DpopProof } from './proof.js';
export { createDpopVerifier } from './verifier.js';
export type { DpopPresentation, DpopVerifier } from './verifier.js';
