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
  const has = (rule) => typeof bulwark[`${rule}Stage`] === 'function';
  if (part('headers', has('headers') || has('securityHeaders'))) policy.headers = {};
  if (part('cors', has('cors'))) policy.cors = { origins: [c.origin] };
  if (part('ratelimit', has('rateLimit'))) policy.rateLimit = { limit: c.limit, windowMs: 60_000 };
  if (variant !== 'bulwark-nojwt' && part('jwt', has('jwt'))) policy.jwt = jwtOptions(c, variant);
  return bulwark.protect(handler, policy);
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
