/** Node glue for @bulwark/fetch: serve a fetch handler with node's http/https servers. */
export { toNodeListener } from './listener.js';
export type { NodeListenerOptions, NodeServedHandler } from './listener.js';
// The TLS server side of mTLS (node only): server options from PEM files, certificate rotation.
export * from '@bulwark/core/node/mtls-server';
