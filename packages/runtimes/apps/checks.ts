// The runtime checks app: what only differs between runtimes (where the client address comes from, what
// Workers refuse or warn about at startup), served on Bun, Deno and workerd like the conformance app.
import { isCloudflareWorkers } from '../../core/src/index.js';
import {
  type ClientIpResolverOptions,
  createRateLimiter,
  protect,
  securityHeaders,
} from '../../fetch/src/index.js';
import { Hono } from 'hono';
import { rateLimit as honoRateLimit, securityHeaders as honoSecurityHeaders } from '../../hono/src/index.js';

// Warnings printed while the app's rules are built (memory stores on Workers), kept for GET /warnings.
const warnings: string[] = [];
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  warnings.push(args.map(String).join(' '));
  warn(...args);
};
let builds = 0;

/** `platform` names the platform whose header carries the client address (workerd: cloudflare). */
export default function checksApp(spec: {
  platform?: 'cloudflare';
}): (request: Request, runtime?: unknown) => Promise<Response> {
  builds++;
  const clientIp: ClientIpResolverOptions = spec.platform ? { platform: spec.platform } : {};
  const ok = async () => Response.json({ ok: true });
  const limited = (name: string) => protect(ok, { rateLimit: { name, rate: '2/min', clientIp } });
  const dropped = limited('dropped');
  // The same through @bulwark/hono: Hono hands the middleware the runtime's argument as c.env.
  const hono = new Hono();
  hono.use('/hono-nonce-ip', honoSecurityHeaders({ preset: 'web' }));
  hono.get('/hono-ip', honoRateLimit({ name: 'hono', rate: '2/min', clientIp }), (c) => c.json({ ok: true }));
  hono.get('/hono-nonce-ip', honoRateLimit({ name: 'hono-nonce', rate: '2/min', clientIp }), (c) =>
    c.json({ ok: true }),
  );
  const honoFetch = async (request: Request, runtime?: unknown) => hono.fetch(request, runtime);
  const routes: Record<string, (request: Request, runtime?: unknown) => Promise<Response>> = {
    // The runtime's argument straight to protect().
    '/ip': limited('ip'),
    // Behind securityHeaders with a nonce: the handler gets a copy of the runtime's argument.
    '/nonce-ip': securityHeaders(limited('nonce'), { preset: 'web' }),
    // A protect()ed handler inside another protect().
    '/nested-ip': protect(limited('nested'), {
      rateLimit: { name: 'outer', rate: '100/min', clientIp },
    }),
    '/hono-ip': honoFetch,
    '/hono-nonce-ip': honoFetch,
    // A handler that passes on a new request without the runtime's argument or the platform's header (a
    // rewritten or internally forwarded request): nobody knows the client's address.
    '/dropped': async (request) => {
      const headers = new Headers(request.headers);
      headers.delete('cf-connecting-ip');
      return dropped(new Request(request.url, { headers }));
    },
    '/builds': async () => Response.json({ builds }),
    '/warnings': async () => Response.json({ warnings }),
    '/runtime': async () => Response.json({ workers: isCloudflareWorkers() }),
    '/config-error': async () => {
      try {
        createRateLimiter({ name: 'noplatform', rate: '1/min' });
        return Response.json({ thrown: null });
      } catch (error) {
        return Response.json({ thrown: (error as Error).message });
      }
    },
  };
  return async (request, runtime) => {
    const route = routes[new URL(request.url).pathname];
    return route === undefined ? new Response('not found', { status: 404 }) : route(request, runtime);
  };
}
