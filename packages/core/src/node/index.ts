/**
 * Node-only glue for bulwark: IncomingMessage → RequestLike, and (with the mTLS issue) TLS server options.
 * Everything else lives in `@bulwark/core`, which runs wherever fetch runs.
 */
export { fromNodeRequest } from './request.js';
export { applyAllowed, applyVerdict, setHeaders, settleWhenFinished, writeReply } from './response.js';
export { DIRECT_HEADER_WRITES, writeHeaders } from './write.js';
export { type HeadKeeper, keepForHead } from './before-head.js';
export { keepVary } from './vary.js';
export * from './mtls-server.js';
export type { SecureContextTarget } from './rotation.js';
