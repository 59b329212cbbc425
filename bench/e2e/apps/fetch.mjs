// A (Request) => Response handler served on node:http: bare handler, and the same handler wrapped by
// @bulwark/fetch's protect(). Both go through @bulwark/fetch/node's toNodeListener when it exists (what a
// user of the adapter runs), else through the minimal bridge below, so the two variants differ only by protect().
import { createServer } from 'node:http';
import { jwtOptions, part } from '../bulwark-common.mjs';

const BODY = JSON.stringify({ hello: 'world' });

function handler() {
  return new Response(BODY, { headers: { 'content-type': 'application/json; charset=utf-8' } });
}

async function bulwarkHandler(variant, c) {
  const bulwark = await import('@bulwark/fetch');
  const policy = {};
  if (variant !== 'bulwark-nojwt' && part('jwt', typeof bulwark.jwtStage === 'function'))
    policy.jwt = jwtOptions(c, variant);
  if (part('ratelimit', typeof bulwark.rateLimitStage === 'function')) {
    policy.rateLimit = { rate: { limit: c.limit, windowMs: c.windowMs ?? 60_000 } };
  }
  let wrapped = bulwark.protect(handler, policy);
  if (part('cors', typeof bulwark.cors === 'function'))
    wrapped = bulwark.cors(wrapped, { origins: [c.origin] });
  if (part('headers', typeof bulwark.securityHeaders === 'function'))
    wrapped = bulwark.securityHeaders(wrapped);
  return wrapped;
}

/** Node request → WHATWG Request → handler → node response. GET only (the benchmark route). */
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

/** Build the server for `variant` and listen on 127.0.0.1:0; resolves to the port. */
export async function listen(variant, c) {
  const fetchHandler =
    variant === 'bare' ? async (request) => handler(request) : await bulwarkHandler(variant, c);
  const node = await import('@bulwark/fetch/node').catch(() => undefined);
  const server = node?.toNodeListener ? createServer(node.toNodeListener(fetchHandler)) : serve(fetchHandler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}
