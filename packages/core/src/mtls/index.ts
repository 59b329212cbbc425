// The mtls area's public exports.
export { parseSpiffeId, parseTrustDomain, spiffePathProblem, SPIFFE_ID_MAX_BYTES } from './spiffe.js';
export type { SpiffeId, SpiffeIdResult } from './spiffe.js';
