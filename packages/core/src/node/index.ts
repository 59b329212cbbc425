/**
 * Node-only glue for bulwark: IncomingMessage → RequestLike, and (with the mTLS issue) TLS server options.
 * Everything else lives in `@bulwark/core`, which runs wherever fetch runs.
 */
export { fromNodeRequest } from './request.js';
