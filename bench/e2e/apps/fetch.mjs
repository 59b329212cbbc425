// A (Request) => Response handler served on node:http: bare handler, static-headers (the same handler with
// bulwark-nojwt's response headers as constants in its Response), bare-post (the bare handler, and for a
// POST /webhook the body read with request.arrayBuffer() and a small JSON), and the same handler wrapped by
// @bulwark/fetch's protect(). All go through @bulwark/fetch/node's toNodeListener when it exists (what a
// user of the adapter runs), else through the minimal bridge below, so the variants differ only by protect().
import { createServer } from 'node:http';
import {
  BARE_POST_BODY,
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

/** The floor of a webhook refusal: the same POST, its body read whole as bytes, answered with a small JSON. */
function barePostHandler() {
  const posted = JSON.stringify(BARE_POST_BODY);
  return async (request) => {
    if (request.method !== 'POST' || new URL(request.url).pathname !== WEBHOOK_PATH) return handler(request);
    await request.arrayBuffer();
    return new Response(posted, { headers: { 'content-type': JSON_TYPE } });
  };
}

async function bulwarkHandler(variant, c) {
  const bulwark = await import('@bulwark/fetch');
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

/** Node request → WHATWG Request → handler → node response. GET only (the benchmark's /json route). */
function serve(fetchHandler) {
  return createServer(async (req, res) => {
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
    const request = new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url}`, {
      method: req.method,
      headers,
    });
    const response = await fetchHandler(request, { remoteAddress: req.socket.remoteAddress });
    const out = {};
    for (const [k, v] of response.headers) out[k] = v;
    res.writeHead(response.status, out);
    res.end(response.body === null ? undefined : Buffer.from(await response.arrayBuffer()));
  });
}

/** The (Request, context) => Response handler of `variant`, as served below (inproc-adapters.mjs calls it directly). */
export async function fetchHandlerOf(variant, c) {
  if (variant === 'bare') return async (request) => handler(request);
  if (variant === 'static-headers') return staticHeadersHandler(c);
  if (variant === 'bare-post') return barePostHandler();
  return bulwarkHandler(variant, c);
}

/** Build the server for `variant` and listen on 127.0.0.1:0; resolves to the port. */
export async function listen(variant, c) {
  const fetchHandler = await fetchHandlerOf(variant, c);
  const node = await import('@bulwark/fetch/node').catch(() => undefined);
  const server = node?.toNodeListener ? createServer(node.toNodeListener(fetchHandler)) : serve(fetchHandler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}
