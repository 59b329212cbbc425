// A (Request) => Response handler served on node:http by @bulwark/fetch/node's toNodeListener (what a user
// of the adapter runs, for every variant, so the variants differ only by protect()): bare handler,
// static-headers (the same handler with bulwark-nojwt's response headers as constants in its Response),
// bare-deny (a handler answering every request with a Response of bulwark's 401 for a malformed token, its
// status, headers and body constants),
// bare-post (the bare handler, and for a POST /webhook the body read with request.arrayBuffer() and a small
// JSON), and the same handler wrapped by @bulwark/fetch's protect(). `c.build` (in-process A/B only) is a
// directory holding another build's fetch/dist: that build's protect() and bridge are used instead.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  BARE_POST_BODY,
  DENY_BODY,
  denyHeaderPairs,
  jwtOptions,
  part,
  staticHeaderPairs,
  WEBHOOK_PATH,
  webhookOptions,
} from '../bulwark-common.mjs';

const BODY = JSON.stringify({ hello: 'world' });
const JSON_TYPE = 'application/json; charset=utf-8';

function handler() {
  return new Response(BODY, { headers: { 'content-type': JSON_TYPE } });
}

/** The bare handler, its Response carrying the static pairs too (one plain object, built once). */
function staticHeadersHandler(c) {
  const headers = { 'content-type': JSON_TYPE, ...Object.fromEntries(staticHeaderPairs(c)) };
  return async () => new Response(BODY, { headers });
}

/** The floor of answering a refusal: a Response built from constant parts (status, one headers object, body). */
function bareDenyHandler(c) {
  const init = { status: 401, headers: Object.fromEntries(denyHeaderPairs(c, 'application/problem+json')) };
  return async () => new Response(DENY_BODY, init);
}

/** The floor of a webhook refusal: the same POST, its body read whole as bytes, answered with a small JSON. */
function barePostHandler() {
  const posted = JSON.stringify(BARE_POST_BODY);
  return async (request) => {
    if (request.method !== 'POST' || new URL(request.url).pathname !== WEBHOOK_PATH) return handler(request);
    await request.arrayBuffer();
    return new Response(posted, { headers: { 'content-type': JSON_TYPE } });
  };
}

/** @bulwark/fetch (or its `/node` entry) of the workspace, or of the build in `build`. */
function load(build, entry = '') {
  if (build === undefined) return import(`@bulwark/fetch${entry}`);
  return import(pathToFileURL(`${build}/fetch/dist${entry}/index.js`).href);
}

async function bulwarkHandler(variant, c) {
  const bulwark = await load(c.build);
  const policy = {};
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.jwtStage === 'function'))
    policy.jwt = jwtOptions(c, variant);
  if (part('ratelimit', typeof bulwark.rateLimitStage === 'function')) {
    policy.rateLimit = { rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } };
  }
  const json = bulwark.protect(handler, policy);
  // The signed-webhook route (its own protect: the same per-IP limit, then the signature), for the webhook
  // deny case; not one of the parts of the /json stack that the row notes list.
  const webhook = bulwark.protect(() => new Response(null, { status: 204 }), {
    ...(policy.rateLimit ? { rateLimit: policy.rateLimit } : {}),
    webhook: webhookOptions(c),
  });
  let wrapped = (request, context) =>
    request.method === 'POST' && new URL(request.url).pathname === WEBHOOK_PATH
      ? webhook(request, context)
      : json(request, context);
  if (part('cors', typeof bulwark.cors === 'function'))
    wrapped = bulwark.cors(wrapped, { origins: [c.origin] });
  if (part('headers', typeof bulwark.securityHeaders === 'function'))
    wrapped = bulwark.securityHeaders(wrapped);
  return wrapped;
}

/** The (Request, context) => Response handler of `variant`, as served below (inproc-adapters.mjs calls it directly). */
export async function fetchHandlerOf(variant, c) {
  if (variant === 'bare') return async (request) => handler(request);
  if (variant === 'static-headers') return staticHeadersHandler(c);
  if (variant === 'bare-post') return barePostHandler();
  if (variant === 'bare-deny') return bareDenyHandler(c);
  return bulwarkHandler(variant, c);
}

/** Build the server for `variant` and listen on 127.0.0.1:0; resolves to the port. */
export async function listen(variant, c) {
  const fetchHandler = await fetchHandlerOf(variant, c);
  const { toNodeListener } = await load(c.build, '/node');
  const server = createServer(toNodeListener(fetchHandler));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}
