import { isCloudflareWorkers } from '../http/runtime.js';
import { reportStandalone } from '../observe/reporter.js';

/** What sharing nothing between isolates means for each memory store. */
const CONSEQUENCE: Readonly<Record<string, string>> = {
  'stores.ratelimit':
    'rate limits are counted per isolate: a client whose requests reach several isolates (or locations) gets the limit in each',
  'stores.replay':
    'a webhook delivery retried onto another isolate is not recognised as a duplicate and is processed again',
  'stores.revocation': 'a token revoked in one isolate is still accepted by the others',
  'stores.refresh': 'a refresh-token family rotated in one isolate is unknown to the others',
};

const warned = new Set<string>();

/**
 * Warn once per store kind when a memory store is built on Cloudflare Workers, where memory belongs to one
 * isolate: Cloudflare runs many isolates of a Worker (at least one per location it serves from) and may
 * evict any of them at any time, so nothing a memory store holds is shared or lasting.
 *
 * @example
 * warnIfPerIsolate('stores.ratelimit');
 */
export function warnIfPerIsolate(store: string): void {
  if (warned.has(store) || !isCloudflareWorkers()) return;
  warned.add(store);
  const consequence = CONSEQUENCE[store] ?? 'its state is not shared between isolates';
  reportStandalone({
    type: 'stores.per_isolate',
    detail:
      `${store} is a memory store, and on Cloudflare Workers memory belongs to one isolate: ${consequence}. ` +
      'For one shared state pass a store backed by shared storage (a Durable Object implementing the store interface); see docs/scaling.md.',
    data: { store },
  });
}
